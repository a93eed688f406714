// The extension's settings: what an operator may tune per fleet without a new
// build. One strict zod schema is the single source of truth for names,
// bounds and defaults, so the loader, the docs sample and every consumer agree.
// Unknown keys are refused (a typo such as "sampleIntervalSecond" would
// otherwise silently leave the default in force on thousands of hosts).
import { z } from 'zod';

/**
 * The sampler's shortest interval: sample_time has whole-second resolution,
 * and in the extension every tick is a query to osqueryd.
 */
export const MIN_SAMPLE_INTERVAL_SECONDS = 1;

const seconds = (min: number, max: number) => z.number().finite().min(min).max(max);
const pathOrNull = z.string().min(1, 'must not be empty').max(4096).nullable();

export const ThresholdsSchema = z
  .object({
    /** A process below this CPU share (percent of one core) is not "resource-hungry". */
    minCpuPercent: z
      .number()
      .finite()
      .min(0)
      .max(100 * 1024)
      .default(25),
    /** How long a process must stay above minCpuPercent to count as sustained. */
    minDurationSeconds: seconds(1, 7 * 86_400).default(600),
    /** How long a remote connection must stay open to count as long-lived. */
    persistentConnectionSeconds: seconds(1, 7 * 86_400).default(300),
  })
  .strict();

export const SignatureSchema = z
  .object({
    /** Files larger than this are not hashed/parsed (bounds I/O per query). */
    maxBytesPerFile: z
      .number()
      .int()
      .min(4096)
      .max(4 * 1024 ** 3)
      .default(256 * 1024 ** 2),
    /** Verdicts kept in memory, keyed by path + size + mtime. */
    cacheSize: z.number().int().min(0).max(1_000_000).default(4096),
    /** PEM bundle of trusted roots; null = no bundle: signatures that verify are "valid", never "trusted" (docs/catalogs.md). */
    trustBundlePath: pathOrNull.default(null),
  })
  .strict();

export const ConfigSchema = z
  .object({
    /** Seconds between sampler ticks, kept exactly; at least 1 (sample_time is whole seconds; each tick queries osqueryd). */
    sampleIntervalSeconds: seconds(MIN_SAMPLE_INTERVAL_SECONDS, 3600).default(10),
    /** How much per-process history the sampler keeps. */
    historyWindowMinutes: seconds(1, 7 * 24 * 60).default(60),
    /** Upper bound on process identities tracked at once (memory bound). */
    maxTrackedProcesses: z.number().int().min(16).max(1_000_000).default(4096),
    /** How long an exited process stays visible in the tables. */
    exitedGraceSeconds: seconds(0, 86_400).default(300),
    thresholds: ThresholdsSchema.default(() => ThresholdsSchema.parse({})),
    /** Where the sampler persists its history; null = `an1489.state` beside the binary. */
    stateDir: pathOrNull.default(null),
    /** Approved-software baseline (YAML); null = none. */
    baselinePath: pathOrNull.default(null),
    signature: SignatureSchema.default(() => SignatureSchema.parse({})),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .strict()
  .refine((c) => c.sampleIntervalSeconds < c.historyWindowMinutes * 60, {
    message: 'must be shorter than historyWindowMinutes (the history would hold less than one sample)',
    path: ['sampleIntervalSeconds'],
  });

/** The validated configuration, every field present. */
export type An1489Config = z.output<typeof ConfigSchema>;
/** What a config file may contain: any subset of the fields. */
export type An1489ConfigInput = z.input<typeof ConfigSchema>;
export type LogLevel = An1489Config['logLevel'];

export function defaultConfig(): An1489Config {
  return ConfigSchema.parse({});
}

/**
 * Turns zod's issues into one line per problem that names the field, so an
 * operator reading osqueryd's log knows exactly what to fix.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => (at ? `${at}.${k}` : k));
      return `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => JSON.stringify(k)).join(', ')}`;
    }
    return `field ${at ? JSON.stringify(at) : '(root)'}: ${issue.message}`;
  });
}
