// The extension's entry point: what osqueryd autoloads (through the `an1489`
// CLI, or bundled as a single executable). It speaks osqueryd's command line
// (--socket, --timeout, --interval, --verbose) and serves every table the
// runtime builds, with the processes it needs read from osqueryd itself.
//
// Bundle constraints (esbuild → one CommonJS file → Node SEA): no top-level
// await, no native modules (src/host and better-sqlite3 stay out of this
// import graph), no files read relative to the source at run time — the
// version comes from package.json through a JSON import, inlined at bundle
// time.
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import pkg from '../package.json' with { type: 'json' };
import { runExtension } from '../src/sdk/lifecycle.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import {
  ConfigStore,
  environmentWarnings,
  levelEnabled,
  ownBinaryPath,
  startupSafetyWarnings,
} from '../src/config/index.js';

export const EXTENSION_NAME = 'an1489';
export const EXTENSION_VERSION: string = pkg.version;

/** Runs the extension until osqueryd stops it; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let runtime: Runtime | null = null;
  let config: ConfigStore | null = null;
  return runExtension({
    name: EXTENSION_NAME,
    version: EXTENSION_VERSION,
    argv,
    tables: async (ctx) => {
      // Configuration and on-disk safety (src/config): read beside the binary,
      // never from the working directory; problems are logged, never fatal.
      const binary = ownBinaryPath();
      const store = ConfigStore.open((level, message) => ctx.log(level, message));
      config = store;
      for (const w of [...startupSafetyWarnings(store, binary), ...environmentWarnings()]) ctx.log('warn', w.message);
      store.watch(Math.max(1000, ctx.args.interval * 1000));
      const log = (level: 'info' | 'warn' | 'error' | 'debug', message: string) => {
        if (levelEnabled(level, store.current.logLevel, ctx.args.verbose)) ctx.log(level, message);
      };
      runtime = await createRuntime({
        mode: 'extension',
        osqueryQuery: ctx.query,
        log,
        config: store.current,
        onConfigChange: (listener) => store.subscribe(listener),
      });
      return runtime.tables;
    },
    onStart: async () => {
      await runtime?.start();
    },
    onStop: async () => {
      config?.close();
      await runtime?.stop();
    },
  });
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${EXTENSION_NAME} ERROR ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
