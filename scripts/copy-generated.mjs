// tsc compiles only TypeScript; the Thrift bindings are generated CommonJS
// (src/protocol/gen), so they are copied beside the compiled code unchanged.
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'src/protocol/gen');
const to = join(root, 'build/src/protocol/gen');
mkdirSync(to, { recursive: true });
cpSync(from, to, { recursive: true, filter: (p) => !p.endsWith('.d.ts') });
