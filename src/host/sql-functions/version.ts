// osquery's version_compare (sqlite_version.cpp).
import { cText, isText, type FunctionDef } from './coerce.js';

interface VersionRules {
  /** An epoch ("1:") makes a version sort after one without. */
  readonly epoch: boolean;
  /** Differing delimiters decide the order by their rank. */
  readonly delimiterRank: boolean;
  /** When one version is a prefix of the other, look at what follows. */
  readonly inspectRemainder: boolean;
  /** ... and, if that is inconclusive after a digit, let length decide. */
  readonly remainderByLength: boolean;
}

const FLAVORS: Record<string, VersionRules> = {
  ARCH: { epoch: true, delimiterRank: false, inspectRemainder: true, remainderByLength: true },
  DPKG: { epoch: true, delimiterRank: true, inspectRemainder: false, remainderByLength: false },
  RHEL: { epoch: true, delimiterRank: true, inspectRemainder: true, remainderByLength: false },
};
const GENERIC: VersionRules = { epoch: false, delimiterRank: false, inspectRemainder: false, remainderByLength: false };

const DELIMITER_RANK: Record<string, number> = { '~': 1, '-': 2, '^': 3, '.': 4, ':': 5 };
const rank = (c: number | undefined): number => (c === undefined ? 0 : (DELIMITER_RANK[String.fromCharCode(c)] ?? 0));
/** C's char is signed: bytes above 0x7F compare as negative numbers. */
const signedByte = (c: number): number => (c > 127 ? c - 256 : c);
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

function compareVersions(left: string, right: string, rules: VersionRules): number {
  const l = Buffer.from(left, 'utf8');
  const r = Buffer.from(right, 'utf8');
  if (l.length === 0 || r.length === 0) return l.length === r.length ? 0 : l.length === 0 ? -1 : 1;
  if (l.equals(r)) return 0;
  if (rules.epoch) {
    const le = l.indexOf(':'.charCodeAt(0));
    const re = r.indexOf(':'.charCodeAt(0));
    const diff = le >= 0 && re >= 0 ? le - re : le >= 0 ? 1 : re >= 0 ? -1 : 0;
    if (diff !== 0) return diff;
  }
  // Characters are compared pairwise; the first difference between ordinary
  // characters only counts once the segment ends at a delimiter, so 1.10 and
  // 1.9 compare by segment length before content.
  let firstDiff = 0;
  const common = Math.min(l.length, r.length);
  for (let i = 0; i < common; i++) {
    const lr = rank(l[i]);
    const rr = rank(r[i]);
    if (lr === 0 && rr === 0) {
      if (firstDiff === 0) firstDiff = signedByte(l[i]) - signedByte(r[i]);
      continue;
    }
    if (lr === 0) return 1;
    if (rr === 0) return -1;
    if (firstDiff !== 0) return firstDiff;
    if (rules.delimiterRank && lr !== rr) return lr - rr;
  }
  if (l.length === r.length) return firstDiff;
  return compareRemainder(l, r, common, firstDiff, rules);
}

function compareRemainder(l: Buffer, r: Buffer, pos: number, diff: number, rules: VersionRules): number {
  const sides: [Buffer, Buffer, 1 | -1][] = [
    [l, r, 1],
    [r, l, -1],
  ];
  for (const [short, long, sign] of sides) {
    if (short.length !== pos) continue;
    const next = String.fromCharCode(long[pos]);
    if (rules.inspectRemainder) {
      // A tilde suffix sorts before the bare version, a caret after it.
      if (next === '~') return sign;
      if (next === '-') return 0;
      if (next === '^') return -sign;
      if (diff !== 0 && (!rules.remainderByLength || !isDigit(short[pos - 1]))) return diff;
    } else if (diff !== 0 && rank(long[pos]) > 0) {
      return diff;
    }
  }
  return l.length - r.length;
}

export const VERSION: FunctionDef[] = [
  {
    name: 'version_compare',
    arity: -1,
    fn: (...args) => {
      if (args.length < 2 || !isText(args[0]) || !isText(args[1])) {
        throw new Error('Must provide two version strings to compare.');
      }
      let rules = GENERIC;
      if (args.length > 2) {
        const flavor = args[2];
        if (!isText(flavor)) throw new Error('The optional third parameter is not a string.');
        const found = FLAVORS[flavor.toUpperCase()];
        if (!found) throw new Error('The optional third parameter does not match one of: (ARCH, DPKG, RHEL).');
        rules = found;
      }
      return BigInt(Math.sign(compareVersions(cText(args[0]), cText(args[1]), rules)));
    },
  },
];
