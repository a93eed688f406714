// Linux process source reading /proc directly (standalone mode, or by
// choice). Every tick reads /proc/<pid>/stat only; status, exe and cmdline are
// read once per identity (and again after an exec changes the name), because
// a tick must cost about what reading the stat files alone costs.
//
// Reads are synchronous on purpose: a thousand tiny procfs reads cost far
// more as a thousand promises than as one short loop (~10 ms), and the
// sampler runs off the query path.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import type { ProcessRecord, ProcessSample, ProcessSource, SampleOptions, SocketRecord } from './source.js';
import { monotonicMs } from './clock.js';
import { readProcText } from './proc-read.js';

const execFileP = promisify(execFile);

/** Reads a getconf variable through execFile (no shell); null when unavailable. */
async function getconf(name: string): Promise<number | null> {
  try {
    const { stdout } = await execFileP('getconf', [name], { timeout: 5_000 });
    const n = Number.parseInt(stdout.trim(), 10);
    return Number.isFinite(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** The fields of /proc/<pid>/stat the sampler needs. */
export interface StatFields {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  readonly utimeTicks: number;
  readonly stimeTicks: number;
  readonly threads: number;
  readonly startTicks: number;
  readonly rssPages: number;
}

/** Bit n set: field n of stat is one we keep. */
const WANTED_FIELDS = (1 << 4) | (1 << 14) | (1 << 15) | (1 << 20) | (1 << 22) | (1 << 24);
/** Scratch for parseStat (reused: it runs ~1,000 times a tick). */
const FIELD_VALUES = new Float64Array(25);

/**
 * Parses a stat line. comm may hold spaces and parentheses, so it runs from
 * the first '(' to the LAST ')'; the numbered fields follow.
 */
export function parseStat(text: string): StatFields | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number.parseInt(text.slice(0, open), 10);
  if (!Number.isInteger(pid)) return null;
  // One pass over the fields after comm, accumulating the numbers we keep
  // digit by digit: no split, no substrings (this runs for every process on
  // every tick, and garbage here is what makes a tick cost more than the reads).
  // Field 3 (state) starts at close + 2.
  const v = FIELD_VALUES;
  let field = 3;
  let value = 0;
  let negative = false;
  let valid = false;
  for (let i = close + 2; i <= text.length && field <= 24; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (c === 32 || c === 10) {
      if ((WANTED_FIELDS >>> field) & 1) {
        if (!valid) return null;
        v[field] = negative ? -value : value;
      }
      field++;
      value = 0;
      negative = false;
      valid = false;
    } else if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      valid = true;
    } else if (c === 45 && !valid) {
      negative = true;
    } else if ((WANTED_FIELDS >>> field) & 1) {
      return null; // a kept field that is not a number
    }
  }
  if (field <= 24) return null;
  return {
    pid,
    comm: text.slice(open + 1, close),
    ppid: v[4],
    utimeTicks: v[14],
    stimeTicks: v[15],
    threads: v[20],
    startTicks: v[22],
    rssPages: v[24],
  };
}

const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
  '0C': 'NEW_SYN_RECV',
};

/** A /proc/net address: hex, each 32-bit word in host (little-endian) order. */
export function decodeProcNetAddress(hex: string): { address: string; family: 4 | 6 } | null {
  const word = (h: string) => {
    const n = Number.parseInt(h, 16);
    return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  };
  if (/^[0-9A-Fa-f]{8}$/.test(hex)) return { address: word(hex).join('.'), family: 4 };
  if (!/^[0-9A-Fa-f]{32}$/.test(hex)) return null;
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...word(hex.slice(i, i + 8)));
  return { address: formatIPv6(bytes), family: 6 };
}

/** RFC 5952 text for 16 bytes; IPv4-mapped addresses keep their dotted tail. */
export function formatIPv6(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** A socket as /proc/net lists it: the inode stands where the pid will be, once fd links map it. */
export interface ProcNetEntry extends Omit<SocketRecord, 'pid'> {
  readonly inode: number;
}

/** Parses /proc/net/{tcp,tcp6,udp,udp6} text; malformed lines are skipped. */
export function parseProcNet(text: string, protocol: 'tcp' | 'udp'): ProcNetEntry[] {
  const out: ProcNetEntry[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    if (f.length < 10) continue;
    const [la, lp] = f[1].split(':');
    const [ra, rp] = f[2].split(':');
    const local = decodeProcNetAddress(la ?? '');
    const remote = decodeProcNetAddress(ra ?? '');
    const inode = Number(f[9]);
    if (local === null || remote === null || !Number.isInteger(inode)) continue;
    out.push({
      protocol,
      family: local.family,
      localAddress: local.address,
      localPort: Number.parseInt(lp ?? '', 16) || 0,
      remoteAddress: remote.address,
      remotePort: Number.parseInt(rp ?? '', 16) || 0,
      state: protocol === 'tcp' ? (TCP_STATES[f[3].toUpperCase()] ?? '') : '',
      inode,
    });
  }
  return out;
}

interface Details {
  readonly startTicks: number;
  /** The sample() call that last saw the pid, to forget exited ones without a per-tick Set. */
  seen: number;
  comm: string;
  path: string;
  user: string;
  cmdline: string | null;
}

function gone(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  // The process exited between readdir and read (ENOENT/ESRCH), or is not
  // ours to read (EACCES/EPERM): skip it, never fail the tick.
  return code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES' || code === 'EPERM' || code === 'EINVAL';
}

const readWhole = (path: string): string => readFileSync(path, 'utf8');

/** Reads a file, or null when the process has gone; readProcText for the small per-tick stat files. */
function tryRead(path: string, read: (path: string) => string = readWhole): string | null {
  try {
    return read(path);
  } catch (e) {
    if (gone(e)) return null;
    throw e;
  }
}

function tryReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

export interface ProcfsSourceOptions {
  /** The procfs mount; '/proc' normally (tests may point elsewhere). */
  readonly root?: string;
}

export class ProcfsSource implements ProcessSource {
  readonly name = 'procfs';
  private readonly root: string;
  private clkTck = 100;
  private pageSize = 4096;
  private bootTimeSec = 0;
  private ready: Promise<void> | null = null;
  private samples = 0;
  private readonly details = new Map<number, Details>();
  private users: Map<number, string> | null = null;
  /** socket inode -> pid, from the last scan of /proc/<pid>/fd. */
  private inodeOwner = new Map<number, number>();
  private unresolved = new Set<number>();

  constructor(options: ProcfsSourceOptions = {}) {
    this.root = options.root ?? '/proc';
  }

  /** Reads the constants once: CLK_TCK, page size and boot time. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      this.clkTck = (await getconf('CLK_TCK')) ?? 100;
      this.pageSize = (await getconf('PAGESIZE')) ?? 4096;
      const stat = tryRead(`${this.root}/stat`) ?? '';
      const m = /^btime\s+(\d+)/m.exec(stat);
      if (m === null) throw new Error(`${this.root}/stat has no btime line; is procfs mounted?`);
      this.bootTimeSec = Number(m[1]);
    })();
    return this.ready;
  }

  private userName(uid: number): string {
    if (this.users === null) {
      this.users = new Map();
      for (const line of (tryRead('/etc/passwd') ?? '').split('\n')) {
        const f = line.split(':');
        if (f.length >= 3 && /^\d+$/.test(f[2])) this.users.set(Number(f[2]), f[0]);
      }
    }
    return this.users.get(uid) ?? String(uid);
  }

  private readDetails(pid: number, st: StatFields, wantCmdline: boolean): Details {
    const dir = `${this.root}/${pid}`;
    const status = tryRead(`${dir}/status`) ?? '';
    const uid = /^Uid:\s+(\d+)/m.exec(status);
    const raw = wantCmdline ? tryRead(`${dir}/cmdline`) : null;
    return {
      startTicks: st.startTicks,
      seen: this.samples,
      comm: st.comm,
      path: tryReadlink(`${dir}/exe`).replace(/ \(deleted\)$/, ''),
      user: uid ? this.userName(Number(uid[1])) : '',
      // Arguments are NUL-separated; a trailing NUL ends the list.
      cmdline: raw === null ? null : raw.replace(/\0+$/, '').split('\0').join(' '),
    };
  }

  async sample(options: SampleOptions = {}): Promise<ProcessSample> {
    await this.init();
    const wallMs = Date.now();
    const mono = monotonicMs();
    const msPerTick = 1000 / this.clkTck;
    const processes: ProcessRecord[] = [];
    const stamp = ++this.samples;
    for (const entry of readdirSync(this.root)) {
      const c = entry.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(entry);
      const text = tryRead(`${this.root}/${entry}/stat`, readProcText);
      if (text === null) continue;
      const st = parseStat(text);
      if (st === null) continue;
      const startTime = this.bootTimeSec + Math.floor(st.startTicks / this.clkTck);
      let d = this.details.get(pid);
      if (d === undefined || d.startTicks !== st.startTicks || d.comm !== st.comm) {
        // New identity, or exec changed the program: read the rest once.
        d = this.readDetails(pid, st, options.needCmdline?.(pid, startTime) ?? true);
        this.details.set(pid, d);
      } else if (d.cmdline === null && (options.needCmdline?.(pid, startTime) ?? true)) {
        const raw = tryRead(`${this.root}/${pid}/cmdline`);
        d.cmdline = raw === null ? null : raw.replace(/\0+$/, '').split('\0').join(' ');
      }
      d.seen = stamp;
      processes.push({
        pid,
        ppid: st.ppid,
        startTime,
        name: st.comm,
        path: d.path,
        cmdline: d.cmdline,
        user: d.user,
        userTimeMs: st.utimeTicks * msPerTick,
        systemTimeMs: st.stimeTicks * msPerTick,
        residentBytes: st.rssPages * this.pageSize,
        threads: st.threads,
      });
    }
    for (const [pid, d] of this.details) if (d.seen !== stamp) this.details.delete(pid);
    const sockets = options.sockets === false ? [] : this.readSockets(new Set(processes.map((p) => p.pid)));
    return { wallMs, monotonicMs: mono, processes, sockets };
  }

  /** Sockets with their owning pid; fd links are rescanned only when unknown inodes appear. */
  private readSockets(alive: ReadonlySet<number>): SocketRecord[] {
    const entries: ProcNetEntry[] = [];
    for (const [file, protocol] of [
      ['tcp', 'tcp'],
      ['tcp6', 'tcp'],
      ['udp', 'udp'],
      ['udp6', 'udp'],
    ] as const) {
      const text = tryRead(`${this.root}/net/${file}`);
      if (text !== null) entries.push(...parseProcNet(text, protocol));
    }
    const unknown = entries.some(
      (e) => e.inode !== 0 && !this.inodeOwner.has(e.inode) && !this.unresolved.has(e.inode),
    );
    if (unknown) this.scanFds(alive, entries);
    const out: SocketRecord[] = [];
    for (const e of entries) {
      const pid = this.inodeOwner.get(e.inode);
      if (pid === undefined || !alive.has(pid)) continue;
      out.push({
        pid,
        protocol: e.protocol,
        family: e.family,
        localAddress: e.localAddress,
        localPort: e.localPort,
        remoteAddress: e.remoteAddress,
        remotePort: e.remotePort,
        state: e.state,
      });
    }
    return out;
  }

  private scanFds(alive: ReadonlySet<number>, entries: readonly ProcNetEntry[]): void {
    const owner = new Map<number, number>();
    for (const pid of alive) {
      let fds: string[];
      try {
        fds = readdirSync(`${this.root}/${pid}/fd`);
      } catch {
        continue; // exited, or not ours to read
      }
      for (const fd of fds) {
        const link = tryReadlink(`${this.root}/${pid}/fd/${fd}`);
        if (link.startsWith('socket:[')) {
          const inode = Number(link.slice(8, -1));
          // A socket shared by a parent and its child: the first (lowest) pid keeps it.
          if (!owner.has(inode)) owner.set(inode, pid);
        }
      }
    }
    this.inodeOwner = owner;
    this.unresolved = new Set(entries.filter((e) => e.inode !== 0 && !owner.has(e.inode)).map((e) => e.inode));
  }
}
