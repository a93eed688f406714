// Option parsing for subcommands, on node:util's parseArgs (strict, so an
// unknown option is an error rather than silently ignored).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './command.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<O extends Options>(command: string, args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs messages are clear but multi-line for some cases; keep the first line.
    const first = (e as Error).message.split('\n')[0];
    throw new CliError(`${command}: ${first} (see an1489 ${command} --help)`);
  }
}
