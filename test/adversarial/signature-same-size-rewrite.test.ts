// Attack: keep a stale verdict. A signed binary is checked (trusted), then
// rewritten in place with other bytes of the same size and its mtime and
// atime restored; the inode, size and mtime are all unchanged, which was the
// whole cache key. The change time cannot be restored by the file's owner on
// Linux, and is now part of the key: the second check must read the new bytes.
// The check runs twice in one long-lived table, as in the extension, where
// the cache lives; the first answer must have come from a read, the second
// from a cache miss, not a hit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, sqlText } from './signature-support.js';
import { createRuntime } from '../../src/runtime.js';
import { EmbeddedHost } from '../../src/host/host.js';
import { loadTrustBundle, SignatureChecker } from '../../src/signature/checker.js';
import { fileSignatureCheckTable } from '../../src/tables/file_signature_check.js';

const dir = mkdtempSync(join(tmpdir(), 'an1489-adv-rewrite-'));

test('same size, restored mtime: the new bytes are judged, not the cached verdict', async () => {
  const file = join(dir, 'tool.exe');
  copyFileSync(join(FIXTURES, 'signed.exe'), file);
  // A whole-second mtime, so the attacker's restore is exact to the nanosecond.
  const T = Math.floor(Date.now() / 1000) - 3600;
  utimesSync(file, T, T);
  const tampered = readFileSync(join(FIXTURES, 'tampered.exe'));
  assert.is(tampered.length, statSync(file).size, 'the attack needs the same size');
  const checker = new SignatureChecker({ trust: await loadTrustBundle(join(FIXTURES, 'test-ca.pem')) });
  const host = new EmbeddedHost({ tables: [fileSignatureCheckTable({ checker })] });
  try {
    const q = `SELECT signature_status, sha256 FROM file_signature_check WHERE file = ${sqlText(file)}`;
    const first = (await host.query(q)).rows[0];
    assert.is(first[0], 'trusted');
    const before = statSync(file, { bigint: true });
    writeFileSync(file, tampered); // in place: same inode
    utimesSync(file, T, T);
    const after = statSync(file, { bigint: true });
    // The attack as described: everything the old key held is unchanged.
    assert.is(after.ino, before.ino);
    assert.is(after.size, before.size);
    assert.is(after.mtimeNs, before.mtimeNs);
    const second = (await host.query(q)).rows[0];
    assert.is(second[0], 'tampered');
    assert.is.not(second[1], first[1]);
  } finally {
    host.close();
  }
});

test('the runtime wires one cache for both tables, and it too judges the rewrite', async () => {
  const runtime = await createRuntime({ mode: 'standalone' });
  const host = new EmbeddedHost({ tables: runtime.tables });
  const file = join(dir, 'other.exe');
  copyFileSync(join(FIXTURES, 'signed.exe'), file);
  const T = Math.floor(Date.now() / 1000) - 3600;
  utimesSync(file, T, T);
  try {
    const q = `SELECT sha256 FROM file_signature_check WHERE file = ${sqlText(file)}`;
    const first = (await host.query(q)).rows[0][0];
    writeFileSync(file, readFileSync(join(FIXTURES, 'tampered.exe')));
    utimesSync(file, T, T);
    const second = (await host.query(q)).rows[0][0];
    assert.is.not(second, first);
  } finally {
    host.close();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
