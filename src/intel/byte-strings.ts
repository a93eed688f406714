// Finding a fixed set of ASCII strings in untrusted bytes, streamed chunk by
// chunk: one Aho-Corasick automaton (every string in ASCII and UTF-16LE,
// ASCII case folded into byte classes) stepped once per byte, with no
// strings built, no regular expression and no backtracking. Cost is linear in
// the bytes whatever they hold; memory is the table plus one state per scan.
// Why an automaton and four lanes: docs/catalogs.md "Miner indicators".

/** Scanning lanes per chunk: independent state chains the CPU steps in parallel. */
const LANES = 4;

/**
 * A compiled set of strings. `strings` are lower-cased and de-duplicated; a
 * string is found where its bytes occur as ASCII, or as UTF-16LE (the NUL high
 * bytes between its characters, 2n-1 bytes), with ASCII letters in any case.
 */
export class ByteStringMatcher {
  readonly strings: readonly string[];
  /** Byte value -> byte class (0: a byte no string holds; A-Z share a-z's class). */
  readonly classes: Uint8Array;
  /** Transitions: state + class -> next state; states are offsets of their rows (premultiplied by classCount). */
  readonly next: Uint16Array | Int32Array;
  readonly classCount: number;
  /** A power of two: states at or above it end at least one string, states below it none. */
  readonly acceptFrom: number;
  /** For each accepting state (premultiplied - acceptFrom, / classCount): indices into `strings` it ends. */
  readonly ends: readonly (readonly number[])[];
  /** The longest string in bytes (its UTF-16LE form): a lane warms up over this many bytes. */
  readonly longest: number;

  constructor(strings: readonly string[]) {
    const texts = [...new Set(strings.map((s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase())))];
    if (texts.length === 0 || texts.some((t) => t === '' || /[^\x20-\x7e]/.test(t))) {
      throw new Error('strings to find must be non-empty printable ASCII');
    }
    this.strings = texts;
    // Both encodings of every string, as byte sequences tagged with the string's index.
    const patterns: { bytes: number[]; index: number }[] = [];
    texts.forEach((t, index) => {
      const ascii = [...Buffer.from(t, 'latin1')];
      patterns.push({ bytes: ascii, index }, { bytes: ascii.flatMap((b, i) => (i === 0 ? [b] : [0, b])), index });
    });
    this.longest = Math.max(...patterns.map((p) => p.bytes.length));

    const classes = new Uint8Array(256);
    let classCount = 1;
    for (const p of patterns) for (const b of p.bytes) if (classes[b] === 0) classes[b] = classCount++;
    for (let b = 0x41; b <= 0x5a; b++) classes[b] = classes[b + 0x20];
    this.classes = classes;
    this.classCount = classCount;

    // The trie (goto function) over byte classes.
    const child: Map<number, number>[] = [new Map()];
    const out: number[][] = [[]];
    for (const p of patterns) {
      let s = 0;
      for (const b of p.bytes) {
        const c = classes[b];
        let n = child[s].get(c);
        if (n === undefined) {
          n = child.length;
          child.push(new Map());
          out.push([]);
          child[s].set(c, n);
        }
        s = n;
      }
      if (!out[s].includes(p.index)) out[s].push(p.index);
    }
    // Breadth-first: each state's failure target is shallower, so its row and outputs are complete first.
    const count = child.length;
    const delta = new Int32Array(count * classCount);
    const fail = new Int32Array(count);
    const queue: number[] = [];
    for (let c = 1; c < classCount; c++) {
      const n = child[0].get(c);
      if (n !== undefined) {
        delta[c] = n;
        queue.push(n);
      }
    }
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head];
      for (const i of out[fail[s]]) if (!out[s].includes(i)) out[s].push(i);
      for (let c = 0; c < classCount; c++) {
        const n = child[s].get(c);
        if (n === undefined) delta[s * classCount + c] = delta[fail[s] * classCount + c];
        else {
          fail[n] = delta[fail[s] * classCount + c];
          delta[s * classCount + c] = n;
          queue.push(n);
        }
      }
    }
    // Renumber: non-accepting states below a power of two, accepting ones from it, so OR-ing
    // the lanes' states and one comparison tells whether any lane ended a string. Root stays 0.
    const accepting = [...Array(count).keys()].filter((s) => out[s].length > 0);
    const plain = [...Array(count).keys()].filter((s) => out[s].length === 0);
    let acceptFrom = 1;
    while (acceptFrom < Math.max(plain.length, accepting.length) * classCount) acceptFrom *= 2;
    const at = new Int32Array(count);
    plain.forEach((s, i) => (at[s] = i * classCount));
    accepting.forEach((s, i) => (at[s] = acceptFrom + i * classCount));
    const size = acceptFrom + accepting.length * classCount;
    const next = size <= 0x10000 ? new Uint16Array(size) : new Int32Array(size);
    for (let s = 0; s < count; s++)
      for (let c = 0; c < classCount; c++) next[at[s] + c] = at[delta[s * classCount + c]];
    this.next = next;
    this.acceptFrom = acceptFrom;
    this.ends = accepting.map((s) => out[s].sort((a, b) => a - b));
  }

  /** A new streaming scan over this set. */
  scan(): ByteStringScan {
    return new ByteStringScan(this);
  }
}

/**
 * One stream's scan: feed chunks in order; a string split across chunks is
 * found because the automaton's state carries over (no bytes are kept).
 */
export class ByteStringScan {
  private state = 0;
  private readonly found: Uint8Array;
  private foundCount = 0;
  /** Accepting states already reported, so a file full of one string costs one report. */
  private readonly reported: Uint8Array;

  constructor(private readonly m: ByteStringMatcher) {
    this.found = new Uint8Array(m.strings.length);
    this.reported = new Uint8Array(m.ends.length * m.classCount);
  }

  /** Every string has been found: further bytes cannot change the result. */
  get complete(): boolean {
    return this.foundCount === this.m.strings.length;
  }

  feed(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.complete) return;
    const lane = Math.floor(chunk.length / LANES);
    this.state = lane > this.m.longest ? this.lanes(chunk, lane) : this.run(chunk, 0, chunk.length, this.state);
  }

  /** The strings found so far, sorted. */
  results(): string[] {
    return this.m.strings.filter((_, i) => this.found[i] === 1).sort();
  }

  private report(s: number): void {
    const at = s - this.m.acceptFrom;
    if (this.reported[at] === 1) return;
    this.reported[at] = 1;
    for (const i of this.m.ends[at / this.m.classCount]) {
      if (this.found[i] === 0) {
        this.found[i] = 1;
        this.foundCount++;
      }
    }
  }

  private run(bytes: Uint8Array, from: number, to: number, state: number): number {
    const { next, classes, acceptFrom } = this.m;
    let s = state;
    for (let i = from; i < to; i++) {
      s = next[s + classes[bytes[i]]];
      if (s >= acceptFrom) this.report(s);
    }
    return s;
  }

  /**
   * The chunk in four lanes stepped together: lane 0 continues the carried
   * state over the first quarter; lane k (1-3) starts at the root `longest`
   * bytes before quarter k, which puts it in the exact state at the quarter's
   * start (a state is a suffix of at most `longest` bytes), and runs to the
   * quarter's end. Matches seen in that warm-up, or by lane 0 running on into
   * quarter 1 (all lanes take the same steps), are real, and a found set does
   * not mind duplicates. Lane 3's state is exact, so it finishes the chunk.
   */
  private lanes(bytes: Uint8Array, lane: number): number {
    const { next, classes, acceptFrom } = this.m;
    const w = this.m.longest;
    const b1 = lane - w;
    const b2 = 2 * lane - w;
    const b3 = 3 * lane - w;
    const steps = lane + w;
    let s0 = this.state;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < steps; i++) {
      s0 = next[s0 + classes[bytes[i]]];
      s1 = next[s1 + classes[bytes[b1 + i]]];
      s2 = next[s2 + classes[bytes[b2 + i]]];
      s3 = next[s3 + classes[bytes[b3 + i]]];
      if ((s0 | s1 | s2 | s3) >= acceptFrom) {
        if (s0 >= acceptFrom) this.report(s0);
        if (s1 >= acceptFrom) this.report(s1);
        if (s2 >= acceptFrom) this.report(s2);
        if (s3 >= acceptFrom) this.report(s3);
      }
    }
    return this.run(bytes, 4 * lane, bytes.length, s3);
  }
}
