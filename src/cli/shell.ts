// `an1489 shell`: an interactive SQL prompt on the embedded host, in the
// manner of osqueryi. Statements end with ';'; dot-commands are read alone on
// a line. Errors are printed and the shell carries on.
import { createInterface } from 'node:readline';
import { numberOption, parseCommandArgs } from './args.js';
import { MIN_SAMPLE_INTERVAL_SECONDS } from '../config/schema.js';
import { CliError, ExitCode, type CliIO, type Command } from './command.js';
import { formatTable, oneLine } from './format.js';
import { History, historyPath } from './history.js';
import { hostFailure, openSession, type HostSession } from './session.js';

const usage = `Usage: an1489 shell [--snapshot DIR] [--sample-interval S]

An interactive SQL prompt over this extension's tables and the snapshot
tables in DIR. End each statement with ';'. History is kept in
~/.an1489_history (mode 0600, last 1000 entries).

From the start, this machine is sampled in the background (as the extension
does), so process_cpu_history, process_cpu_sustained and
process_connection_history fill while the shell is open, as osqueryi's tables
are live.

Options:
  --snapshot DIR          load DIR/<table>.json files as read-only tables
  --sample-interval S     seconds between background samples, 1-3600 (default 1)
  -h, --help              show this help`;

const SHELL_HELP = `.tables           list tables (ours and snapshots)
.schema [TABLE]   show a table's columns (all tables without an argument)
.help             show this help
.quit / .exit     leave the shell
SQL ending in ';' runs on the embedded host.
`;

type Outcome = 'continue' | 'quit';

function dotCommand(line: string, session: HostSession, io: CliIO): Outcome {
  const [cmd, ...rest] = line.trim().split(/\s+/);
  switch (cmd) {
    case '.quit':
    case '.exit':
      return 'quit';
    case '.help':
      io.stdout.write(SHELL_HELP);
      return 'continue';
    case '.tables': {
      const filter = rest[0]?.toLowerCase();
      for (const t of session.host.tables()) {
        if (!filter || t.name.toLowerCase().includes(filter))
          io.stdout.write(`  => ${t.name}${t.kind === 'snapshot' ? ' (snapshot)' : ''}\n`);
      }
      return 'continue';
    }
    case '.schema': {
      const names = rest.length > 0 ? rest : session.host.tables().map((t) => t.name);
      for (const name of names) {
        const schema = session.host.schema(name);
        if (schema) io.stdout.write(`${schema}\n`);
        else io.stderr.write(`Error: no such table: ${name}\n`);
      }
      return 'continue';
    }
    default:
      io.stderr.write(`Error: unknown command ${cmd}; try .help\n`);
      return 'continue';
  }
}

export const shellCommand: Command = {
  name: 'shell',
  summary: 'interactive SQL prompt over our tables and snapshots',
  usage,
  async run(args: readonly string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs('shell', args, {
      snapshot: { type: 'string' },
      'sample-interval': { type: 'string' },
    });
    if (positionals.length > 0)
      throw new CliError(
        `shell: unexpected argument ${JSON.stringify(positionals[0])}; use an1489 query to run one statement`,
      );
    const interval = numberOption(
      'shell',
      'sample-interval',
      values['sample-interval'],
      1,
      MIN_SAMPLE_INTERVAL_SECONDS,
      3600,
      false,
    );
    const session = await openSession(io.stderr, { snapshotDir: values.snapshot, sampleIntervalSeconds: interval });
    const interactive = io.stdin.isTTY === true;
    const history = new History(historyPath(), (m) => io.stderr.write(`an1489: ${m}\n`));
    const rl = createInterface({
      input: io.stdin,
      output: interactive ? io.stdout : undefined,
      terminal: interactive,
      prompt: 'an1489> ',
      // readline wants newest first.
      history: [...history.all()].reverse(),
      historySize: 1000,
    });
    let buffer = '';
    if (interactive) {
      io.stdout.write('an1489 shell: osquery-style SQL over the AN1489 tables. Enter .help for help.\n');
      rl.prompt();
      // Ctrl-C abandons a half-typed statement; on an empty prompt it leaves.
      rl.on('SIGINT', () => {
        if (buffer === '' && rl.line === '') {
          io.stdout.write('\n');
          rl.close();
          return;
        }
        buffer = '';
        io.stdout.write('^C\n');
        rl.setPrompt('an1489> ');
        rl.write(null, { ctrl: true, name: 'u' });
        rl.prompt();
      });
    }
    const runStatement = async (sql: string): Promise<void> => {
      history.add(sql);
      try {
        const result = await session.host.query(sql);
        io.stdout.write(formatTable(result));
      } catch (e) {
        io.stderr.write(`Error: ${oneLine(hostFailure(e).message)}\n`);
      }
    };
    try {
      for await (const line of rl) {
        if (buffer === '' && line.trim().startsWith('.')) {
          history.add(line);
          if (dotCommand(line, session, io) === 'quit') break;
        } else if (buffer !== '' || line.trim() !== '') {
          buffer = buffer === '' ? line : `${buffer}\n${line}`;
          if (buffer.trimEnd().endsWith(';')) {
            const sql = buffer;
            buffer = '';
            await runStatement(sql);
          }
        }
        if (interactive) rl.setPrompt(buffer === '' ? 'an1489> ' : '    ...> ');
        if (interactive) rl.prompt();
      }
      // Input ended mid-statement: run what was typed, as osqueryi does.
      if (buffer.trim() !== '') await runStatement(buffer);
    } finally {
      rl.close();
      await session.close();
    }
    return ExitCode.OK;
  },
};
