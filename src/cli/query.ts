// `an1489 query`: one statement on the embedded host, printed as a table or JSON.
import { numberOption, parseCommandArgs } from './args.js';
import { MIN_SAMPLE_INTERVAL_SECONDS } from '../config/schema.js';
import { CliError, ExitCode, type CliIO, type Command } from './command.js';
import type { QueryResult } from '../host/host.js';
import { formatJson, formatJsonByTable, formatTable } from './format.js';
import { hostFailure, openSession } from './session.js';

const usage = `Usage: an1489 query [--snapshot DIR] [--json] [--sample SECONDS] "SQL"
       an1489 query [--snapshot DIR] [--json] [--sample SECONDS] --all-tables

Runs one read-only SQL statement on the embedded host (SQLite with osquery's
SQL functions) over this extension's tables, plus the snapshot tables in DIR
(<table>.json files as printed by osqueryi --json; see docs/snapshots.md).

Options:
  --snapshot DIR          load DIR/<table>.json files as read-only tables
  --json                  print a JSON array of row objects (NULL as null)
  --all-tables            run SELECT * on each of this extension's tables
  --sample SECONDS        sample this machine for SECONDS first (0-86400), so
                          process_cpu_history, process_cpu_sustained and
                          process_connection_history hold that much history
  --sample-interval S     seconds between those samples, 1-3600 (default 1)
  -h, --help              show this help

Exit status: 0 on success; 2 for bad SQL, an unknown table or a bad snapshot;
1 when a table fails to produce rows.`;

export const queryCommand: Command = {
  name: 'query',
  summary: 'run one SQL statement over our tables and snapshots',
  usage,
  async run(args: readonly string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs('query', args, {
      snapshot: { type: 'string' },
      json: { type: 'boolean' },
      'all-tables': { type: 'boolean' },
      sample: { type: 'string' },
      'sample-interval': { type: 'string' },
    });
    const sampleSeconds =
      values.sample === undefined ? null : numberOption('query', 'sample', values.sample, 0, 0, 86_400, false);
    if (sampleSeconds === null && values['sample-interval'] !== undefined)
      throw new CliError('query: --sample-interval needs --sample SECONDS');
    const interval = numberOption(
      'query',
      'sample-interval',
      values['sample-interval'],
      1,
      MIN_SAMPLE_INTERVAL_SECONDS,
      3600,
      false,
    );
    const all = values['all-tables'] === true;
    if (all && positionals.length > 0) throw new CliError('query: give either SQL or --all-tables, not both');
    if (!all && positionals.length !== 1) {
      throw new CliError(
        `query: expected exactly one SQL statement argument, got ${positionals.length} (quote the statement)`,
      );
    }
    const session = await openSession(io.stderr, {
      snapshotDir: values.snapshot,
      sampleIntervalSeconds: sampleSeconds === null ? null : interval,
    });
    try {
      if (sampleSeconds !== null) await session.sampleFor(sampleSeconds);
      const statements = all
        ? session.host
            .tables()
            .filter((t) => t.kind === 'plugin')
            .map((t) => ({ title: t.name as string | null, sql: `SELECT * FROM "${t.name.replace(/"/g, '""')}"` }))
        : [{ title: null, sql: positionals[0] }];
      if (all && statements.length === 0) {
        io.stdout.write(values.json ? '{\n}\n' : 'No tables are registered.\n');
        return ExitCode.OK;
      }
      const results: { table: string; result: QueryResult }[] = [];
      for (const s of statements) {
        let result: QueryResult;
        try {
          result = await session.host.query(s.sql);
        } catch (e) {
          throw hostFailure(e);
        }
        results.push({ table: s.title ?? '', result });
      }
      if (values.json) {
        io.stdout.write(all ? formatJsonByTable(results) : formatJson(results[0].result));
      } else {
        for (const { table, result } of results) {
          if (all) io.stdout.write(`${table}:\n${result.rows.length === 0 ? '  (no rows)\n' : ''}`);
          io.stdout.write(formatTable(result));
        }
      }
      return ExitCode.OK;
    } finally {
      await session.close();
    }
  },
};
