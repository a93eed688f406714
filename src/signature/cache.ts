// The per-binary facts cache: least-recently-used, bounded by the BYTES its
// entries hold (not their count: one entry's version strings and signer names
// can be large), keyed by file identity (dev, inode, size, mtime, ctime), so
// any write to the file (which moves ctime, even when mtime is restored) or a
// new file at the path misses. Entries also age out, for systems where ctime
// can be set by the file's owner (Windows).
import type { FileFacts } from './policy.js';

/** A conservative estimate of what an entry holds in memory (UTF-16 strings, object overhead). */
export function factsBytes(key: string, f: FileFacts): number {
  let n = 256 + key.length * 2;
  const s = (x: string | null) => (x === null ? 0 : 40 + x.length * 2);
  n += s(f.sha256);
  if (f.version) for (const [k, v] of Object.entries(f.version)) n += s(k) + s(v);
  for (const sig of f.signatures)
    n += 64 + s(sig.signerSubject) + s(sig.signerIssuer) + s(sig.digestAlgorithm) + s(sig.timestamp);
  for (const m of f.minerStrings) n += s(m);
  n += f.reasons.length * 16;
  return n;
}

interface Entry {
  readonly facts: FileFacts;
  readonly bytes: number;
  readonly at: number;
}

export class FactsCache {
  // Map keeps insertion order: re-inserting on access makes the first key the least recently used.
  private readonly map = new Map<string, Entry>();
  private held = 0;

  constructor(
    readonly maxBytes: number,
    readonly maxAgeMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get(key: string): FileFacts | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.map.delete(key);
    if (this.now() - e.at > this.maxAgeMs) {
      this.held -= e.bytes;
      return undefined;
    }
    this.map.set(key, e);
    return e.facts;
  }

  set(key: string, facts: FileFacts): void {
    const bytes = factsBytes(key, facts);
    const old = this.map.get(key);
    if (old) {
      this.map.delete(key);
      this.held -= old.bytes;
    }
    if (bytes > this.maxBytes) return;
    this.map.set(key, { facts, bytes, at: this.now() });
    this.held += bytes;
    for (const [k, e] of this.map) {
      if (this.held <= this.maxBytes) break;
      this.map.delete(k);
      this.held -= e.bytes;
    }
  }

  get size(): number {
    return this.map.size;
  }

  /** Bytes held, by the estimate above. */
  get bytes(): number {
    return this.held;
  }
}
