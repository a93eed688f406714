// The configuration concern in one import: schema and type, loader, and the
// on-disk safety checks run once at start-up.
import { dirname } from 'node:path';
import { checkPathSafety, type PermissionWarning } from './file-safety.js';
import type { ConfigStore } from './load.js';
import type { LogLevel } from './schema.js';

export * from './schema.js';
export * from './load.js';
export * from './file-safety.js';

/**
 * Everything whose tampering would subvert the extension: the binary (or entry
 * script) and its folder (whoever can write the folder can swap the binary),
 * the config file, the state directory.
 */
export function startupSafetyWarnings(store: ConfigStore, binaryPath: string): PermissionWarning[] {
  const state = store.current.stateDir;
  return [
    ...checkPathSafety(binaryPath, 'extension binary'),
    ...checkPathSafety(dirname(binaryPath), 'extension folder'),
    ...checkPathSafety(store.location.path, 'config file'),
    ...(state ? checkPathSafety(state, 'state directory') : []),
  ];
}

/**
 * Node applies NODE_OPTIONS before any of our code runs, single executable
 * included (`--require ./x.js` would load a file relative to osqueryd's
 * working directory into this root process). We cannot undo that, so we say
 * so at every start.
 */
export function environmentWarnings(env: NodeJS.ProcessEnv = process.env): PermissionWarning[] {
  const opts = env['NODE_OPTIONS'];
  if (opts === undefined || opts.trim() === '') return [];
  return [
    {
      path: 'NODE_OPTIONS',
      what: 'environment',
      message: `NODE_OPTIONS is set in osqueryd's environment (${JSON.stringify(opts.slice(0, 200))}): Node applied it before the extension started, and options such as --require load code into this process; fix: remove NODE_OPTIONS from osqueryd's service environment`,
    },
  ];
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Whether a message at `level` passes the configured `threshold` (verbose lets debug through). */
export function levelEnabled(level: LogLevel, threshold: LogLevel, verbose = false): boolean {
  return RANK[level] >= (verbose ? 0 : RANK[threshold]);
}
