// The command line osqueryd gives an autoloaded extension, and nothing else:
//   --socket PATH --timeout SECONDS --interval SECONDS [--verbose]
// (osquery/extensions/extensions.cpp). `--flag=value` is accepted too, as
// gflags-style tools write it. Anything unknown is refused: a typo or a
// subcommand reaching here means we were launched wrongly, and guessing would
// hide that.
import { z } from 'zod';

export interface ExtensionArgs {
  readonly socket: string;
  /** Seconds to wait for the manager socket. */
  readonly timeout: number;
  /** Seconds between liveness checks. */
  readonly interval: number;
  readonly verbose: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = 'usage: --socket PATH [--timeout SECONDS] [--interval SECONDS] [--verbose]';

const Seconds = z.coerce.number().finite().min(0).max(86_400);
const ArgsSchema = z.object({
  socket: z.string().min(1, 'must not be empty'),
  timeout: Seconds.default(3),
  interval: Seconds.refine((n) => n > 0, 'must be above 0').default(3),
  verbose: z.boolean().default(false),
});

const VALUE_FLAGS = new Set(['socket', 'timeout', 'interval']);

export function parseExtensionArgs(argv: readonly string[]): ExtensionArgs {
  const raw: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--?([A-Za-z_][A-Za-z0-9_-]*)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}; ${USAGE}`);
    const name = m[1]!;
    const inline = m[2];
    if (name === 'verbose') {
      if (inline !== undefined && !/^(true|false|1|0)$/.test(inline))
        throw new UsageError(`--verbose takes no value, got ${JSON.stringify(inline)}`);
      raw['verbose'] = inline === undefined || inline === 'true' || inline === '1';
      continue;
    }
    if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown flag --${name}; ${USAGE}`);
    if (name in raw) throw new UsageError(`--${name} given twice`);
    let value = inline;
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      i++;
    }
    raw[name] = value;
  }
  if (!('socket' in raw)) throw new UsageError(`--socket is required; ${USAGE}`);
  const parsed = ArgsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}
