// Every query of both packs and every policy over a host as real Windows
// hosts look (test/scenarios/attack-messy-host): IPv6 and dual-stack peers on
// pool ports, a UDP socket whose remote address is "0", multi-action tasks
// with working directories and unexpanded %APPDATA%-style variables, WMI
// subscriptions in ROOT\Subscription and ROOT\default sharing names, and an
// image authenticode cannot verify (no row). Nothing may error; the row-level
// expectations are in the scenario's expected.json (scenarios.test.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPackSources, type PackSources } from '../../src/pack/catalog.js';
import { PackRunner } from '../../src/pack/run.js';

const dir = join(process.cwd(), 'test', 'scenarios', 'attack-messy-host', 'snapshot');
let src: PackSources;

test.before(async () => {
  src = await loadPackSources(join(process.cwd(), 'packs'));
});

test('the snapshot really has what the pack must survive', () => {
  const sockets = JSON.parse(readFileSync(join(dir, 'process_open_sockets.json'), 'utf8')) as Record<string, string>[];
  assert.ok(
    sockets.some((s) => s.family === '23' && s.remote_address.includes(':') && s.remote_port === '3333'),
    'an IPv6 peer on a pool port',
  );
  assert.ok(
    sockets.some((s) => s.remote_address === '0'),
    'a UDP row',
  );
  const tasks = JSON.parse(readFileSync(join(dir, 'scheduled_tasks.json'), 'utf8')) as Record<string, string>[];
  assert.ok(
    tasks.some((t) => t.action.includes(',') && /^[A-Z]:\\/.test(t.action) && t.action.includes('%APPDATA%')),
    'multi-action, working directory first, variable unexpanded',
  );
  const consumers = JSON.parse(readFileSync(join(dir, 'wmi_cli_event_consumers.json'), 'utf8')) as Record<
    string,
    string
  >[];
  assert.equal([...new Set(consumers.map((c) => c.namespace))].sort(), ['ROOT\\Subscription', 'ROOT\\default']);
});

test('every query of both packs and every policy runs without error', async () => {
  const runner = await PackRunner.open(src, dir);
  try {
    const all = [...src.queries, ...src.coreOnly, ...src.policies];
    assert.ok(all.length >= 14);
    for (const q of all) {
      const rows = await runner.run(q).catch((e: Error) => assert.unreachable(`${q.metadata.name}: ${e.message}`));
      assert.ok(Array.isArray(rows), q.metadata.name);
    }
    const live = await runner.run(src.queries.find((q) => q.metadata.name === 'sustained_cpu_external_connections')!);
    assert.equal(
      live.map((r) => [r.remote_address, r.remote_port]),
      [['2a01:4f8:c17:b8f::2', '3333']],
      'the public IPv6 pool peer, not the link-local or mapped private ones',
    );
  } finally {
    runner.close();
  }
});

test.run();
