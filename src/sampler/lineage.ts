// Remembered lineage: each process's ancestors, captured while they are alive
// so that a child keeps them after its parent exits (a miner's launcher often
// does), and the launch vector read from them.
import { launchVector, type LaunchVector } from '../intel/launch-vectors.js';

export interface RememberedIdentity {
  readonly pid: number;
  readonly startTime: number;
  readonly name: string;
  readonly path: string;
  readonly cmdline: string | null;
}

export const MAX_ANCESTORS = 16;

/** What lineage needs of a process (the store's ProcessEntry). */
export interface LineageNode extends RememberedIdentity {
  readonly ppid: number;
  readonly exited: boolean;
  /** Nearest (the parent) first. */
  ancestors: readonly RememberedIdentity[];
  launchVector: LaunchVector;
  lineageResolved: boolean;
}

/** The identity fields alone, as a child remembers its ancestor. */
export function remembered(n: RememberedIdentity): RememberedIdentity {
  return { pid: n.pid, startTime: n.startTime, name: n.name, path: n.path, cmdline: n.cmdline };
}

/** Sets a known ancestry (state restore) and the launch vector it implies. */
export function adoptLineage(n: LineageNode, ancestors: readonly RememberedIdentity[]): void {
  n.ancestors = ancestors;
  n.launchVector = launchVector(ancestors);
  n.lineageResolved = true;
}

/**
 * Captures the parent's identity and ancestry while the parent is alive
 * (looked up by pid among the live processes). A parent must not be younger
 * than its child (guards against a reused parent pid).
 */
export function resolveLineage(n: LineageNode, live: ReadonlyMap<number, LineageNode>, depth = 0): void {
  if (n.lineageResolved || depth > MAX_ANCESTORS) return;
  n.lineageResolved = true;
  const p = n.ppid !== n.pid ? live.get(n.ppid) : undefined;
  if (p !== undefined && !p.exited && (p.startTime < 0 || n.startTime < 0 || p.startTime <= n.startTime)) {
    resolveLineage(p, live, depth + 1);
    n.ancestors = chainBelow(p);
  }
  n.launchVector = launchVector(n.ancestors);
}

/** The ancestry a child of p remembers, one shared array for all of p's children while p stays the same program. */
const childChains = new WeakMap<LineageNode, readonly RememberedIdentity[]>();

function chainBelow(p: LineageNode): readonly RememberedIdentity[] {
  const held = childChains.get(p);
  if (held !== undefined && held[0].name === p.name && held[0].path === p.path && held[0].cmdline === p.cmdline) {
    const tail = Math.min(p.ancestors.length, MAX_ANCESTORS - 1);
    let same = held.length === tail + 1;
    for (let i = 0; same && i < tail; i++) same = held[i + 1] === p.ancestors[i];
    if (same) return held;
  }
  const chain = [remembered(p), ...p.ancestors].slice(0, MAX_ANCESTORS);
  childChains.set(p, chain);
  return chain;
}
