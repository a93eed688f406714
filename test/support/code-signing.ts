// A throwaway CA and code-signing leaf made with openssl, and osslsigncode signing a PE with them:
// shared by the signature tests and the pe-* benchmarks. Only argument arrays reach child processes.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs a tool; resolves with its exit code and stdout (rejects only when it cannot start). */
export function run(cmd: string, args: readonly string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, [...args], { maxBuffer: 16 << 20 }, (err, stdout) => {
      if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout });
    });
  });
}

/** Writes `<name> Root` (ca.pem, ca.key) and a `<name> Signer` code-signing leaf (leaf.pem, leaf.key) into dir. */
export async function makeSigningChain(dir: string, name: string): Promise<{ ca: string }> {
  const p = (n: string) => join(dir, n);
  const ca = await run('openssl', [
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', `/CN=${name} Root`],
    ...['-keyout', p('ca.key'), '-out', p('ca.pem')],
    ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'],
  ]);
  const csr = await run('openssl', [
    ...['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name} Signer`],
    ...['-keyout', p('leaf.key'), '-out', p('leaf.csr')],
  ]);
  writeFileSync(
    p('leaf.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n',
  );
  const leaf = await run('openssl', [
    ...['x509', '-req', '-in', p('leaf.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial'],
    ...['-days', '30', '-extfile', p('leaf.ext'), '-out', p('leaf.pem')],
  ]);
  if (ca.code !== 0 || csr.code !== 0 || leaf.code !== 0) throw new Error(`openssl could not make the ${name} chain`);
  return { ca: p('ca.pem') };
}

/** osslsigncode signs `input` into `output` with dir's leaf (SHA-256); resolves with its exit code. */
export async function signPe(dir: string, input: string, output: string): Promise<number> {
  const p = (n: string) => join(dir, n);
  const r = await run('osslsigncode', [
    ...['sign', '-certs', p('leaf.pem'), '-key', p('leaf.key'), '-h', 'sha256', '-in', input, '-out', output],
  ]);
  return r.code;
}
