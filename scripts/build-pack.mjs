// npm run pack:build — the same as `an1489 pack build` (needs npm run build first).
import { runPack } from '../build/src/cli/pack.js';
process.exitCode = await runPack(['build', ...process.argv.slice(2)], process);
