// Siblings of issue 10's attacks found elsewhere: baseline globs run on
// attacker paths and command lines (a many-star glob as a regular expression
// backtracked polynomially), and files read from paths someone may swap for a
// FIFO, a device or a growing file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { globMatches } from '../../src/intel/baseline.js';
import { BoundedReadError, readBoundedFile, readBoundedFileSync } from '../../src/config/bounded-read.js';
import { loadConfigFile } from '../../src/config/index.js';

const work = mkdtempSync('/tmp/an1489-adv-sib-');
test.after(() => rmSync(work, { recursive: true, force: true }));

test('a many-star baseline glob against a 64 KB value: refused, as the one-star glob refuses it (what each costs: scripts/bench/hostile-shapes.bench.ts)', () => {
  const value = 'a'.repeat(64 * 1024);
  assert.not.ok(globMatches('*b', value));
  assert.not.ok(globMatches('*a*a*a*a*a*b', value));
  assert.ok(globMatches('*a*a*a*a*a*', value));
  assert.ok(globMatches('*\\temp\\*\\*.EXE', 'C:\\Users\\x\\TEMP\\a\\b.exe'));
  assert.ok(globMatches('c:\\?\\*', 'C:\\a\\'));
  assert.not.ok(globMatches('c:\\?\\*', 'C:\\ab'));
});

test('bounded reads refuse a FIFO without blocking, a symlink when asked, a device, and anything over the cap', async () => {
  const fifo = join(work, 'fifo');
  assert.is(spawnSync('mkfifo', [fifo]).status, 0);
  const zero = join(work, 'zero');
  symlinkSync('/dev/zero', zero);
  const big = join(work, 'big');
  writeFileSync(big, Buffer.alloc(2048));
  const codeOf = async (f: () => unknown) => {
    try {
      await f();
    } catch (e) {
      assert.instance(e, BoundedReadError);
      return (e as BoundedReadError).code;
    }
    return 'read';
  };
  assert.is(await codeOf(() => readBoundedFile(fifo, { maxBytes: 100 })), 'ENOTREG');
  assert.is(await codeOf(() => readBoundedFileSync(fifo, { maxBytes: 100 })), 'ENOTREG');
  assert.is(await codeOf(() => readBoundedFile(zero, { maxBytes: 100, noFollow: true })), 'ELOOP');
  assert.is(await codeOf(() => readBoundedFile(zero, { maxBytes: 100 })), 'ENOTREG');
  assert.is(await codeOf(() => readBoundedFile(big, { maxBytes: 100 })), 'EFBIG');
  assert.is(await codeOf(() => readBoundedFile(join(work, 'none'), { maxBytes: 100 })), 'ENOENT');
  assert.is((await readBoundedFile(big, { maxBytes: 4096 })).length, 2048);
  // The config loader on a FIFO: an error, at once.
  const r = loadConfigFile(fifo, work);
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, /not a regular file/);
});

test.run();
