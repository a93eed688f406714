// `an1489 hunt`: samples this machine for a while (procfs on Linux) and
// prints what the history tables find: processes that stayed busy, with
// their remembered lineage and launch vector, and long-lived connections.
import { numberOption, parseCommandArgs } from './args.js';
import { CliError, ExitCode, type CliIO, type Command } from './command.js';
import { formatTable } from './format.js';
import { HistoryStore } from '../sampler/store.js';
import { ProcfsSource } from '../sampler/procfs.js';
import { Sampler } from '../sampler/sampler.js';
import { MIN_SAMPLE_INTERVAL_SECONDS } from '../config/schema.js';
import { DEFAULT_MIN_CPU_PERCENT, processCpuSustainedTable } from '../tables/process_cpu_sustained.js';
import { DEFAULT_PERSISTENT_SECONDS, processConnectionHistoryTable } from '../tables/process_connection_history.js';
import type { CellValue, QueryContext, Row } from '../sdk/table.js';

const DEFAULT_DURATION = 20;

const usage = `Usage: an1489 hunt [--duration S] [--sample-interval S] [--min-cpu-percent P]
                  [--min-duration S] [--persistent-seconds S] [--json]

Samples this machine's processes (Linux procfs) for the duration, then prints
the processes that kept the CPU busy, with their remembered parent, ancestry
and launch vector, and the connections that stayed open. A progress bar is
drawn on stderr when it is a terminal. Ctrl-C ends sampling early and reports.

Options:
  --duration S            seconds to sample (default ${DEFAULT_DURATION})
  --sample-interval S     seconds between samples, 1-3600, kept exactly (default 1)
  --min-cpu-percent P     busy threshold, % of ONE core (default ${DEFAULT_MIN_CPU_PERCENT})
  --min-duration S        seconds the threshold must hold without a break
                          (default: half the duration)
  --persistent-seconds S  a connection open this long is persistent
                          (default: half the duration, at most ${DEFAULT_PERSISTENT_SECONDS})
  --json                  one JSON object per finding per line
  -h, --help              show this help

Exit status: 0 after reporting (findings or not); 2 for bad options; 1 when
this machine cannot be sampled (no procfs).`;

const context = (constraints: Record<string, string>): QueryContext => ({
  constraints: new Map(Object.entries(constraints).map(([k, v]) => [k, [{ op: '=' as const, expr: v }]])),
  colsUsed: null,
});

const text = (v: CellValue): string | null => (v === null || v === undefined ? null : String(v));
const clip = (s: string, n: number) => ([...s].length > n ? `${[...s].slice(0, n - 1).join('')}…` : s);

function progressBar(done: number, total: number, tracked: number): string {
  const width = 30;
  const filled = Math.min(width, Math.round((done / total) * width));
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.min(done, total).toFixed(0)}/${total} s, ${tracked} processes`;
}

export const huntCommand: Command = {
  name: 'hunt',
  summary: 'sample this machine for a while and report sustained CPU use, lineage and long-lived connections',
  usage,
  async run(args: readonly string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs('hunt', args, {
      duration: { type: 'string' },
      'sample-interval': { type: 'string' },
      'min-cpu-percent': { type: 'string' },
      'min-duration': { type: 'string' },
      'persistent-seconds': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new CliError(`hunt: unexpected argument ${JSON.stringify(positionals[0])}`);
    const duration = numberOption('hunt', 'duration', values.duration, DEFAULT_DURATION, 1, 86_400, false);
    const interval = numberOption(
      'hunt',
      'sample-interval',
      values['sample-interval'],
      1,
      MIN_SAMPLE_INTERVAL_SECONDS,
      3600,
      false,
    );
    const minCpu = numberOption(
      'hunt',
      'min-cpu-percent',
      values['min-cpu-percent'],
      DEFAULT_MIN_CPU_PERCENT,
      0,
      100 * 1024,
      false,
    );
    const minDuration = numberOption(
      'hunt',
      'min-duration',
      values['min-duration'],
      Math.max(1, Math.floor(duration / 2)),
      0,
      86_400,
      true,
    );
    const persistent = numberOption(
      'hunt',
      'persistent-seconds',
      values['persistent-seconds'],
      Math.max(1, Math.min(DEFAULT_PERSISTENT_SECONDS, Math.floor(duration / 2))),
      0,
      86_400,
      false,
    );
    if (process.platform !== 'linux') {
      throw new CliError(
        'hunt: samples this machine through Linux procfs; on Windows and macOS deploy the osquery extension and query process_cpu_sustained',
        ExitCode.FAILURE,
      );
    }

    const store = new HistoryStore({
      intervalMs: interval * 1000,
      windowMs: Math.max(duration, 2 * interval) * 1000 + 60_000,
    });
    const sampler = new Sampler(new ProcfsSource(), store, {
      intervalSeconds: interval,
      stateDir: null,
      log: (level, message) => (level === 'warn' || level === 'error' ? io.stderr.write(`${message}\n`) : undefined),
    });
    const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
    const t0 = performance.now();
    let interrupted = false;
    let wake: () => void = () => undefined;
    const onSigint = () => {
      interrupted = true;
      wake();
    };
    process.on('SIGINT', onSigint);
    try {
      await sampler.start();
      while (!interrupted) {
        const elapsed = (performance.now() - t0) / 1000;
        if (tty) io.stderr.write(progressBar(elapsed, duration, store.size));
        if (elapsed >= duration) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(250, (duration - elapsed) * 1000 + 1));
        });
      }
    } finally {
      process.off('SIGINT', onSigint);
      await sampler.stop();
      if (tty) io.stderr.write('\n');
    }

    const sustainedRows = [
      ...(processCpuSustainedTable(store).generate(
        context({ min_cpu_percent: String(minCpu), min_duration: String(minDuration) }),
      ) as Iterable<Row>),
    ]
      .filter((r) => r.sustained === 1)
      .sort((a, b) => Number(b.avg_cpu_percent ?? 0) - Number(a.avg_cpu_percent ?? 0));
    const sustainedIds = new Set(sustainedRows.map((r) => `${r.pid}:${r.start_time}`));
    const connections = [
      ...(processConnectionHistoryTable(store, { persistentSeconds: persistent }).generate(
        context({}),
      ) as Iterable<Row>),
    ]
      .filter((r) => r.persistent === 1)
      .sort(
        (a, b) => Number(b.external) - Number(a.external) || Number(b.observed_seconds) - Number(a.observed_seconds),
      );
    const ofProcess = (r: Row) => connections.filter((c) => c.pid === r.pid && c.start_time === r.start_time);

    if (values.json === true) {
      for (const r of sustainedRows)
        io.stdout.write(
          `${JSON.stringify({ finding: 'sustained_process', ...r, persistent_connections: ofProcess(r) })}\n`,
        );
      for (const c of connections)
        io.stdout.write(
          `${JSON.stringify({ finding: 'persistent_connection', ...c, process_sustained: sustainedIds.has(`${c.pid}:${c.start_time}`) ? 1 : 0 })}\n`,
        );
      return ExitCode.OK;
    }
    const seconds = ((performance.now() - t0) / 1000).toFixed(0);
    io.stdout.write(
      `Sampled ${store.size} processes for ${seconds} s every ${interval} s${interrupted ? ' (interrupted)' : ''}; history held ~${(store.memoryBytes() / 2 ** 20).toFixed(1)} MB.\n`,
    );
    io.stdout.write(
      `\nSustained: CPU >= ${minCpu}% of one core for >= ${minDuration} s without a break: ${sustainedRows.length}\n`,
    );
    io.stdout.write(
      formatTable({
        columns: [
          'pid',
          'name',
          'user',
          'avg_cpu',
          'p95_cpu',
          'max_cpu',
          'streak_s',
          'launch_vector',
          'ancestry',
          'cmdline',
        ],
        rows: sustainedRows.map((r) => [
          text(r.pid),
          text(r.name),
          text(r.user),
          text(r.avg_cpu_percent),
          text(r.p95_cpu_percent),
          text(r.max_cpu_percent),
          text(r.longest_streak_seconds),
          text(r.launch_vector),
          clip(String(r.ancestry), 80),
          clip(String(r.cmdline), 60),
        ]),
      }),
    );
    io.stdout.write(`\nPersistent connections (open >= ${persistent} s): ${connections.length}\n`);
    io.stdout.write(
      formatTable({
        columns: [
          'pid',
          'name',
          'protocol',
          'remote_address',
          'remote_port',
          'observed_s',
          'state',
          'external',
          'pool_port',
          'sustained',
        ],
        rows: connections.map((c) => [
          text(c.pid),
          text(c.name),
          text(c.protocol),
          text(c.remote_address),
          text(c.remote_port),
          text(c.observed_seconds),
          text(c.state),
          text(c.external),
          text(c.pool_port),
          sustainedIds.has(`${c.pid}:${c.start_time}`) ? '1' : '0',
        ]),
      }),
    );
    return ExitCode.OK;
  },
};
