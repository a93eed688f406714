// The extension's composition root loads the configured baseline file into
// process_cpu_sustained's approval hook; a broken file is reported, not fatal.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config/schema.js';
import { createRuntime } from '../../src/runtime.js';

test('createRuntime reads config.baselinePath; a broken baseline is logged and the runtime still builds', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'an1489-rt-'));
  try {
    const logs: string[] = [];
    const log = (level: string, m: string) => void logs.push(`${level}: ${m}`);
    const good = await createRuntime({
      mode: 'standalone',
      log,
      config: { ...defaultConfig(), baselinePath: join(process.cwd(), 'packs', 'baseline.yml') },
    });
    assert.ok(good.tables.some((t) => t.name === 'process_cpu_sustained'));
    assert.match(logs.join('\n'), /info: baseline: 3 approved workload\(s\)/);
    await writeFile(join(dir, 'broken.yml'), 'version: 1\napproved: [oops\n');
    logs.length = 0;
    const broken = await createRuntime({
      mode: 'standalone',
      log,
      config: { ...defaultConfig(), baselinePath: join(dir, 'broken.yml') },
    });
    assert.ok(broken.tables.length > 0);
    assert.match(logs.join('\n'), /error: baseline: .*broken\.yml: not valid YAML/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
