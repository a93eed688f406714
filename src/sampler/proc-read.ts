// Reads a small procfs file through one reused buffer: open, read, close,
// with no per-call allocation besides the text. readFileSync costs several
// times more per /proc/<pid>/stat (fstat, options parsing, a fresh buffer);
// the sampler tick and its benchmark floor share this one primitive.
import { closeSync, openSync, readSync } from 'node:fs';

/** Largest file this reads (procfs text the sampler reads per tick is < 1 KiB). */
export const PROC_READ_MAX = 1 << 16;

let scratch = Buffer.allocUnsafe(4096);

/**
 * The file's bytes decoded as UTF-8, read to EOF (the buffer doubles as
 * needed up to PROC_READ_MAX; longer text is cut there). Throws as open/read
 * do (ENOENT/ESRCH when the process has gone).
 */
export function readProcText(path: string): string {
  const fd = openSync(path, 'r');
  try {
    let n = 0;
    for (;;) {
      if (n === scratch.length) {
        if (n >= PROC_READ_MAX) break;
        const bigger = Buffer.allocUnsafe(Math.min(PROC_READ_MAX, n * 2));
        scratch.copy(bigger, 0, 0, n);
        scratch = bigger;
      }
      const got = readSync(fd, scratch, n, scratch.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return scratch.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}
