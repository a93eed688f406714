// The test manager as a process of its own, for tests that need osqueryd's
// side outside the test process: the Wine integration test (Windows Node,
// named pipe) and the soak script. Everything goes through files, because
// stdout and signals do not cross Wine reliably:
//
//   node build/test/manager/main.js --socket PATH [--state FILE] [--control FILE] [--rows FILE]
//
//   --state FILE    rewritten (atomically where the OS allows) after every event:
//                   {pid, socket, listening, extensions:[{uuid,name,version,sdk_version}],
//                    deregistered:[uuid], events:[...], results:{<id>: {ok, value|error}}}
//                   uuids are decimal strings (they exceed 2^53).
//   --control FILE  polled every 100 ms; each new line is one JSON command:
//                   {"id":"1","cmd":"restart"}   stop, then start with an empty registry
//                   {"id":"2","cmd":"stop"} / {"cmd":"start"} / {"cmd":"exit"}
//                   {"id":"3","cmd":"ping","name":"an1489"}            (or "uuid":"123")
//                   {"id":"r","cmd":"ready","name":"an1489","timeoutMs":60000}
//                                  resolves once that extension has registered AND
//                                  answers a ping on its own socket (it listens only
//                                  after registering); value {uuid, name}
//                   {"id":"4","cmd":"call","name":"an1489","registry":"table","item":"t",
//                    "request":{"action":"generate","context":"{\"constraints\":[]}"}}
//                   {"id":"5","cmd":"shutdown","name":"an1489"}        (asks the extension to stop)
//   --rows FILE     answers query(): {"queries":[{"match":"<regex>","rows":[{...}]},
//                   {"match":"<regex>","error":"message"}]}, re-read on every query so
//                   a test can change the answers; first match wins.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { TestManager, type QueryAnswer } from './manager.js';

const Args = z.object({
  socket: z.string().min(1),
  state: z.string().min(1).optional(),
  control: z.string().min(1).optional(),
  rows: z.string().min(1).optional(),
});
type Args = z.infer<typeof Args>;

const Target = {
  name: z.string().optional(),
  uuid: z
    .string()
    .regex(/^-?\d+$/)
    .optional(),
};
const Command = z.discriminatedUnion('cmd', [
  z.object({ id: z.string().optional(), cmd: z.literal('restart') }),
  z.object({ id: z.string().optional(), cmd: z.literal('stop') }),
  z.object({ id: z.string().optional(), cmd: z.literal('start') }),
  z.object({ id: z.string().optional(), cmd: z.literal('exit') }),
  z.object({ id: z.string().optional(), cmd: z.literal('ping'), ...Target }),
  z.object({
    id: z.string().optional(),
    cmd: z.literal('ready'),
    name: z.string().min(1),
    timeoutMs: z.number().int().positive().max(600_000).optional(),
  }),
  z.object({ id: z.string().optional(), cmd: z.literal('shutdown'), ...Target }),
  z.object({
    id: z.string().optional(),
    cmd: z.literal('call'),
    ...Target,
    registry: z.string(),
    item: z.string(),
    request: z.record(z.string(), z.string()),
  }),
]);
type Command = z.infer<typeof Command>;

const RowsFile = z.object({
  queries: z.array(
    z.union([
      z.object({ match: z.string(), rows: z.array(z.record(z.string(), z.string())) }),
      z.object({ match: z.string(), error: z.string() }),
    ]),
  ),
});

export function parseManagerArgs(argv: readonly string[]): Args {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(socket|state|control|rows)(?:=(.*))?$/s.exec(argv[i]!);
    if (!m)
      throw new Error(
        `unknown argument ${JSON.stringify(argv[i])}; usage: --socket PATH [--state FILE] [--control FILE] [--rows FILE]`,
      );
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value`);
    raw[m[1]!] = value;
  }
  const parsed = Args.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `bad arguments: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** Answers query() from the rows file; a missing or broken file is a failure status, not a crash. */
function rowsFileHandler(path: string): (sql: string) => QueryAnswer {
  return (sql) => {
    let parsed;
    try {
      parsed = RowsFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    } catch (err) {
      return { code: 1, message: `rows file ${path}: ${(err as Error).message}` };
    }
    if (!parsed.success) return { code: 1, message: `rows file ${path}: ${parsed.error.message}` };
    for (const q of parsed.data.queries) {
      let re: RegExp;
      try {
        re = new RegExp(q.match, 'i');
      } catch {
        continue;
      }
      if (!re.test(sql)) continue;
      return 'rows' in q ? q.rows : { code: 1, message: q.error };
    }
    return { code: 1, message: `no such table or no rows configured for: ${sql.slice(0, 200)}` };
  };
}

function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch {
    // Windows refuses to rename over a file a reader holds open; write in place.
    writeFileSync(path, text);
  }
}

export async function runManager(argv: readonly string[]): Promise<number> {
  const args = parseManagerArgs(argv);
  const results: Record<string, { ok: boolean; value?: unknown; error?: string }> = {};
  let manager: TestManager;
  const writeState = () => {
    if (!args.state) return;
    const state = {
      pid: process.pid,
      socket: args.socket,
      listening: manager.listening,
      extensions: [...manager.registrations.values()].map((r) => ({
        uuid: r.uuid.toString(),
        name: r.info.name,
        version: r.info.version,
        sdk_version: r.info.sdk_version,
      })),
      deregistered: manager.deregistered.map(String),
      events: manager.events.slice(-200),
      results,
      updated: new Date().toISOString(),
    };
    writeAtomically(
      args.state,
      JSON.stringify(state, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2),
    );
  };
  manager = new TestManager({
    socketPath: args.socket,
    ...(args.rows ? { query: rowsFileHandler(args.rows) } : {}),
    onEvent: () => writeState(),
  });
  await manager.start();
  writeState();

  const target = (c: { name?: string | undefined; uuid?: string | undefined }): bigint => {
    if (c.uuid !== undefined) return BigInt(c.uuid);
    const r = c.name !== undefined ? manager.findByName(c.name) : undefined;
    if (!r) throw new Error(`no registered extension named ${c.name ?? '(none given)'}`);
    return r.uuid;
  };

  let exit: (code: number) => void;
  const exited = new Promise<number>((r) => {
    exit = r;
  });
  const run = async (c: Command): Promise<unknown> => {
    switch (c.cmd) {
      case 'restart':
        return manager.restart();
      case 'stop':
        return manager.stop();
      case 'start':
        return manager.start();
      case 'exit':
        exit(0);
        return undefined;
      case 'ping':
        return manager.pingExtension(target(c));
      case 'ready': {
        const r = await manager.waitForRegistration(c.name, c.timeoutMs ?? 60_000);
        return { uuid: r.uuid.toString(), name: r.info.name };
      }
      case 'shutdown':
        return manager.shutdownExtension(target(c));
      case 'call':
        return manager.callExtension(target(c), c.registry, c.item, c.request);
    }
  };

  // Commands run one at a time, in file order.
  let processedLines = 0;
  let busy = false;
  const poll = async () => {
    if (busy || !args.control || !existsSync(args.control)) return;
    busy = true;
    try {
      const lines = readFileSync(args.control, 'utf8').split(/\r?\n/);
      // The last element is an unfinished line (or ''): wait for its newline.
      const complete = lines.slice(0, -1);
      while (processedLines < complete.length) {
        const line = complete[processedLines++]!.trim();
        if (line === '') continue;
        let id = `line${processedLines}`;
        try {
          const raw: unknown = JSON.parse(line);
          const rawId = z.object({ id: z.string() }).safeParse(raw);
          if (rawId.success) id = rawId.data.id;
          const cmd = Command.parse(raw);
          results[id] = { ok: true, value: (await run(cmd)) ?? null };
        } catch (err) {
          results[id] = { ok: false, error: err instanceof Error ? err.message : String(err) };
        }
        writeState();
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll(), 100);
  const onSignal = () => exit(0);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const code = await exited;
  clearInterval(timer);
  await manager.stop();
  writeState();
  return code;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  runManager(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`test manager: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
