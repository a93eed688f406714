// Siblings of issue 10's attacks found elsewhere: baseline globs run on
// attacker paths and command lines (a many-star glob as a regular expression
// backtracked polynomially), and files read from paths someone may swap for a
// FIFO, a device or a growing file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { globMatches } from '../../src/intel/baseline.js';
import { BoundedReadError, readBoundedFile, readBoundedFileSync } from '../../src/config/bounded-read.js';
import { loadConfigFile } from '../../src/config/index.js';

const work = mkdtempSync('/tmp/an1489-adv-sib-');
test.after(() => rmSync(work, { recursive: true, force: true }));

test('a many-star baseline glob against a 64 KB value costs about what a one-star glob does', () => {
  const value = 'a'.repeat(64 * 1024);
  const time = (glob: string) => {
    const t: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = performance.now();
      assert.not.ok(globMatches(glob, value));
      t.push(performance.now() - a);
    }
    return t.sort((x, y) => x - y)[2]!;
  };
  const one = time('*b');
  const many = time('*a*a*a*a*a*b');
  console.log(`  one star ${one.toFixed(2)} ms, six stars ${many.toFixed(2)} ms`);
  // The walk is pattern x value at worst; a backtracking regex is value^stars.
  assert.ok(many <= 50 * one + 50, `six stars took ${many.toFixed(1)} ms against ${one.toFixed(2)} ms`);
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
