// History that survives an extension restart: the store is written to a
// state file (atomic write-and-rename, mode 0600) and read back on start for
// processes whose identity (pid, start time) still matches a live process.
// A corrupt or foreign file is reported and ignored, never fatal.
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { launchVector } from '../intel/launch-vectors.js';
import { HistoryStore, ProcessEntry, identityKey, type ConnectionHistory } from './store.js';
import type { SampleValues } from './ring.js';
import type { ProcessRecord } from './source.js';

export const STATE_MAGIC = 'an1489-sampler-state';
export const STATE_VERSION = 1;
export const STATE_FILE_NAME = 'sampler-state.json';

/**
 * Where state lives unless told otherwise: $AN1489_STATE_DIR; else
 * %ProgramData%\an1489 on Windows (osqueryd runs as SYSTEM), ~/Library/Application
 * Support/an1489 on macOS, $XDG_STATE_HOME/an1489 or ~/.local/state/an1489 elsewhere.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.AN1489_STATE_DIR) return env.AN1489_STATE_DIR;
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'an1489');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'an1489');
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'an1489');
}

const num = z.number().finite();
const nullableNum = num.nullable();
const Identity = z.object({ pid: z.number().int().nonnegative(), startTime: num, name: z.string(), path: z.string(), cmdline: z.string().nullable() });
const Connection = z.object({
  protocol: z.enum(['tcp', 'udp']),
  localAddress: z.string(),
  localPort: z.number().int().min(0).max(65535),
  remoteAddress: z.string(),
  remotePort: z.number().int().min(0).max(65535),
  firstWallMs: num,
  lastWallMs: num,
  firstMonoMs: num,
  lastMonoMs: num,
  samples: z.number().int().nonnegative(),
  state: z.string(),
});
const Samples = z
  .object({
    wallSec: z.array(num),
    dtSec: z.array(num.nonnegative()),
    cpu: z.array(nullableNum),
    user: z.array(nullableNum),
    sys: z.array(nullableNum),
    rss: z.array(nullableNum),
    threads: z.array(nullableNum),
  })
  .refine((s) => [s.dtSec, s.cpu, s.user, s.sys, s.rss, s.threads].every((a) => a.length === s.wallSec.length), 'sample columns differ in length');
const Entry = Identity.extend({
  ppid: z.number().int(),
  user: z.string(),
  ancestors: z.array(Identity).max(64),
  firstSeenWallMs: num,
  lastSeenWallMs: num,
  lastMonoMs: nullableNum,
  lastCpuMs: nullableNum,
  interest: num,
  samples: Samples.nullable(),
  connections: z.array(Connection),
});
export const StateFile = z.object({
  magic: z.literal(STATE_MAGIC),
  version: z.literal(STATE_VERSION),
  savedWallMs: num,
  savedMonoMs: num,
  entries: z.array(Entry),
});
export type StateFileData = z.infer<typeof StateFile>;

/** The store as a state document (live processes only: exited ones cannot match on restart). */
export function snapshotStore(store: HistoryStore, savedMonoMs: number): StateFileData {
  const entries: z.infer<typeof Entry>[] = [];
  for (const e of store.all()) {
    if (e.exited) continue;
    let samples: z.infer<typeof Samples> | null = null;
    if (e.history !== null) {
      samples = { wallSec: [], dtSec: [], cpu: [], user: [], sys: [], rss: [], threads: [] };
      for (let k = 0; k < e.history.length; k++) {
        const s = e.history.at(k);
        samples.wallSec.push(s.wallSec);
        samples.dtSec.push(s.dtSec);
        samples.cpu.push(s.cpuPercent);
        samples.user.push(s.userTimeMs);
        samples.sys.push(s.systemTimeMs);
        samples.rss.push(s.residentBytes);
        samples.threads.push(s.threads);
      }
    }
    entries.push({
      pid: e.pid,
      startTime: e.startTime,
      name: e.name,
      path: e.path,
      cmdline: e.cmdline,
      ppid: e.ppid,
      user: e.user,
      ancestors: e.ancestors.map((a) => ({ ...a })),
      firstSeenWallMs: e.firstSeenWallMs,
      lastSeenWallMs: e.lastSeenWallMs,
      lastMonoMs: e.lastMonoMs,
      lastCpuMs: e.lastCpuMs,
      interest: e.interest,
      samples,
      connections: [...e.connections.values()].map((c) => ({ ...c })),
    });
  }
  return { magic: STATE_MAGIC, version: STATE_VERSION, savedWallMs: store.lastWallMs, savedMonoMs, entries };
}

/** Writes the state atomically: a private temp file, fsync, then rename over the old one. */
export async function writeStateFile(dir: string, data: StateFileData): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const target = join(dir, STATE_FILE_NAME);
  const temp = join(dir, `.${STATE_FILE_NAME}.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(data));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, target);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  return target;
}

export type LoadResult = { ok: true; data: StateFileData } | { ok: false; missing: boolean; reason: string };

/** Reads and validates the state file; never throws. */
export async function readStateFile(dir: string): Promise<LoadResult> {
  const path = join(dir, STATE_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === 'ENOENT', reason: `cannot read ${path}: ${code ?? (e as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, missing: false, reason: `${path} is not JSON (${(e as Error).message})` };
  }
  const head = z.object({ magic: z.string(), version: z.number() }).safeParse(json);
  if (!head.success || head.data.magic !== STATE_MAGIC) return { ok: false, missing: false, reason: `${path} is not an an1489 sampler state file` };
  if (head.data.version !== STATE_VERSION) return { ok: false, missing: false, reason: `${path} has state version ${head.data.version}; this build reads ${STATE_VERSION}` };
  const parsed = StateFile.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return { ok: false, missing: false, reason: `${path} has the wrong shape at ${i?.path.join('.') || '(root)'}: ${i?.message ?? 'invalid'}` };
  }
  return { ok: true, data: parsed.data };
}

/**
 * Puts saved history back for processes still alive with the same identity.
 * Returns how many were restored. The saved monotonic reading lets the first
 * delta after a restart span the restart; from another boot (monotonic went
 * backwards) the counters are rebased instead.
 */
export function restoreStore(store: HistoryStore, data: StateFileData, live: readonly ProcessRecord[], nowMonoMs: number): number {
  const liveKeys = new Map(live.map((r) => [identityKey(r.pid, r.startTime, r.name), r]));
  const sameBoot = data.savedMonoMs <= nowMonoMs;
  let restored = 0;
  for (const s of data.entries) {
    const r = liveKeys.get(identityKey(s.pid, s.startTime, s.name));
    if (r === undefined) continue;
    const e = new ProcessEntry(s.pid, s.startTime, r, s.firstSeenWallMs);
    e.name = s.name;
    e.path = s.path || r.path;
    e.cmdline = s.cmdline ?? r.cmdline;
    e.user = s.user || r.user;
    e.ancestors = s.ancestors;
    e.launchVector = launchVector(e.ancestors);
    e.lineageResolved = true;
    e.lastSeenWallMs = s.lastSeenWallMs;
    e.lastMonoMs = sameBoot ? s.lastMonoMs : null;
    e.lastCpuMs = sameBoot ? s.lastCpuMs : null;
    e.interest = s.interest;
    for (const c of s.connections) {
      const conn: ConnectionHistory = { ...c };
      e.connections.set(`${c.protocol}|${c.remoteAddress}|${c.remotePort}`, conn);
    }
    const samples: SampleValues[] = [];
    if (s.samples !== null) {
      const a = s.samples;
      for (let k = 0; k < a.wallSec.length; k++) {
        samples.push({ wallSec: a.wallSec[k], dtSec: a.dtSec[k], cpuPercent: a.cpu[k], userTimeMs: a.user[k], systemTimeMs: a.sys[k], residentBytes: a.rss[k], threads: a.threads[k] });
      }
    }
    store.adopt(e, samples);
    restored++;
  }
  return restored;
}
