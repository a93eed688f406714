#!/usr/bin/env node
// The `an1489` executable. With osquery's extension flags (osqueryd starts
// autoloaded extensions as `an1489 --socket PATH --timeout N --interval N`)
// it runs as an osquery extension; otherwise it dispatches a subcommand.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { CliError, ExitCode, type CliIO, type Command } from './command.js';
import { oneLine } from './format.js';

// The command table (and with it better-sqlite3's native module) is imported
// only when a command runs, so extension mode never loads SQLite.
const loadCommands = async (): Promise<readonly Command[]> => (await import('./commands.js')).COMMANDS;

/** What plain `an1489` (and `npm start`) runs. */
export const DEFAULT_ARGV: readonly string[] = ['hunt'];

/** Flags osqueryd passes to an extension it starts. */
const EXTENSION_FLAGS = ['--socket', '--timeout', '--interval', '--verbose'];

function isExtensionInvocation(argv: readonly string[]): boolean {
  const first = argv[0];
  return first !== undefined && EXTENSION_FLAGS.some((f) => first === f || first.startsWith(`${f}=`));
}

const ExtensionModule = z.object({
  main: z.custom<(argv: string[]) => Promise<number> | number>((v) => typeof v === 'function'),
});

async function runExtension(argv: readonly string[]): Promise<number> {
  // Loaded only in extension mode, so that the CLI's other commands never
  // start the extension's machinery (and the extension never loads SQLite).
  const specifier = new URL('../../extension/main.js', import.meta.url).href;
  let loaded: unknown;
  try {
    loaded = await import(specifier);
  } catch (e) {
    throw new CliError(
      `cannot load the extension entry point (${(e as Error).message.split('\n')[0]})`,
      ExitCode.FAILURE,
    );
  }
  const mod = ExtensionModule.safeParse(loaded);
  if (!mod.success) throw new CliError('the extension entry point does not export main(argv)', ExitCode.FAILURE);
  const code = z
    .number()
    .int()
    .safeParse(await mod.data.main([...argv]));
  return code.success ? code.data : ExitCode.FAILURE;
}

function globalHelp(COMMANDS: readonly Command[]): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: an1489 <command> [options]',
    '       an1489 --socket PATH [--timeout N] [--interval N]   (run as an osquery extension)',
    '',
    'Hunts MITRE ATT&CK AN1489: sustained resource-hungry processes launched via',
    'scheduled tasks, WMI or PowerShell.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `With no command: an1489 ${DEFAULT_ARGV.join(' ')}`,
    "Run an1489 <command> --help for a command's options.",
    '',
  ].join('\n');
}

/** Runs the CLI; resolves to the process exit code. Errors become one stderr line. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    if (isExtensionInvocation(argv)) return await runExtension(argv);
    const args = argv.length === 0 ? DEFAULT_ARGV : argv;
    const [name, ...rest] = args;
    const commands = await loadCommands();
    const findCommand = (n: string): Command | undefined => commands.find((c) => c.name === n);
    if (name === '--help' || name === '-h' || name === 'help') {
      const target = name === 'help' && rest[0] ? findCommand(rest[0]) : undefined;
      io.stdout.write(target ? `${target.usage}\n` : globalHelp(commands));
      return ExitCode.OK;
    }
    const command = findCommand(name);
    if (!command) {
      const kind = name.startsWith('-') ? 'option' : 'command';
      throw new CliError(
        `unknown ${kind} ${JSON.stringify(name)}; commands: ${commands.map((c) => c.name).join(', ')} (see an1489 --help)`,
      );
    }
    const beforeTerminator = rest.indexOf('--') < 0 ? rest : rest.slice(0, rest.indexOf('--'));
    if (beforeTerminator.includes('--help') || beforeTerminator.includes('-h')) {
      io.stdout.write(`${command.usage}\n`);
      return ExitCode.OK;
    }
    return await command.run(rest, io);
  } catch (e) {
    const err = e instanceof CliError ? e : new CliError((e as Error).message ?? String(e), ExitCode.FAILURE);
    io.stderr.write(`an1489: ${oneLine(err.message)}\n`);
    return err.exitCode;
  }
}

// Run only when executed (not when imported by tests).
function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    // realpath: npm's bin entry is a symlink to this file.
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}
if (invokedDirectly()) {
  // `an1489 query ... | head` closes stdout early; that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const io: CliIO = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  const code = await run(process.argv.slice(2), io);
  process.exitCode = code;
}
