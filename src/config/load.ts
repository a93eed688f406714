// Where the configuration comes from and how a bad one is survived.
//
// Location, in order:
//   1. AN1489_CONFIG, which must be an absolute path;
//   2. `an1489.config.json` beside our own binary: process.execPath when we
//      run as the single executable (an1489.ext / an1489.ext.exe), otherwise
//      beside the entry script (process.argv[1], symlinks resolved).
// Never the working directory: osqueryd starts extensions from wherever it
// was started, and a file planted there must not steer a root process.
// Relative paths inside the file resolve against the file's own folder for
// the same reason.
//
// A missing file means defaults. A broken file (unreadable, not JSON, unknown
// key, bad value) is logged with the field at fault and never stops the
// extension: the first load falls back to the defaults, a reload keeps the
// last good configuration.
import { realpathSync, statSync } from 'node:fs';
import { BoundedReadError, readBoundedFileSync } from './bounded-read.js';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isSea } from 'node:sea';
import { ConfigSchema, defaultConfig, describeIssues, type An1489Config } from './schema.js';

export const CONFIG_FILE_NAME = 'an1489.config.json';
export const CONFIG_ENV = 'AN1489_CONFIG';
export const STATE_DIR_NAME = 'an1489.state';
/** A config is a few hundred bytes; anything huge is a mistake or an attack. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export type ConfigLogger = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

/** Whether this process is a Node single-executable application. */
export function isSingleExecutable(): boolean {
  // node:sea exists from Node 20.12 (package.json pins Node 20.x at 20.20);
  // a static import keeps it a plain builtin require in the SEA bundle.
  return isSea();
}

/** The file that is "us": the SEA executable, or the script node was started with. */
export function ownBinaryPath(argv: readonly string[] = process.argv, execPath: string = process.execPath): string {
  if (isSingleExecutable()) return execPath;
  const entry = argv[1];
  if (entry) {
    try {
      return realpathSync(resolve(entry));
    } catch {
      // fall through: a vanished entry script still leaves node itself
    }
  }
  return execPath;
}

export interface ConfigLocation {
  readonly path: string;
  readonly source: 'env' | 'beside-binary';
  /** Folder of the binary (default state dir lives here). */
  readonly binaryDir: string;
}

export function locateConfig(
  env: NodeJS.ProcessEnv = process.env,
  binaryPath: string = ownBinaryPath(),
): ConfigLocation {
  const binaryDir = dirname(binaryPath);
  const fromEnv = env[CONFIG_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isAbsolute(fromEnv)) {
      throw new ConfigError(
        `${CONFIG_ENV}=${JSON.stringify(fromEnv)} is not an absolute path; relative paths would resolve against the working directory, which is never trusted`,
      );
    }
    return { path: fromEnv, source: 'env', binaryDir };
  }
  return { path: join(binaryDir, CONFIG_FILE_NAME), source: 'beside-binary', binaryDir };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type LoadResult =
  | { readonly ok: true; readonly config: An1489Config; readonly present: boolean }
  | { readonly ok: false; readonly error: string };

/** Reads and validates one config file; never throws. */
export function loadConfigFile(path: string, binaryDir: string): LoadResult {
  // Judged on the open descriptor (a path swapped for a FIFO between a stat and a read must not hang us).
  let text: string;
  try {
    text = readBoundedFileSync(path, { maxBytes: MAX_CONFIG_BYTES }).toString('utf8');
  } catch (err) {
    if (err instanceof BoundedReadError && err.code === 'ENOENT')
      return { ok: true, config: finish(defaultConfig(), path, binaryDir), present: false };
    if (err instanceof BoundedReadError && err.code === 'ENOTREG')
      return { ok: false, error: `config ${path}: not a regular file` };
    if (err instanceof BoundedReadError && err.code === 'EFBIG')
      return { ok: false, error: `config ${path}: ${err.message.slice(path.length + 1)}` };
    return { ok: false, error: `config ${path}: cannot read: ${(err as Error).message}` };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // Notepad writes a BOM
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `config ${path}: not valid JSON: ${(err as Error).message}` };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, error: `config ${path}: must be a JSON object` };
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: `config ${path}: ${describeIssues(parsed.error.issues).join('; ')}` };
  return { ok: true, config: finish(parsed.data, path, binaryDir), present: true };
}

/** Fills the state dir default and anchors relative paths at the config's folder. */
function finish(config: An1489Config, configPath: string, binaryDir: string): An1489Config {
  const base = dirname(configPath);
  const anchor = (p: string | null) => (p === null ? null : resolve(base, p));
  return {
    ...config,
    stateDir: anchor(config.stateDir) ?? join(binaryDir, STATE_DIR_NAME),
    baselinePath: anchor(config.baselinePath),
    signature: { ...config.signature, trustBundlePath: anchor(config.signature.trustBundlePath) },
  };
}

/**
 * The configuration in force, reloadable. Consumers read `current` or
 * subscribe; a reload that fails leaves `current` untouched.
 */
export class ConfigStore {
  private config: An1489Config;
  private readonly listeners = new Set<(c: An1489Config) => void>();
  private watching = false;
  private timer: NodeJS.Timeout | null = null;
  /** The file's stat as of the last read: what a poll compares against. */
  private seen = '';

  private constructor(
    readonly location: ConfigLocation,
    private readonly log: ConfigLogger,
  ) {
    this.config = finish(defaultConfig(), location.path, location.binaryDir);
  }

  /** Locates and loads; a bad location or file leaves the defaults in force (logged). */
  static open(
    log: ConfigLogger,
    env: NodeJS.ProcessEnv = process.env,
    binaryPath: string = ownBinaryPath(),
  ): ConfigStore {
    let location: ConfigLocation;
    try {
      location = locateConfig(env, binaryPath);
    } catch (err) {
      log('error', `${(err as Error).message}; using the defaults`);
      const binaryDir = dirname(binaryPath);
      return new ConfigStore({ path: join(binaryDir, CONFIG_FILE_NAME), source: 'beside-binary', binaryDir }, log);
    }
    const store = new ConfigStore(location, log);
    store.seen = fileSignature(location.path);
    const r = loadConfigFile(location.path, location.binaryDir);
    if (r.ok) {
      store.config = r.config;
      log(
        'info',
        r.present ? `config loaded from ${location.path}` : `no config file at ${location.path}; using the defaults`,
      );
    } else {
      log('error', `${r.error}; using the defaults`);
    }
    return store;
  }

  get current(): An1489Config {
    return this.config;
  }

  /** Re-reads the file; returns whether the new content is now in force. */
  reload(): boolean {
    // Stat before reading: a write that lands after the read changes the
    // signature again, so the next poll reads once more.
    this.seen = fileSignature(this.location.path);
    const r = loadConfigFile(this.location.path, this.location.binaryDir);
    if (!r.ok) {
      this.log('error', `${r.error}; keeping the last good configuration`);
      return false;
    }
    this.config = r.config;
    this.log(
      'info',
      r.present
        ? `config reloaded from ${this.location.path}`
        : `config ${this.location.path} removed; using the defaults`,
    );
    for (const fn of this.listeners) fn(r.config);
    return true;
  }

  subscribe(fn: (c: An1489Config) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Polls the file's stat (works the same on Windows); never keeps the
   * process alive. It compares with the stat taken when the file was last
   * read, not with the previous poll: fs.watchFile takes its first stat
   * asynchronously, so an edit landing before that stat would never be seen.
   */
  watch(intervalMs = 5000): void {
    if (this.watching) return;
    this.watching = true;
    this.timer = setInterval(() => {
      if (fileSignature(this.location.path) !== this.seen) this.reload();
    }, intervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.watching = false;
    this.listeners.clear();
  }
}

/** What identifies a version of the file for change polling ('absent' when missing). */
function fileSignature(path: string): string {
  try {
    const st = statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch {
    return 'absent';
  }
}
