// osquery's SQL functions on the embedded host, checked against osquery
// 5.23.1's documented and tested behaviour (expected values from osquery's
// own tests where it has them: osquery/sql/tests/*.cpp).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sqlFunctionNames } from '../../src/host/host.js';
import { OSQUERY_FUNCTIONS } from '../../src/host/functions.js';
import { sqlProbe } from '../support/sql-probe.js';

const { host, one, fails } = sqlProbe();

test('the exported list names every registered osquery function and SQLite sees them', () => {
  for (const f of [
    'regex_match',
    'regex_split',
    'split',
    'concat',
    'concat_ws',
    'sha1',
    'sha256',
    'md5',
    'to_base64',
    'from_base64',
    'conditional_to_base64',
    'inet_aton',
    'in_cidr_block',
    'community_id_v1',
    'community_id_v1_strict',
    'version_compare',
    'sqrt',
    'log',
    'log10',
    'power',
    'floor',
    'ceil',
    'pi',
    'degrees',
    'radians',
    'cot',
  ]) {
    assert.ok(OSQUERY_FUNCTIONS.includes(f), f);
  }
  const all = sqlFunctionNames();
  for (const f of OSQUERY_FUNCTIONS) assert.ok(all.includes(f), f);
  assert.ok(all.includes('count') && all.includes('lower'), 'SQLite built-ins are listed too');
  assert.not.ok(OSQUERY_FUNCTIONS.includes('carve'));
});

test('split: any of the token characters, empty fields dropped, fields trimmed', async () => {
  assert.is(await one(`split('192.168.0.1', '.', 1)`), '168');
  assert.is(await one(`split('192.168.0.1', '.0', 0)`), '192');
  assert.is(await one(`split('a, b,,c', ',', 2)`), 'c');
  assert.is(await one(`split('a, b', ',', 1)`), 'b');
  assert.is(await one(`split('a,b', ',', 5)`), null);
  assert.is(await one(`split('a,b', ',', -1)`), null);
  assert.is(await one(`split(NULL, ',', 0)`), null);
  await fails(`split('a', '', 0)`, /Invalid input to split function/);
});

test('regex_split and regex_match', async () => {
  assert.is(await one(`regex_split('192.168.0.1', '\\.', 1)`), '168');
  assert.is(await one(`regex_split('192.168.0.1', '\\.0', 0)`), '192.168');
  assert.is(await one(`regex_split('a1b22c', '[0-9]+', 2)`), 'c');
  assert.is(await one(`regex_split('a(1)b', '(\\d)', 1)`), ')b', 'captures are not fields');
  assert.is(await one(`regex_match('C:\\Users\\bob\\AppData\\x.exe', '\\\\Users\\\\([^\\\\]+)', 1)`), 'bob');
  assert.is(await one(`regex_match('xmrig --donate-level 1', 'donate-level ([0-9]+)', 0)`), 'donate-level 1');
  assert.is(await one(`regex_match('abc', 'z', 0)`), null);
  assert.is(await one(`regex_match('abc', 'b', 3)`), null);
  assert.is(await one(`regex_match('abc', '(x)?b', 1)`), '', 'unmatched group is empty text');
  await fails(`regex_match('a', '(', 0)`, /Invalid regex/);
  await fails(`regex_match('a', '${'a'.repeat(257)}', 0)`, /too big, max size is 256 bytes/);
  assert.is(await one(`regex_match('a', '${'a'.repeat(254)}|a', 0)`), 'a');
});

test("concat and concat_ws skip NULLs (with osquery's trailing separator quirk)", async () => {
  assert.is(await one(`concat('a', NULL, 'b', 1)`), 'ab1');
  assert.is(await one(`concat()`), null);
  assert.is(await one(`concat_ws('-', 'a', NULL, 'b')`), 'a-b');
  assert.is(await one(`concat_ws('-', 'a', 'b', NULL)`), 'a-b-');
  assert.is(await one(`concat_ws(NULL, 'a', 'b')`), 'ab');
  await fails(`concat_ws()`, /Missing separator to concat_ws/);
});

test('hashes and base64', async () => {
  assert.is(await one(`md5('hello')`), '5d41402abc4b2a76b9719d911017c592');
  assert.is(await one(`sha1('hello')`), 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d');
  assert.is(await one(`sha256('hello')`), '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  assert.is(await one(`sha1(NULL)`), null);
  assert.is(await one(`to_base64('hello')`), 'aGVsbG8=');
  assert.is(await one(`from_base64('aGVsbG8=')`), 'hello');
  assert.is(await one(`from_base64('aGVs' || char(10) || 'bG8')`), 'hello');
  assert.is(await one(`from_base64('not base64!')`), '');
  assert.is(await one(`conditional_to_base64('plain text')`), 'plain text');
  assert.is(await one(`conditional_to_base64('tab' || char(9))`), 'dGFiCQ==');
  assert.is(await one(`to_base64(NULL)`), null);
});

test('inet_aton', async () => {
  assert.is(await one(`inet_aton('192.168.0.1')`), '3232235521');
  assert.is(await one(`typeof(inet_aton('1.2.3.4'))`), 'integer');
  assert.is(await one(`inet_aton('::1')`), null);
  assert.is(await one(`inet_aton('1.2.3')`), null);
  assert.is(await one(`inet_aton('256.1.1.1')`), null);
});

test('in_cidr_block: osquery test vectors and boost host-range semantics', async () => {
  assert.is(await one(`in_cidr_block('10.0.0.0/26', '10.0.0.24')`), '1');
  assert.is(await one(`in_cidr_block('198.51.100.14/24', '198.51.100.14')`), '1');
  assert.is(
    await one(`in_cidr_block('2a00:a040:019e:f12a:0000:0000:0000:0000/64', '2a00:a040:19e:f12a:658b:3589:b2ba:71a3')`),
    '1',
  );
  assert.is(await one(`in_cidr_block('2001:db8::/48', '2001:db8:0:ffff:ffff:ffff:ffff:ffff')`), '1');
  assert.is(await one(`in_cidr_block('10.0.0.0/26', '10.0.0.64')`), '0');
  assert.is(await one(`in_cidr_block('10.0.0.0/24', '10.0.0.0')`), '0', 'network address is not a host');
  assert.is(await one(`in_cidr_block('10.0.0.0/24', '10.0.0.255')`), '0', 'broadcast address is not a host');
  assert.is(await one(`in_cidr_block('10.0.0.7/32', '10.0.0.7')`), '1');
  await fails(`in_cidr_block(1, '10.0.0.1')`, /CIDR must be a string/);
  await fails(`in_cidr_block('10.0.0.0/8', NULL)`, /IP address must be a string/);
  await fails(`in_cidr_block('10.0.0.0/8', 'nope')`, /IP address cannot be parsed/);
  await fails(`in_cidr_block('10.0.0.0/33', '10.0.0.1')`, /CIDR for IP address v4 cannot be parsed/);
  await fails(`in_cidr_block('2001:db8::/48', '10.0.0.1')`, /CIDR for IP address v4 cannot be parsed/);
});

test('community_id_v1: osquery and spec test vectors, lenient and strict forms', async () => {
  assert.is(
    await one(`community_id_v1('66.35.250.204', '128.232.110.120', 80, 34855, 6, 0)`),
    '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
  );
  assert.is(
    await one(`community_id_v1('128.232.110.120', '66.35.250.204', 34855, 80, 6)`),
    '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
  );
  assert.is(
    await one(`community_id_v1('66.35.250.204', '128.232.110.120', 80, 34855, 6, 1)`),
    '1:3V71V58M3Ksw/yuFALMcW0LAHvc=',
  );
  assert.is(
    await one(`community_id_v1('127.0.0.1', 'fe80::14b0:de4a:f8e8:522f', 64, 10, 6)`),
    '1:Jww+Ua4pSUNl9TvSUwvSHL4n93w=',
  );
  assert.is(
    await one(`community_id_v1('fe80::14b0:de4a:f8e8:522f', '127.0.0.1', 10, 64, 6, 0)`),
    '1:Jww+Ua4pSUNl9TvSUwvSHL4n93w=',
  );
  assert.is(
    await one(`community_id_v1('192.168.1.52', '8.8.8.8', 54585, 53, 17, 1)`),
    '1:Q9We8WO3piVF8yEQBNJF4uiSVrI=',
  );
  assert.is(await one(`community_id_v1('192.168.1.52', 'foo', 10, 53, 17, 0)`), null);
  await fails(`community_id_v1_strict('192.168.1.52', 'foo', 10, 53, 17, 0)`, /daddr cannot be parsed as IP/);
  await fails(`community_id_v1_strict('192.168.1.52', '192.168.1.1', 10, 53, 17, 70000)`, /seed must fit in 2 bytes/);
  await fails(`community_id_v1_strict('1.1.1.1', '2.2.2.2', '10', 53, 17)`, /ports must be integers/);
});

test('version_compare: osquery test vectors', async () => {
  const cases: [string, string][] = [
    [`'1.0', '1.0'`, '0'],
    [`'1:2.0-10', '1:2.0-10', 'DPKG'`, '0'],
    [`'4:1.1.0', '4:1.1.0-3', 'arCH'`, '0'],
    [`'50.4.1b', '50.4.1c'`, '-1'],
    [`'1.0.8-4', '1.0.8-6', 'arch'`, '-1'],
    [`'1.0.0~rc2^2021', '1.0.0', 'RHEL'`, '-1'],
    [`'1.1.0~BETA2^1', '1.1.0~CR1', 'RhEl'`, '-1'],
    [`'1.0.1.1', '1.0.1^2021', 'rhel'`, '1'],
    [`'1.9.9-1ubuntu2.4', '1.9.9-1ubuntu2.3', 'dpkg'`, '1'],
    [`'1:1.2.13-2', '4.2.1', 'ARCH'`, '1'],
    [`'106.32.1', '106:32.1'`, '0'],
    [`'1.10', '1.9'`, '1'],
    [`'', '1'`, '-1'],
  ];
  for (const [args, expected] of cases) assert.is(await one(`version_compare(${args})`), expected, args);
  await fails(`version_compare('1')`, /Must provide two version strings/);
  await fails(`version_compare('1', 2)`, /Must provide two version strings/);
  await fails(`version_compare('1', '2', 'MSI')`, /does not match one of/);
});

test('math follows osquery: natural log, integer ceil/floor, errno as SQL errors', async () => {
  assert.is(await one(`sqrt(16)`), '4.0');
  assert.is(await one(`log(exp(2))`), '2.0', "log is the natural log (SQLite's built-in log is base 10)");
  assert.is(await one(`log10(1000)`), '3.0');
  assert.is(await one(`power(2, 10)`), '1024.0');
  assert.is(await one(`ceil(1.2)`), '2');
  assert.is(await one(`typeof(floor(1.8))`), 'integer');
  assert.is(await one(`floor(-1.5)`), '-2');
  assert.is(await one(`ceil(7)`), '7');
  assert.is(await one(`round(pi(), 5)`), '3.14159');
  assert.is(await one(`degrees(pi())`), '180.0');
  assert.is(await one(`radians(180) = pi()`), '1');
  assert.is(await one(`sqrt(NULL)`), null);
  assert.is(await one(`sqrt('16')`), '4.0');
  assert.is(await one(`sin(0)`), '0.0');
  assert.is(await one(`cos(0)`), '1.0');
  assert.is(await one(`tan(0)`), '0.0');
  assert.is(await one(`cot(0)`), 'Inf', 'plain division in osquery, no errno');
  assert.is(await one(`round(cot(pi() / 4), 9)`), '1.0');
  assert.is(await one(`asin(1) * 2 = pi()`), '1');
  assert.is(await one(`acos(1)`), '0.0');
  assert.is(await one(`atan(1) * 4 = pi()`), '1');
  assert.is(await one(`exp(0)`), '1.0');
  await fails(`acos(2)`, /out of domain/);
  await fails(`sqrt(-1)`, /out of domain/);
  await fails(`log(0)`, /out of range/);
});

// Error and edge cases, each from the osquery source that defines the
// function (osquery/osquery at a5b14f6, the 5.23 line; file named per test)
// and the libraries it calls (boost::asio, boost::archive, glibc).

test.after(() => host.close());
test.run();
