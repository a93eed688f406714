// Text many hosts share (paths, command lines, signers, versions), held once
// for the whole replay: a fleet's hosts run mostly the same programs, and a
// copy per host is most of what a host's state costs. Bounded in total
// characters, so a log of unique text costs at most the budget.

/** Longest text worth sharing; longer text is kept as it is. */
const MAX_LENGTH = 4096;

export class Interner {
  private readonly pool = new Map<string, string>();
  private chars = 0;

  constructor(private readonly maxChars = 4_000_000) {}

  /** Characters held (at most the budget). */
  get heldChars(): number {
    return this.chars;
  }

  /** The held copy of `text`, or `text` itself (now held, while the budget lasts). */
  readonly intern = (text: string): string => {
    if (text.length > MAX_LENGTH) return text;
    const held = this.pool.get(text);
    if (held !== undefined) return held;
    if (this.chars + text.length <= this.maxChars) {
      this.pool.set(text, text);
      this.chars += text.length;
    }
    return text;
  };

  /** Replaces a row's values, in place, by their held copies (the row is the caller's own parse result). */
  row<T extends Readonly<Record<string, string>>>(r: T): T {
    const w = r as Record<string, string>;
    for (const k in w) w[k] = this.intern(w[k]);
    return r;
  }
}
