// Connection history: each remote endpoint a live process was seen talking
// to, with when it was first and last seen, bounded per process. Fed the
// sockets of each sample by the store; read by process_connection_history.
import type { SocketRecord } from './source.js';

export interface ConnectionHistory {
  readonly protocol: 'tcp' | 'udp';
  localAddress: string;
  localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  firstWallMs: number;
  lastWallMs: number;
  firstMonoMs: number;
  lastMonoMs: number;
  samples: number;
  state: string;
}

export type Connections = ReadonlyMap<string, ConnectionHistory>;

/** Shared by every process that never connected (most never do; an empty Map costs ~500 heap bytes). */
export const NO_CONNECTIONS: Connections = new Map();

/** What connection history needs of a process. */
export interface Connected {
  readonly pid: number;
  connections: Connections;
}

/** One endpoint per (protocol, remote address, remote port): a reconnect from a new local port is the same connection. */
export function connectionKey(c: Pick<ConnectionHistory, 'protocol' | 'remoteAddress' | 'remotePort'>): string {
  return `${c.protocol}|${c.remoteAddress}|${c.remotePort}`;
}

function writable(owner: Connected): Map<string, ConnectionHistory> {
  if (owner.connections === NO_CONNECTIONS) owner.connections = new Map();
  return owner.connections as Map<string, ConnectionHistory>;
}

/** Puts a saved connection back (state restore). */
export function adoptConnection(owner: Connected, c: ConnectionHistory): void {
  writable(owner).set(connectionKey(c), c);
}

/** Records one sample's sockets against the live processes that own them. */
export function recordSockets(
  sockets: readonly SocketRecord[],
  live: ReadonlyMap<number, Connected>,
  wall: number,
  mono: number,
  maxPerProcess: number,
): void {
  for (const s of sockets) {
    // Listening sockets and sockets without a remote end are not connections.
    if (s.state === 'LISTEN' || s.remotePort === 0 || isUnspecified(s.remoteAddress)) continue;
    const e = live.get(s.pid);
    if (e === undefined) continue;
    const key = connectionKey(s);
    let c = e.connections.get(key);
    if (c === undefined) {
      const m = writable(e);
      if (m.size >= maxPerProcess) {
        let oldest: string | null = null;
        let oldestWall = Infinity;
        for (const [k, v] of m) if (v.lastWallMs < oldestWall) [oldest, oldestWall] = [k, v.lastWallMs];
        if (oldest !== null) m.delete(oldest);
      }
      c = {
        protocol: s.protocol,
        localAddress: s.localAddress,
        localPort: s.localPort,
        remoteAddress: s.remoteAddress,
        remotePort: s.remotePort,
        firstWallMs: wall,
        lastWallMs: wall,
        firstMonoMs: mono,
        lastMonoMs: mono,
        samples: 0,
        state: s.state,
      };
      m.set(key, c);
    }
    // Same text, same string: a fresh copy each tick would outlive the young generation.
    if (c.localAddress !== s.localAddress) c.localAddress = s.localAddress;
    c.localPort = s.localPort;
    c.lastWallMs = wall;
    c.lastMonoMs = Math.max(c.lastMonoMs, mono);
    c.samples++;
    if (c.state !== s.state) c.state = s.state;
  }
}

/** Approximate heap bytes of one process's connection history. */
export function connectionBytes(connections: Connections, str: (s: string) => number): number {
  let bytes = 0;
  for (const c of connections.values()) bytes += 200 + str(c.localAddress) + str(c.remoteAddress);
  return bytes;
}

function isUnspecified(address: string): boolean {
  return address === '' || address === '0.0.0.0' || address === '::' || address === '*' || /^0+(:0+)*$/.test(address);
}
