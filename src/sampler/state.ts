// History that survives an extension restart: the store is written to a
// state file (atomic write-and-rename, mode 0600) and read back on start for
// processes whose identity (pid, start time) still matches a live process.
// A corrupt or foreign file is reported and ignored, never fatal.
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createGunzip, gzip } from 'node:zlib';
import { z } from 'zod';
import { BoundedReadError, readBoundedFile } from '../config/bounded-read.js';
import { adoptConnection } from './connections.js';
import { adoptLineage } from './lineage.js';
import { type HistoryStore, ProcessEntry, identityKey } from './store.js';
import { RING_COLUMN_WIDTHS, type RingColumns } from './ring.js';
import type { ProcessRecord } from './source.js';

export const STATE_MAGIC = 'an1489-sampler-state';
/** 2: sample columns as base64 typed-array bytes (1 wrote JSON numbers: 40 MB and 0.6 s per save at 2,000 processes). */
export const STATE_VERSION = 2;
export const STATE_FILE_NAME = 'sampler-state.json.gz';
/**
 * Largest state read back, compressed or not. The largest store the defaults
 * allow (4,000 processes x 361 samples) writes ~62 MB of JSON; anything past
 * the cap is refused unread, so start-up costs at most this much.
 */
export const MAX_STATE_BYTES = 128 * 1024 * 1024;

/**
 * Where state lives unless told otherwise: $AN1489_STATE_DIR; else
 * %ProgramData%\an1489 on Windows (osqueryd runs as SYSTEM), ~/Library/Application
 * Support/an1489 on macOS, $XDG_STATE_HOME/an1489 or ~/.local/state/an1489 elsewhere.
 */
export function defaultStateDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.AN1489_STATE_DIR) return env.AN1489_STATE_DIR;
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'an1489');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'an1489');
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'an1489');
}

const num = z.number().finite();
const nullableNum = num.nullable();
const Identity = z.object({
  pid: z.number().int().nonnegative(),
  startTime: num,
  name: z.string(),
  path: z.string(),
  cmdline: z.string().nullable(),
});
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
const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
/** Host byte order: a state file is read back on the machine that wrote it. */
const Samples = z
  .object({
    littleEndian: z.boolean(),
    count: z.number().int().nonnegative().max(1_000_000),
    wallSec: b64,
    dt: b64,
    cpu: b64,
    user: b64,
    sys: b64,
    rssKb: b64,
    threads: b64,
  })
  .transform((s, ctx) => {
    const cols = {} as Record<keyof typeof RING_COLUMN_WIDTHS, Buffer>;
    for (const [name, width] of Object.entries(RING_COLUMN_WIDTHS) as [keyof typeof RING_COLUMN_WIDTHS, number][]) {
      const buf = Buffer.from(s[name], 'base64');
      if (buf.length !== s.count * width) {
        ctx.addIssue({
          code: 'custom',
          message: `column ${name} holds ${buf.length} bytes, expected ${s.count * width}`,
          path: [name],
        });
        return z.NEVER;
      }
      cols[name] = buf;
    }
    if (s.littleEndian !== LITTLE_ENDIAN) {
      ctx.addIssue({ code: 'custom', message: 'written on a machine of the other byte order', path: ['littleEndian'] });
      return z.NEVER;
    }
    return { count: s.count, ...cols } satisfies RingColumns;
  });
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
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
export type StateFileData = z.input<typeof StateFile>;
type ParsedState = z.output<typeof StateFile>;

/** The store as a state document (live processes only: exited ones cannot match on restart). */
export function snapshotStore(store: HistoryStore, savedMonoMs: number): StateFileData {
  const entries: z.input<typeof Entry>[] = [];
  for (const e of store.all()) {
    if (e.exited) continue;
    let samples: z.input<typeof Samples> | null = null;
    if (e.history !== null) {
      const c = e.history.toColumns();
      const enc = (b: Buffer) => b.toString('base64');
      samples = {
        littleEndian: LITTLE_ENDIAN,
        count: c.count,
        wallSec: enc(c.wallSec),
        dt: enc(c.dt),
        cpu: enc(c.cpu),
        user: enc(c.user),
        sys: enc(c.sys),
        rssKb: enc(c.rssKb),
        threads: enc(c.threads),
      };
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

const gzipP = promisify(gzip);

/**
 * Writes the state atomically: a private temp file, fsync, then rename over
 * the old one. Gzipped (level 1, on libuv's thread pool, off the event loop):
 * typed-array columns shrink ~10x, 2,000 processes x 360 samples to ~4 MB.
 */
export async function writeStateFile(dir: string, data: StateFileData): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const target = join(dir, STATE_FILE_NAME);
  const temp = join(dir, `.${STATE_FILE_NAME}.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(await gzipP(JSON.stringify(data), { level: 1 }));
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

/**
 * Gunzips a state file on the thread pool, stopping as soon as the output
 * passes `maxBytes` or does not begin like a JSON object: a bomb of zeros is
 * refused at its first block, and nothing past the cap is ever held.
 */
function gunzipJson(raw: Buffer, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = createGunzip();
    const chunks: Buffer[] = [];
    let total = 0;
    let opened = false;
    const stop = (message: string) => {
      z.destroy();
      reject(new Error(message));
    };
    z.on('data', (chunk: Buffer) => {
      if (!opened) {
        const first = chunk.findIndex((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
        if (first === -1 ? total + chunk.length > 4096 : chunk[first] !== 0x7b)
          return stop('its content is not a JSON object');
        opened = first !== -1;
      }
      total += chunk.length;
      if (total > maxBytes) return stop(`it inflates past the ${maxBytes} bytes allowed`);
      chunks.push(chunk);
    });
    z.on('error', (e) => reject(e));
    z.on('end', () => resolve(Buffer.concat(chunks, total)));
    z.end(raw);
  });
}

export type LoadResult = { ok: true; data: ParsedState } | { ok: false; missing: boolean; reason: string };

/**
 * Reads and validates the state file; never throws. The file is judged on its
 * open descriptor: a FIFO, device or symlink there (we write by rename, so
 * never one of those) is refused without blocking, and neither the file nor
 * its decompressed text may exceed MAX_STATE_BYTES.
 */
export async function readStateFile(dir: string, maxBytes: number = MAX_STATE_BYTES): Promise<LoadResult> {
  const path = join(dir, STATE_FILE_NAME);
  let text: string;
  try {
    const raw = await readBoundedFile(path, { maxBytes, noFollow: true });
    // gzip as written; plain JSON is accepted too (a hand-made or unpacked file).
    text = (raw[0] === 0x1f && raw[1] === 0x8b ? await gunzipJson(raw, maxBytes) : raw).toString('utf8');
  } catch (e) {
    const code = e instanceof BoundedReadError ? e.code : (e as NodeJS.ErrnoException).code;
    const reason =
      e instanceof BoundedReadError ? e.message : `${path} is not a readable gzip file (${(e as Error).message})`;
    return { ok: false, missing: code === 'ENOENT', reason };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, missing: false, reason: `${path} is not JSON (${(e as Error).message})` };
  }
  const head = z.object({ magic: z.string(), version: z.number() }).safeParse(json);
  if (!head.success || head.data.magic !== STATE_MAGIC)
    return { ok: false, missing: false, reason: `${path} is not an an1489 sampler state file` };
  if (head.data.version !== STATE_VERSION)
    return {
      ok: false,
      missing: false,
      reason: `${path} has state version ${head.data.version}; this build reads ${STATE_VERSION}`,
    };
  const parsed = StateFile.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return {
      ok: false,
      missing: false,
      reason: `${path} has the wrong shape at ${i?.path.join('.') || '(root)'}: ${i?.message ?? 'invalid'}`,
    };
  }
  return { ok: true, data: parsed.data };
}

/**
 * Puts saved history back for processes still alive with the same identity.
 * Returns how many were restored. The saved monotonic reading lets the first
 * delta after a restart span the restart; from another boot (monotonic went
 * backwards) the counters are rebased instead.
 */
export function restoreStore(
  store: HistoryStore,
  data: ParsedState,
  live: readonly ProcessRecord[],
  nowMonoMs: number,
): number {
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
    adoptLineage(e, s.ancestors);
    e.lastSeenWallMs = s.lastSeenWallMs;
    e.lastMonoMs = sameBoot ? s.lastMonoMs : null;
    e.lastCpuMs = sameBoot ? s.lastCpuMs : null;
    e.interest = s.interest;
    for (const c of s.connections) adoptConnection(e, { ...c });
    store.adopt(e, s.samples);
    restored++;
  }
  return restored;
}
