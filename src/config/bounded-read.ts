// Reading a file whose path someone else may have planted: never blocks on a
// FIFO or device (opened non-blocking, and only a regular file is read, judged
// on the open descriptor, not on the path), never follows a final symlink
// when asked not to, and never reads more than a byte cap, however large the
// file is or grows while read.
import { constants, openSync, fstatSync, readSync, closeSync, lstatSync } from 'node:fs';
import { open } from 'node:fs/promises';

export class BoundedReadError extends Error {
  override readonly name = 'BoundedReadError';
  constructor(
    message: string,
    /** ENOENT, EACCES, ELOOP (a symlink), ENOTREG (not a regular file), EFBIG (over the cap), or another errno code. */
    readonly code: string,
  ) {
    super(message);
  }
}

export interface BoundedReadOptions {
  readonly maxBytes: number;
  /** Refuse a symlink at the final path component (files we write by rename are never links). */
  readonly noFollow?: boolean;
}

// Windows has neither flag (and no FIFOs on a file path); there a symlink is refused by lstat first.
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

function flags(noFollow: boolean): number {
  return constants.O_RDONLY | O_NONBLOCK | (noFollow ? O_NOFOLLOW : 0);
}

function fail(path: string, e: unknown): never {
  if (e instanceof BoundedReadError) throw e;
  const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
  const what =
    code === 'ELOOP' ? 'is a symbolic link' : code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`;
  throw new BoundedReadError(`${path} ${what}`, code);
}

function precheck(path: string, noFollow: boolean): void {
  if (noFollow && O_NOFOLLOW === 0 && lstatSync(path).isSymbolicLink())
    throw new BoundedReadError(`${path} is a symbolic link`, 'ELOOP');
}

function checkStat(path: string, st: { isFile(): boolean; size: number }, maxBytes: number): void {
  if (!st.isFile()) throw new BoundedReadError(`${path} is not a regular file`, 'ENOTREG');
  if (st.size > maxBytes)
    throw new BoundedReadError(`${path} is ${st.size} bytes, more than the ${maxBytes} allowed`, 'EFBIG');
}

/** The file's bytes; throws BoundedReadError. */
export async function readBoundedFile(path: string, options: BoundedReadOptions): Promise<Buffer> {
  const noFollow = options.noFollow ?? false;
  let handle;
  try {
    precheck(path, noFollow);
    handle = await open(path, flags(noFollow));
  } catch (e) {
    fail(path, e);
  }
  try {
    const st = await handle.stat();
    checkStat(path, st, options.maxBytes);
    // One byte more than expected: filling it means the file grew meanwhile.
    const buf = Buffer.allocUnsafe(Math.min(options.maxBytes, st.size) + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, null);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got === buf.length) throw new BoundedReadError(`${path} grew while being read`, 'EFBIG');
    }
    return buf.subarray(0, got);
  } catch (e) {
    fail(path, e);
  } finally {
    await handle.close();
  }
}

/** The same, synchronously (for start-up paths that are synchronous already). */
export function readBoundedFileSync(path: string, options: BoundedReadOptions): Buffer {
  const noFollow = options.noFollow ?? false;
  let fd: number;
  try {
    precheck(path, noFollow);
    fd = openSync(path, flags(noFollow));
  } catch (e) {
    fail(path, e);
  }
  try {
    const st = fstatSync(fd);
    checkStat(path, st, options.maxBytes);
    const buf = Buffer.allocUnsafe(Math.min(options.maxBytes, st.size) + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
      if (got === buf.length) throw new BoundedReadError(`${path} grew while being read`, 'EFBIG');
    }
    return buf.subarray(0, got);
  } catch (e) {
    fail(path, e);
  } finally {
    closeSync(fd);
  }
}
