// process_connection_history over real sockets read from /proc/net: a child
// holding TCP connections over IPv4 and IPv6 loopback to a dual-stack
// listener in this process, whose accepted sockets show the IPv4 peer as
// IPv4-mapped IPv6 (::ffff:127.0.0.1). Listening sockets never appear.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { ProcfsSource } from '../../src/sampler/procfs.js';
import { HistoryStore } from '../../src/sampler/store.js';
import { processConnectionHistoryTable } from '../../src/tables/process_connection_history.js';
import type { Row } from '../../src/sdk/table.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('IPv4, IPv6 and IPv4-mapped loopback connections: internal, persistent, listener skipped', async () => {
  const accepted: Socket[] = [];
  const server = createServer((s) => accepted.push(s));
  server.listen({ port: 0, host: '::', ipv6Only: false });
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const child = spawn(
    process.execPath,
    [
      '-e',
      `
    const net = require('node:net');
    let open = 0;
    for (const host of ['127.0.0.1', '::1']) net.connect(${port}, host, () => { if (++open === 2) process.stdout.write('up\\n'); });
    setTimeout(() => process.exit(0), 30000);
  `,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await once(child.stdout!, 'data');
    const store = new HistoryStore({ intervalMs: 1000 });
    const source = new ProcfsSource();
    for (let i = 0; i < 3; i++) {
      store.ingest(await source.sample({ needCmdline: (pid, start) => !store.hasCmdline(pid, start), sockets: true }));
      await sleep(700);
    }
    const rows = [
      ...(processConnectionHistoryTable(store, { persistentSeconds: 1 }).generate({
        constraints: new Map([
          [
            'pid',
            [
              { op: '=', expr: String(child.pid) },
              { op: '=', expr: String(process.pid) },
            ],
          ],
        ]),
        colsUsed: null,
      }) as Iterable<Row>),
    ];
    const key = (r: Row) =>
      `${r.pid === child.pid ? 'child' : 'self'} ${r.remote_address} ${r.remote_port === port ? 'PORT' : 'eph'}`;
    const got = rows.map(key).sort();
    assert.equal(
      got,
      ['child 127.0.0.1 PORT', 'child ::1 PORT', 'self ::1 eph', 'self ::ffff:127.0.0.1 eph'],
      JSON.stringify(rows),
    );
    for (const r of rows) {
      assert.equal(
        [r.protocol, r.state, r.external, r.pool_port, r.persistent],
        ['tcp', 'ESTABLISHED', 0, 0, 1],
        JSON.stringify(r),
      );
      assert.ok(Number(r.samples) === 3 && Number(r.observed_seconds) >= 1);
    }
  } finally {
    child.kill('SIGKILL');
    for (const s of accepted) s.destroy();
    server.close();
  }
});

test.run();
