// Shared set-up for the pe-* benchmarks: a throwaway CA and code-signing key
// made with openssl, and a sizable real PE (a wine DLL) signed with them by
// osslsigncode, all in a temp dir. Only argument arrays reach child processes.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSigningChain, run, signPe } from '../../test/support/code-signing.js';

export { run };

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
  await makeSigningChain(dir, 'Bench');
  copyFileSync(source, p('in.bin'));
  if ((await signPe(dir, p('in.bin'), p('signed.dll'))) !== 0) throw new Error(`osslsigncode sign failed on ${source}`);
  return { dir, file: p('signed.dll'), ca: p('ca.pem'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
