// `an1489 check FILE...`: the file_signature_check verdicts for files,
// without osquery: as an aligned table or as JSON lines.
import { parseCommandArgs } from './args.js';
import { CliError, ExitCode, type CliIO, type Command } from './command.js';
import { DEFAULT_CHECKER_OPTIONS, loadTrustBundle, SignatureChecker } from '../signature/checker.js';
import { resultRow } from '../tables/process_signature_check.js';
import type { Row } from '../sdk/table.js';
import { alignedText } from './format.js';

const usage = `Usage: an1489 check [--json] [--trust-bundle PEM] [--max-size BYTES] FILE...
       an1489 check [--json] [--as-windows-path WINPATH] FILE

Reads each FILE (regular files only, at most --max-size bytes) and prints the
verdicts of the file_signature_check table: PE version strings,
Authenticode status, expected location, renamed binary, miner indicators.

Options:
  --json                   one JSON object per line instead of a table
  --as-windows-path PATH   judge the one FILE as if it lived at this Windows path
  --trust-bundle PEM       roots that make a signature 'trusted' (otherwise
                           signatures are judged cryptographically: 'valid')
  --max-size BYTES         largest file to read (default ${DEFAULT_CHECKER_OPTIONS.maxFileBytes})
  -h, --help               show this help

Exit status: 0 when every file was checked (whatever the verdicts); 2 for bad
usage or an unreadable trust bundle.`;

const TABLE_COLUMNS = [
  'path',
  'verdict',
  'signature_status',
  'original_filename',
  'expected_location',
  'reasons',
] as const;

/** Makes a value printable on one table line: control characters are shown escaped, never interpreted. */
function cell(v: Row[string]): string {
  if (v === null || v === undefined) return '';
  return String(v).replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

function table(rows: readonly Row[]): string {
  return alignedText([TABLE_COLUMNS.map((c) => c as string), ...rows.map((r) => TABLE_COLUMNS.map((c) => cell(r[c])))]);
}

export async function runCheck(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('check', args, {
    json: { type: 'boolean' },
    'as-windows-path': { type: 'string' },
    'trust-bundle': { type: 'string' },
    'max-size': { type: 'string' },
  });
  if (positionals.length === 0) throw new CliError('check: give at least one FILE (see an1489 check --help)');
  const asWindows = values['as-windows-path'];
  if (asWindows !== undefined && positionals.length !== 1)
    throw new CliError('check: --as-windows-path needs exactly one FILE');
  if (asWindows !== undefined && asWindows.trim() === '')
    throw new CliError('check: --as-windows-path must not be empty');
  let maxFileBytes = DEFAULT_CHECKER_OPTIONS.maxFileBytes;
  if (values['max-size'] !== undefined) {
    if (!/^\d{1,13}$/.test(values['max-size']) || Number(values['max-size']) < 1) {
      throw new CliError(
        `check: --max-size must be a positive whole number of bytes, got ${JSON.stringify(values['max-size'])}`,
      );
    }
    maxFileBytes = Number(values['max-size']);
  }
  let trust = null;
  if (values['trust-bundle'] !== undefined) {
    try {
      trust = await loadTrustBundle(values['trust-bundle']);
    } catch (e) {
      throw new CliError(`check: ${(e as Error).message}`);
    }
  }
  const checker = new SignatureChecker({ maxFileBytes, cacheBytes: 0, trust });
  const rows: Row[] = [];
  for (const file of positionals) {
    const r = await checker.check({ readPath: file, path: asWindows ?? file });
    rows.push(resultRow(r, null, file));
  }
  if (values.json) {
    io.stdout.write(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  } else {
    io.stdout.write(table(rows));
  }
  return ExitCode.OK;
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'signature-versus-path verdicts for files (renamed, masquerading, miner)',
  usage,
  run: runCheck,
};
