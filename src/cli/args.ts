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

/** A numeric option's value, or `fallback` when absent; out of range or not a number is a usage error. */
export function numberOption(
  command: string,
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
  integer: boolean,
): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new CliError(
      `${command}: --${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return v;
}
