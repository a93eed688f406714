// The streaming miner-string scan and the command-line scan: strings split at
// every possible chunk boundary, UTF-16LE and mixed case, and Sigma's lists.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  MINER_BINARY_STRINGS,
  MINER_CMDLINE_FLAGS,
  MINER_POOL_HOSTS,
  minerStringMatcher,
  poolHostsIn,
  scanCommandLine,
} from '../../src/intel/miner.js';

function scanIn(pieces: Buffer[]): string[] {
  const s = minerStringMatcher().scan();
  for (const p of pieces) s.feed(p);
  return s.results();
}

test('a string split at every boundary, in ASCII and UTF-16LE, any case, is found', () => {
  for (const enc of ['latin1', 'utf16le'] as const) {
    const body = Buffer.concat([
      Buffer.alloc(37, 0x41),
      Buffer.from('StRaTuM+TcP://pool.example:3333', enc),
      Buffer.alloc(19, 0x7a),
    ]);
    for (let cut = 0; cut <= body.length; cut++) {
      assert.equal(scanIn([body.subarray(0, cut), body.subarray(cut)]), ['stratum+tcp://'], `${enc} cut at ${cut}`);
    }
    // One byte at a time: the overlap carries the whole match.
    const bytes = [...body].map((b) => Buffer.from([b]));
    assert.equal(scanIn(bytes), ['stratum+tcp://'], `${enc} byte by byte`);
  }
});

test('every catalogued string is found, and near-misses are not', () => {
  for (const s of MINER_BINARY_STRINGS) {
    assert.equal(scanIn([Buffer.from(`..${s.toUpperCase()}..`)]), [s]);
    assert.equal(scanIn([Buffer.from(`..${s}..`, 'utf16le')]), [s]);
  }
  assert.equal(scanIn([Buffer.from('stratum+tc p:// xmri g x\0m\0r\0i\0\0g\0 randomy')]), []);
  assert.equal(scanIn([]), []);
});

test("command lines: Sigma's flags, base64 forms, pool hosts, and the build-tool filter", () => {
  const rule = parse(
    readFileSync('/work/shared/reference/sigma/proc_creation_win_susp_crypto_mining_monero.yml', 'utf8'),
  );
  const lnx = parse(readFileSync('/work/shared/reference/sigma/proc_creation_lnx_crypto_mining.yml', 'utf8'));
  const plain = [
    ...rule.detection.selection['CommandLine|contains'],
    ...lnx.detection.selection['CommandLine|contains'],
  ].filter((s: string) => !/^[A-Za-z0-9+/]+$/.test(s));
  // Every Sigma string holds one of the catalog's (broader) substrings.
  for (const f of plain)
    assert.ok(
      MINER_CMDLINE_FLAGS.some((c) => f.toLowerCase().includes(c)),
      `missing Sigma flag ${JSON.stringify(f)}`,
    );
  assert.equal(scanCommandLine('C:\\x\\svc.exe -o pool.minexmr.com:4444 --donate-level=0 -u 4ABC'), [
    'flag:--donate-level',
    'flag:-o pool.',
    'pool:pool.minexmr.com',
  ]);
  // powershell -enc of "--donate-level=1" contains one of the base64 forms.
  const b64 = Buffer.from('xmrig --donate-level=1').toString('base64');
  assert.ok(scanCommandLine(`powershell -enc ${b64}`).some((h) => h.startsWith('b64:')));
  assert.equal(scanCommandLine('gcc -c pool.c -o pool.o --nicehash'), []);
  assert.equal(scanCommandLine('notepad.exe C:\\notes.txt'), []);
});

test('pool hosts: every Sigma host and its sub-domains match, look-alikes do not', () => {
  const rule = parse(
    readFileSync('/work/shared/reference/sigma/net_connection_win_domain_crypto_mining_pools.yml', 'utf8'),
  );
  const hosts: string[] = rule.detection.selection.DestinationHostname;
  assert.is(MINER_POOL_HOSTS.length, new Set(hosts.map((h) => h.toLowerCase())).size);
  for (const h of hosts) assert.equal(poolHostsIn(`--url=${h.toLowerCase()}:443`), [h.toLowerCase()]);
  assert.equal(
    poolHostsIn('eu.gulf.moneroocean.stream'),
    poolHostsIn('gulf.moneroocean.stream').length ? ['gulf.moneroocean.stream'] : [],
  );
  assert.equal(poolHostsIn('minexmr.com.example.org notminexmr.com'), []);
});

test.run();
