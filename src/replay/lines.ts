// Lines of an NDJSON log, streamed: memory is one chunk plus one line, and a
// line longer than the limit is skipped over without being held (a hostile
// 1 GB line costs time, not memory) and reported with its file and number.
import { createReadStream } from 'node:fs';

export class ReplayInputError extends Error {
  override readonly name = 'ReplayInputError';
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
  }
}

export interface LogLine {
  readonly text: string;
  /** 1-based line number in its file. */
  readonly line: number;
}

/** Default longest line: a 1,000-process snapshot with long command lines fits with room to spare. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Yields each non-empty line (without CR/LF). `source` is a path, or '-' for
 * `input` (stdin). Over-long lines throw ReplayInputError once fully skipped.
 */
export async function* readLines(
  file: string,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  input?: NodeJS.ReadableStream,
): AsyncGenerator<LogLine> {
  // 256 KB reads: a chunk in flight when the young generation is collected is
  // promoted and held until the next full GC (a bare pass peaked at 111 MB RSS with 1 MB reads, 65 MB with these).
  const stream = file === '-' && input ? input : createReadStream(file, { highWaterMark: 1 << 18 });
  let parts: Buffer[] = [];
  let held = 0;
  let tooLong = false;
  let line = 1;
  const finish = (piece: Buffer): LogLine | null => {
    const n = line++;
    if (tooLong) {
      tooLong = false;
      parts = [];
      held = 0;
      throw new ReplayInputError(
        file,
        n,
        `line longer than ${maxLineBytes} bytes (raise --max-line-bytes if this is a real event)`,
      );
    }
    let buf = parts.length === 0 ? piece : Buffer.concat([...parts, piece]);
    parts = [];
    held = 0;
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 0x0d) end--;
    // A UTF-8 byte-order mark on the first line is not part of the JSON.
    const start = n === 1 && end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    if (end <= start) return null;
    buf = buf.subarray(start, end);
    return { text: buf.toString('utf8'), line: n };
  };
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let from = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, from);
      if (nl < 0) break;
      const piece = buf.subarray(from, nl);
      from = nl + 1;
      if (!tooLong && held + piece.length > maxLineBytes) tooLong = true;
      const out = finish(tooLong ? Buffer.alloc(0) : piece);
      if (out !== null) yield out;
    }
    if (from < buf.length && !tooLong) {
      const rest = buf.subarray(from);
      if (held + rest.length > maxLineBytes) {
        tooLong = true;
        parts = [];
        held = 0;
      } else {
        // Copy: the stream may reuse its buffer.
        parts.push(Buffer.from(rest));
        held += rest.length;
      }
    }
  }
  if (held > 0 || tooLong) {
    const out = finish(Buffer.alloc(0));
    if (out !== null) yield out;
  }
}
