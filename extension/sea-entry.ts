// Entry of the single executable (dist/an1489.ext, an1489.ext.exe): the bundle
// built by scripts/build-ext.mjs starts here. In a Node SEA, process.argv is
// [binary, binary, ...osqueryd's flags] — argv[1] repeats the executable so
// that scripts written for `node script.js ...` keep slicing at 2 — and
// main.ts's own "am I the entry script?" test cannot work in a bundle
// (import.meta.url does not exist in CommonJS), so this shim calls main()
// unconditionally.
import { main, EXTENSION_NAME } from './main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${EXTENSION_NAME} ERROR ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
