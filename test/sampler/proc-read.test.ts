// readProcText, the per-tick read primitive: the same text readFileSync gives
// (UTF-8 included), whole files past its first buffer, the PROC_READ_MAX cut,
// and the errors that tell the sampler a process has gone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROC_READ_MAX, readProcText } from '../../src/sampler/proc-read.js';

test('reads /proc/self/stat as readFileSync does', () => {
  const a = readProcText('/proc/self/stat');
  const b = readFileSync('/proc/self/stat', 'utf8');
  // utime/stime may tick between the two reads; pid and comm may not.
  assert.is(a.slice(0, a.lastIndexOf(')') + 1), b.slice(0, b.lastIndexOf(')') + 1));
});

test('whole files past the first buffer, UTF-8 intact, cut at PROC_READ_MAX', () => {
  const dir = mkdtempSync(join(tmpdir(), 'an1489-procread-'));
  try {
    const mid = join(dir, 'mid');
    const text = `${'é'.repeat(3000)}(x) ${'7 '.repeat(2000)}`; // > 4 KiB, multi-byte across the buffer edge
    writeFileSync(mid, text);
    assert.is(readProcText(mid), text);
    const big = join(dir, 'big');
    writeFileSync(big, 'a'.repeat(PROC_READ_MAX + 100));
    assert.is(readProcText(big).length, PROC_READ_MAX);
    assert.is(readProcText(join(dir, 'mid')), text, 'the grown buffer serves later reads');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing file throws ENOENT (the sampler skips a vanished process)', () => {
  try {
    readProcText('/proc/999999999/stat');
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.is((e as NodeJS.ErrnoException).code, 'ENOENT');
  }
});

test.run();
