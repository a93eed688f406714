// Shared set-up for the pe-* benchmarks: a throwaway CA and code-signing key
// made with openssl, and a sizable real PE (a wine DLL) signed with them by
// osslsigncode, all in a temp dir. Only argument arrays reach child processes.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function run(cmd: string, args: readonly string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, [...args], { maxBuffer: 16 << 20 }, (err, stdout) => {
      if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout });
    });
  });
}

const WINE = '/usr/lib/x86_64-linux-gnu/wine/x86_64-windows';

/** A wine PE of 4-8 MB, the largest under 8 MB, so "several MB" holds on any wine install. */
export function pickWinePe(): string | null {
  if (!existsSync(WINE)) return null;
  const candidates = readdirSync(WINE)
    .filter((f) => /\.(dll|exe)$/.test(f))
    .map((f) => ({ f, size: statSync(join(WINE, f)).size }))
    .filter((c) => c.size >= 4 << 20 && c.size <= 8 << 20)
    .sort((a, b) => b.size - a.size);
  return candidates[0] ? join(WINE, candidates[0].f) : null;
}

export interface SignedPe {
  readonly dir: string;
  readonly file: string;
  readonly ca: string;
  cleanup(): void;
}

export async function buildSignedPe(source: string): Promise<SignedPe> {
  const dir = mkdtempSync(join(tmpdir(), 'an1489-pe-bench-'));
  const p = (n: string) => join(dir, n);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '30',
    '-subj',
    '/CN=Bench Root',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=Bench Signer',
    '-keyout',
    p('leaf.key'),
    '-out',
    p('leaf.csr'),
  ]);
  writeFileSync(
    p('leaf.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n',
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    p('leaf.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-days',
    '30',
    '-extfile',
    p('leaf.ext'),
    '-out',
    p('leaf.pem'),
  ]);
  copyFileSync(source, p('in.bin'));
  const signed = await run('osslsigncode', [
    'sign',
    '-certs',
    p('leaf.pem'),
    '-key',
    p('leaf.key'),
    '-h',
    'sha256',
    '-in',
    p('in.bin'),
    '-out',
    p('signed.dll'),
  ]);
  if (signed.code !== 0) throw new Error(`osslsigncode sign failed on ${source}`);
  return { dir, file: p('signed.dll'), ca: p('ca.pem'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
