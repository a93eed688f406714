// Parsers and classifiers on exact inputs: procfs stat and /proc/net lines as
// the kernel writes them, addresses of every family, launch vectors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeProcNetAddress, parseProcNet, parseStat } from '../../src/sampler/procfs.js';
import { isExternalAddress, isPoolPort } from '../../src/intel/network.js';
import { launchVector } from '../../src/intel/launch-vectors.js';

test('stat: comm with spaces and parentheses ends at the last parenthesis', () => {
  const line =
    '4242 (evil) (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 56 0 0 20 0 7 0 98765 1000000 2500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n';
  const st = parseStat(line)!;
  assert.equal(
    {
      pid: st.pid,
      comm: st.comm,
      ppid: st.ppid,
      u: st.utimeTicks,
      s: st.stimeTicks,
      th: st.threads,
      start: st.startTicks,
      rss: st.rssPages,
    },
    { pid: 4242, comm: 'evil) (x) y', ppid: 1, u: 1234, s: 56, th: 7, start: 98765, rss: 2500 },
  );
  assert.is(parseStat('garbage'), null);
  assert.is(parseStat('12 (x) S 1 2'), null);
});

test('/proc/net: little-endian words, IPv4, IPv6, mapped, states', () => {
  assert.equal(decodeProcNetAddress('0100007F'), { address: '127.0.0.1', family: 4 });
  assert.equal(decodeProcNetAddress('0000000000000000FFFF00000100007F'), { address: '::ffff:127.0.0.1', family: 6 });
  assert.equal(decodeProcNetAddress('00000000000000000000000001000000'), { address: '::1', family: 6 });
  assert.equal(decodeProcNetAddress('B80D0120000000000000000001000000'), { address: '2001:db8::1', family: 6 });
  assert.is(decodeProcNetAddress('xyz'), null);
  const text = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1 0000000000000000 100 0 0 10 0',
    '   1: 0500000A:C350 0771CBCB:0D05 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0000000000000000 20 4 30 10 -1',
    '   2: broken line',
  ].join('\n');
  const rows = parseProcNet(text, 'tcp');
  assert.is(rows.length, 2);
  assert.equal(rows[0], {
    protocol: 'tcp',
    family: 4,
    localAddress: '127.0.0.1',
    localPort: 8080,
    remoteAddress: '0.0.0.0',
    remotePort: 0,
    state: 'LISTEN',
    inode: 111,
  });
  assert.equal(
    [rows[1].localAddress, rows[1].localPort, rows[1].remoteAddress, rows[1].remotePort, rows[1].state],
    ['10.0.0.5', 50000, '203.203.113.7', 3333, 'ESTABLISHED'],
  );
});

test('external addresses, IPv4 and IPv6', () => {
  const internal = [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.1.1',
    '100.64.0.1',
    '100.127.255.255',
    '224.0.0.251',
    '0.0.0.0',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fe80::1%eth0',
    'fd00::1',
    'fc12::1',
    'ff02::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
    '::ffff:a00:1',
    'not-an-ip',
    '',
  ];
  const external = [
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '203.0.113.7',
    '2001:db8::1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
  ];
  for (const a of internal) assert.is(isExternalAddress(a), false, a);
  for (const a of external) assert.is(isExternalAddress(a), true, a);
  assert.ok(isPoolPort(3333) && isPoolPort(14444) && !isPoolPort(443) && !isPoolPort(8080));
});

test('launch vectors: most specific wins, pid 1 only as direct parent', () => {
  const a = (name: string, pid = 100, cmdline: string | null = null) => ({ pid, name, cmdline });
  assert.is(
    launchVector([
      a('powershell.exe'),
      a('cmd.exe'),
      a('svchost.exe', 800, 'svchost.exe -k netsvcs -p -s Schedule'),
      a('services.exe'),
    ]),
    'scheduled_task',
  );
  assert.is(
    launchVector([a('powershell.exe'), a('svchost.exe', 800, 'svchost.exe -k netsvcs'), a('services.exe')]),
    'powershell',
  );
  assert.is(launchVector([a('cmd.exe'), a('WmiPrvSE.exe'), a('svchost.exe'), a('services.exe')]), 'wmi');
  assert.is(launchVector([a('taskhostw.exe')]), 'scheduled_task');
  assert.is(launchVector([a('sh'), a('cron'), a('systemd', 1)]), 'scheduled_task');
  assert.is(launchVector([a('systemd', 1)]), 'service');
  assert.is(launchVector([a('bash'), a('sshd'), a('systemd', 1)]), 'interactive');
  assert.is(launchVector([a('node'), a('systemd', 1500), a('systemd', 1)]), 'service');
  assert.is(launchVector([a('explorer.exe')]), 'interactive');
  assert.is(launchVector([a('python3')]), 'other');
  assert.is(launchVector([]), 'other');
});

test.run();
