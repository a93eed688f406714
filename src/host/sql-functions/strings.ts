// osquery's string functions (sqlite_string.cpp).
import { parseIPv4 } from './network.js';
import { cText, index, type Arg, type FunctionDef, type Result } from './coerce.js';

/** osquery's --regex_max_size default, in bytes. */
export const REGEX_MAX_SIZE = 256;

function compileRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    throw new Error('Invalid regex');
  }
}

function splitFunction(name: string, splitter: (input: string, token: string) => string[]): FunctionDef {
  return {
    name,
    arity: 3,
    fn: (input, token, idx) => {
      if (input === null || token === null || idx === null) return null;
      const t = cText(token);
      if (t === '') throw new Error('Invalid input to split function');
      const parts = splitter(cText(input), t);
      const i = index(idx);
      return i < parts.length ? parts[i] : null;
    },
  };
}

/**
 * osquery::split: boost::split on any one of the token's BYTES, empty fields
 * dropped, then each field trimmed of C-locale blanks (so a field of blanks
 * stays, as ''). Works on UTF-8 bytes as osquery does.
 */
function tokenSplit(input: string, tokens: string): string[] {
  const delims = new Set(Buffer.from(tokens, 'utf8'));
  const b = Buffer.from(input, 'utf8');
  const fields: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= b.length; i++) {
    if (i === b.length || delims.has(b[i])) {
      fields.push(b.subarray(start, i));
      start = i + 1;
    }
  }
  return fields
    .filter((f) => f.length > 0)
    .map((f) => f.toString('utf8').replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, ''));
}

/** Fields between regex matches; like std::sregex_token_iterator(-1), no empty trailing field. */
function regexSplit(input: string, token: string): string[] {
  if (Buffer.byteLength(token) > REGEX_MAX_SIZE) throw new Error('Invalid regex');
  const fields = fieldsBetweenMatches(input, compileRegex(token));
  if (fields.length > 0 && fields[fields.length - 1] === '') fields.pop();
  return fields;
}

// Not String.split: that would also return capture groups, which std::regex's
// -1 token iterator does not.
function fieldsBetweenMatches(input: string, re: RegExp): string[] {
  const global = new RegExp(re.source, 'g');
  const fields: string[] = [];
  let last = 0;
  for (const m of input.matchAll(global)) {
    if (m[0].length === 0) continue;
    fields.push(input.slice(last, m.index));
    last = (m.index ?? 0) + m[0].length;
  }
  fields.push(input.slice(last));
  return fields;
}

function concatFrom(args: Arg[], start: number, sep: string): Result {
  if (args.length - start === 0) return null;
  let out = '';
  for (let i = start; i < args.length; i++) {
    const v = args[i];
    if (v === null) continue;
    out += cText(v);
    // As in osquery: the separator follows every non-NULL value except the
    // last argument, even when the arguments after it are all NULL.
    if (sep !== '' && i + 1 < args.length) out += sep;
  }
  return out;
}

function inetAton(v: Arg): Result {
  if (v === null) return null;
  const s = cText(v);
  if (s.includes(':')) return null;
  const octets = parseIPv4(s);
  if (!octets) return null;
  return BigInt(((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3]);
}

export const STRINGS: FunctionDef[] = [
  splitFunction('split', tokenSplit),
  splitFunction('regex_split', regexSplit),
  {
    name: 'regex_match',
    arity: 3,
    fn: (input, pattern, group) => {
      if (input === null || pattern === null || group === null) return null;
      const p = cText(pattern);
      if (Buffer.byteLength(p) > REGEX_MAX_SIZE) {
        throw new Error(`Invalid regex: too big, max size is ${REGEX_MAX_SIZE} bytes`);
      }
      const m = compileRegex(p).exec(cText(input));
      if (!m) return null;
      const i = index(group);
      return i < m.length ? (m[i] ?? '') : null;
    },
  },
  { name: 'concat', arity: -1, fn: (...args) => concatFrom(args, 0, '') },
  {
    name: 'concat_ws',
    arity: -1,
    fn: (...args) => {
      if (args.length === 0) throw new Error('Missing separator to concat_ws');
      return concatFrom(args, 1, args[0] === null ? '' : cText(args[0]));
    },
  },
  { name: 'inet_aton', arity: 1, fn: inetAton },
];
