// `an1489 replay LOG...`: the pack's findings from osqueryd's own results
// logs, for fleets that cannot load the extension (src/replay).
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandArgs } from './args.js';
import { CliError, ExitCode, type CliIO, type Command } from './command.js';
import { alignedText, oneLine } from './format.js';
import { defaultConfig } from '../config/schema.js';
import { loadPackSources } from '../pack/catalog.js';
import { isEvidenceKind, type EvidenceKind } from '../replay/evidence.js';
import { ReplayInputError, DEFAULT_MAX_LINE_BYTES } from '../replay/lines.js';
import { replay, type HostResult } from '../replay/replay.js';

const usage = `Usage: an1489 replay [--json] [--core] [--map NAME=TABLE]... [--interval SECONDS]
                     [--packs DIR] [--baseline FILE] [--max-line-bytes N] LOG...

Reads osqueryd results logs (osqueryd.results.log / osqueryd.snapshots.log as
the filesystem logger writes them, or '-' for stdin; snapshot, differential and
event formats, any number of hosts), replays each host's process samples in
time order through the extension's sampler and history store (time from the
log's unixTime, CPU count from its system_info), then runs the pack's scheduled
queries per host and prints what they find.

Evidence comes from the core-only pack's evidence_* queries (evidence_processes
every 30 s, evidence_binaries, evidence_services, evidence_scheduled_tasks,
evidence_system_info, evidence_osquery_info,
evidence_wmi_*), matched by the end of the logged name.

Options:
  --json                 one JSON object per finding per line
  --core                 run the core-only pack instead of the full pack
  --map NAME=TABLE       the logged query NAME feeds TABLE (processes,
                         process_open_sockets, file, authenticode, hash,
                         services, scheduled_tasks, system_info,
                         osquery_info, wmi_*,
                         sample = processes + sockets with a kind column,
                         binaries = file + authenticode + hash joined)
  --interval SECONDS     the processes query's interval (default 30)
  --packs DIR            the pack sources (default: the packs shipped with an1489)
  --baseline FILE        approved workloads (default: the pack's baseline.yml)
  --max-line-bytes N     longest event line accepted (default ${DEFAULT_MAX_LINE_BYTES})
  -h, --help             show this help

Exit status: 0 after a complete replay (whatever was found); 2 for bad usage
or bad input, with the file and line named.`;

const TABLE_COLUMNS = ['host', 'query', 'pid', 'name', 'severity', 'reasons'] as const;

/** Control characters in attacker-controlled text are shown escaped. */
const cell = (v: unknown): string => (v === null || v === undefined ? '' : oneLine(String(v)));

function findingLines(r: HostResult): Record<string, string | null>[] {
  const out: Record<string, string | null>[] = [];
  for (const q of r.results) {
    for (const row of q.rows) {
      // A row whose reasons are empty (telemetry readiness when all is well) is not a finding.
      if (row.reasons === '') continue;
      out.push({ host: r.host, query: q.query, ...row });
    }
  }
  return out;
}

export async function runReplay(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('replay', args, {
    json: { type: 'boolean' },
    core: { type: 'boolean' },
    map: { type: 'string', multiple: true },
    interval: { type: 'string' },
    baseline: { type: 'string' },
    packs: { type: 'string' },
    'max-line-bytes': { type: 'string' },
  });
  if (positionals.length === 0)
    throw new CliError('replay: give at least one LOG (or - for stdin; see an1489 replay --help)');
  const map = new Map<string, EvidenceKind>();
  for (const m of values.map ?? []) {
    const eq = m.lastIndexOf('=');
    const table = m.slice(eq + 1);
    if (eq <= 0 || !isEvidenceKind(table))
      throw new CliError(
        `replay: --map ${JSON.stringify(m)}: expected NAME=TABLE with a table replay reads (see --help)`,
      );
    map.set(m.slice(0, eq), table);
  }
  const whole = (name: string, v: string | undefined, def: number, max: number): number => {
    if (v === undefined) return def;
    if (!/^\d{1,12}$/.test(v) || Number(v) < 1 || Number(v) > max)
      throw new CliError(`replay: --${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const interval = whole('interval', values.interval, 30, 3600);
  const maxLineBytes = whole('max-line-bytes', values['max-line-bytes'], DEFAULT_MAX_LINE_BYTES, 2 ** 30);
  const config = defaultConfig();
  // The packs shipped beside this build (build/src/cli -> the package root), unless told otherwise.
  const root =
    values.packs !== undefined ? resolve(values.packs) : fileURLToPath(new URL('../../../packs', import.meta.url));
  let pack;
  try {
    pack = await loadPackSources(root, values.baseline ?? join(root, 'baseline.yml'));
  } catch (e) {
    throw new CliError(`replay: ${(e as Error).message}`);
  }
  const run = replay({
    files: positionals,
    stdin: io.stdin,
    maxLineBytes,
    map,
    pack,
    variant: values.core ? 'core' : 'full',
    sampler: {
      intervalSeconds: interval,
      windowMinutes: config.historyWindowMinutes,
      minCpuPercent: config.thresholds.minCpuPercent,
      minDurationSeconds: config.thresholds.minDurationSeconds,
      persistentSeconds: config.thresholds.persistentConnectionSeconds,
    },
  });
  const table: string[][] = [];
  try {
    for (;;) {
      const next = await run.next();
      if (next.done) {
        const s = next.value;
        io.stderr.write(
          `an1489 replay: ${s.lines} lines, ${s.hosts} hosts, ${s.ignored} events of other queries ignored\n`,
        );
        break;
      }
      const r = next.value;
      if (r.logicalCpus === null && r.counters.samples > 0)
        io.stderr.write(
          `an1489 replay: ${oneLine(r.host)}: no system_info in the log; CPU figures are not capped at the host's core count\n`,
        );
      if (r.counters.outOfOrder > 0)
        io.stderr.write(
          `an1489 replay: ${oneLine(r.host)}: ${r.counters.outOfOrder} process samples older than the previous one were skipped\n`,
        );
      for (const e of r.errors)
        io.stderr.write(`an1489 replay: ${oneLine(r.host)}: query ${e.query} failed: ${oneLine(e.message)}\n`);
      for (const f of findingLines(r)) {
        if (values.json) io.stdout.write(`${JSON.stringify(f)}\n`);
        else table.push(TABLE_COLUMNS.map((c) => cell(f[c])));
      }
    }
  } catch (e) {
    if (e instanceof ReplayInputError) throw new CliError(`replay: ${e.message}`);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR')
      throw new CliError(`replay: ${(e as Error).message}`);
    throw e;
  }
  if (!values.json) {
    if (table.length === 0) io.stdout.write('no findings\n');
    else io.stdout.write(alignedText([TABLE_COLUMNS.map(String), ...table]));
  }
  return ExitCode.OK;
}

export const replayCommand: Command = {
  name: 'replay',
  summary: "the pack's findings from osqueryd results logs (hosts without the extension)",
  usage,
  run: runReplay,
};
