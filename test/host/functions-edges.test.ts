// Edge cases of osquery's SQL functions on the embedded host, each against the
// osquery source file it follows (named in the test).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sqlFunctionNames } from '../../src/host/host.js';
import { sqlProbe } from '../support/sql-probe.js';

const { host, one, fails } = sqlProbe();

test('in_cidr_block edges (osquery/sql/sqlite_network.cpp; boost asio network_v4/v6::hosts, address_v6_iterator)', async () => {
  // An IPv6 address needs an IPv6 network: a v4 CIDR is an error, not 0. This is what a pack query meets on an IPv6 peer.
  await fails(`in_cidr_block('10.0.0.0/8', '2001:db8::1')`, /^CIDR for IP address v6 cannot be parsed$/);
  await fails(`in_cidr_block('10.0.0.0/8', '::ffff:10.0.0.1')`, /CIDR for IP address v6 cannot be parsed/);
  await fails(`in_cidr_block('fc00::/7', '10.0.0.1')`, /CIDR for IP address v4 cannot be parsed/);
  // Argument types are checked before parsing; NULL is not a string.
  await fails(`in_cidr_block(NULL, '10.0.0.1')`, /^CIDR must be a string$/);
  await fails(`in_cidr_block('10.0.0.0/8', 167772161)`, /^IP address must be a string$/);
  await fails(`in_cidr_block('10.0.0.0/8', '')`, /^IP address cannot be parsed$/);
  await fails(`in_cidr_block('10.0.0.0/8', '010.0.0.1')`, /IP address cannot be parsed/); // inet_pton: no leading zeros
  // make_network_v4/v6: a '/' with digits only after it, prefix within range.
  for (const cidr of ['10.0.0.0', '10.0.0.0/', '10.0.0.0/8x', '10.0.0.0/-1', '10.0.0.0/ 8']) {
    await fails(`in_cidr_block('${cidr}', '10.0.0.1')`, /CIDR for IP address v4 cannot be parsed/);
  }
  await fails(`in_cidr_block('2001:db8::/129', '2001:db8::1')`, /CIDR for IP address v6 cannot be parsed/);
  assert.is(
    await one(`in_cidr_block('10.0.0.5/008', '10.1.2.3')`),
    '1',
    'host bits set and a zero-padded prefix are accepted',
  );
  // IPv4 hosts(): /31 has none; 255.255.255.255/32 has none, since its end wraps to 0.
  assert.is(await one(`in_cidr_block('10.0.0.0/31', '10.0.0.1')`), '0');
  assert.is(await one(`in_cidr_block('255.255.255.255/32', '255.255.255.255')`), '0');
  assert.is(await one(`in_cidr_block('0.0.0.0/0', '255.255.255.255')`), '0', 'broadcast of /0');
  assert.is(await one(`in_cidr_block('0.0.0.0/0', '8.8.8.8')`), '1');
  // IPv6 hosts() is [first, last+1), and last+1 wraps to :: for a network ending at ffff:…:ffff.
  assert.is(await one(`in_cidr_block('2001:db8::/32', '2001:db8::')`), '1', 'the first address is a host in IPv6');
  assert.is(await one(`in_cidr_block('::/0', '2001:db8::1')`), '0');
  assert.is(await one(`in_cidr_block('ff00::/8', 'ff02::1')`), '0');
  assert.is(await one(`in_cidr_block('fe00::/8', 'fe80::1')`), '1', 'a network ending below ffff:… is unaffected');
  assert.is(
    await one(`in_cidr_block('fe80::/10', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff')`),
    '1',
    'its last address is a host',
  );
  // Scope ids: accepted on both sides, compared after the bytes.
  assert.is(await one(`in_cidr_block('fe80::/10', 'fe80::1%2')`), '1');
  assert.is(await one(`in_cidr_block('fe80::%3/64', 'fe80::')`), '0', 'same bytes as the first host, lower scope');
  assert.is(await one(`in_cidr_block('10.0.0.0/8', '10.0.0.1' || char(0) || 'junk')`), '1', 'read as a C string');
});

test('split, regex_split, regex_match edges (osquery/sql/sqlite_string.cpp, osquery/utils/conversions/split.cpp)', async () => {
  // Fields of blanks survive as '' because empty fields are dropped before trimming.
  assert.is(await one(`split('a, ,b', ',', 1)`), '');
  assert.is(await one(`split('a, ,b', ',', 2)`), 'b');
  // Any BYTE of the token splits: 'é' (C3 A9) splits 'aéb' into a, b.
  assert.is(await one(`split('aéb', 'é', 1)`), 'b');
  assert.is(await one(`split('aàb', 'é', 0)`), 'a', "'à' (C3 A0) shares its lead byte with 'é', so it splits too");
  assert.is.not(await one(`split('aàb', 'é', 1)`), null);
  assert.is(await one(`split('a,b', ',', '1')`), 'b', 'the index is read with sqlite3_value_int');
  assert.is(await one(`split('a,b', ',', 1.9)`), 'b');
  await fails(`split('a', '', 0)`, /^Invalid input to split function$/);
  await fails(`split('a', char(0), 0)`, /^Invalid input to split function$/); // a C string: empty
  assert.is(await one(`split('a', NULL, 0)`), null);
  assert.is(await one(`regex_split('', ',', 0)`), null, 'no fields in empty input');
  assert.is(await one(`regex_split(',a', ',', 0)`), '', 'a leading empty field is kept');
  assert.is(await one(`regex_split('a,', ',', 1)`), null, 'a trailing empty field is not');
  await fails(`regex_split('a', '(', 0)`, /^Invalid regex$/);
  await fails(`regex_split('a', '${'a'.repeat(257)}', 0)`, /^Invalid regex$/);
  await fails(`regex_split('a', '', 0)`, /^Invalid input to split function$/);
  assert.is(await one(`regex_match(NULL, 'a', 0)`), null);
  assert.is(await one(`regex_match('a', 'a', NULL)`), null);
  assert.is(await one(`regex_match('abc', 'b', -1)`), null, 'a negative index is out of range');
  await fails(`regex_match('a', '[', 0)`, /^Invalid regex$/);
});

test('concat, concat_ws, inet_aton edges (osquery/sql/sqlite_string.cpp)', async () => {
  assert.is(await one(`concat(NULL, NULL)`), '', 'all NULL: empty text, not NULL');
  assert.is(await one(`concat_ws('-')`), null, 'nothing after the separator');
  assert.is(await one(`concat_ws('-', NULL)`), '');
  assert.is(await one(`concat_ws('-', 1.5, 2)`), '1.5-2');
  assert.is(await one(`inet_aton(NULL)`), null);
  assert.is(await one(`inet_aton('01.2.3.4')`), null, 'inet_pton rejects leading zeros');
  assert.is(await one(`inet_aton('1.2.3.4 ')`), null);
  assert.is(await one(`inet_aton('255.255.255.255')`), '4294967295');
  assert.is(await one(`inet_aton('::ffff:1.2.3.4')`), null, 'anything with a colon is IPv6');
});

test('hash and base64 edges (osquery/sql/sqlite_hashing.cpp, sqlite_encoding.cpp, osquery/utils/base64.cpp, chars.cpp)', async () => {
  // Hashes read a C string: bytes after a NUL are not hashed; a BLOB's raw bytes are.
  assert.is(await one(`md5('hello' || char(0) || 'x')`), '5d41402abc4b2a76b9719d911017c592');
  assert.is(await one(`md5(x'68656c6c6f')`), '5d41402abc4b2a76b9719d911017c592');
  assert.is(await one(`md5(x'ff')`), '00594fd4f42ba43fc1ca0427a0576295', 'raw byte 0xFF, not U+FFFD');
  assert.is(
    await one(`sha256(1)`),
    '6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b',
    'a number hashes its text',
  );
  // base64 functions read every byte, NULs included.
  assert.is(await one(`to_base64('a' || char(0) || 'b')`), 'YQBi');
  assert.is(await one(`conditional_to_base64('a' || char(0) || 'b')`), 'YQBi', 'a NUL is not printable');
  assert.is(await one(`conditional_to_base64('é')`), 'w6k=', 'bytes above 0x7E are not printable');
  assert.is(await one(`conditional_to_base64('')`), '');
  assert.is(await one(`to_base64('')`), '');
  // decode: CRLF and LF dropped, trailing '=' trimmed, '=' inside reads as zero bits, anything else fails to ''.
  assert.is(await one(`from_base64('aGVs' || char(13) || char(10) || 'bG8=')`), 'hello');
  assert.is(await one(`from_base64('aGVs' || char(13) || 'bG8=')`), '', 'a lone CR is not base64');
  assert.is(await one(`hex(from_base64('QQ==QQ'))`), '41000041', "'=' inside is six zero bits");
  assert.is(await one(`from_base64('QQ')`), 'A');
  assert.is(await one(`from_base64('Q')`), '', 'six bits make no byte');
  assert.is(await one(`from_base64('aGVsbG8 ')`), '', 'a blank is not base64');
  assert.is(await one(`from_base64(NULL)`), null);
});

test('community_id edges (osquery/sql/sqlite_hashing.cpp; boost::asio::ip::address ordering)', async () => {
  // Checks run in source order: seed, IP types, saddr, daddr, port types, port range, protocol type, range.
  await fails(`community_id_v1_strict(1, 2, 'x', 'y', 'z', 'seed')`, /^Community ID seed must be an integer$/);
  await fails(`community_id_v1_strict('1.1.1.1', 2, 1, 2, 6)`, /^Community ID IPs must be strings$/);
  await fails(`community_id_v1_strict('x', 'y', 1, 2, 6)`, /^Community ID saddr cannot be parsed as IP$/);
  await fails(`community_id_v1_strict('1.1.1.1', '2.2.2.2', 1, 65536, 6)`, /^Community ID ports must fit in 2 bytes$/);
  await fails(`community_id_v1_strict('1.1.1.1', '2.2.2.2', 1, 2, 6.0)`, /^Community ID protocol must be an integer$/);
  await fails(`community_id_v1_strict('1.1.1.1', '2.2.2.2', 1, 2, 256)`, /^Community ID protocol must fit in 1 byte$/);
  await fails(
    `community_id_v1_strict('1.1.1.1', '2.2.2.2', 1, 2, 6, -32769)`,
    /^Community ID seed must fit in 2 bytes$/,
  );
  assert.is(await one(`community_id_v1('1.1.1.1', '2.2.2.2', 1, 2, 256)`), null, 'the lenient form answers NULL');
  assert.is(
    (await one(`community_id_v1('1.1.1.1', '2.2.2.2', 1, 2, 6, -32768)`)) !== null,
    true,
    'INT16_MIN is a valid seed',
  );
  // Same address both ways: the lower port goes first.
  assert.is(
    await one(`community_id_v1('10.0.0.1', '10.0.0.1', 9, 7, 6)`),
    await one(`community_id_v1('10.0.0.1', '10.0.0.1', 7, 9, 6)`),
  );
});

test('version_compare edges (osquery/sql/sqlite_version.cpp)', async () => {
  await fails(`version_compare()`, /^Must provide two version strings to compare\.$/);
  await fails(`version_compare(NULL, '1')`, /^Must provide two version strings to compare\.$/);
  await fails(`version_compare('1', '2', 3)`, /^The optional third parameter is not a string\.$/);
  await fails(`version_compare('1', '2', NULL)`, /^The optional third parameter is not a string\.$/);
  await fails(
    `version_compare('1', '2', '')`,
    /^The optional third parameter does not match one of: \(ARCH, DPKG, RHEL\)\.$/,
  );
  assert.is(await one(`version_compare('1', '2', 'rhel', 'ignored')`), '-1', 'arguments after the third are ignored');
  assert.is(await one(`version_compare('1.0' || char(0) || '9', '1.0')`), '0', 'versions are C strings');
});

test('math edges (osquery/sql/sqlite_math.cpp; glibc errno, x86-64 long double and int64 conversion)', async () => {
  await fails(`log(-1)`, /^Numerical argument out of domain$/);
  await fails(`log10(0)`, /^Numerical result out of range$/);
  await fails(`power(0, -1)`, /^Numerical result out of range$/);
  await fails(`power(10, -400)`, /^Numerical result out of range$/); // glibc pow: underflow is ERANGE
  await fails(`power(-8, 0.5)`, /^Numerical argument out of domain$/);
  await fails(`power(10, 400)`, /^Numerical result out of range$/);
  await fails(`sin(9e999)`, /^Numerical argument out of domain$/);
  await fails(`cot(9e999)`, /^Numerical argument out of domain$/); // tan(Inf) sets EDOM
  // exp is expl (80-bit long double on x86-64): e^1000 fits there, so the double result is Inf without errno.
  assert.is(await one(`exp(1000)`), 'Inf');
  await fails(`exp(12000)`, /^Numerical result out of range$/);
  assert.is(await one(`exp(-1000)`), '0.0');
  assert.is(await one(`degrees(1e308)`), 'Inf', 'plain arithmetic, no errno');
  // ceil/floor: (int64_t) of a double; Inf or beyond 64 bits is INT64_MIN on x86-64.
  assert.is(await one(`ceil(9e999)`), '-9223372036854775808');
  assert.is(await one(`floor(1e19)`), '-9223372036854775808');
  assert.is(await one(`ceil('2.5x')`), '3', 'text reads its leading number');
  assert.is(await one(`floor('0x10')`), '0', 'hex text is 0');
  assert.is(await one(`sqrt(x'3136')`), '4.0', 'a BLOB reads as its text');
  // SQLite's own math extension is not built into osqueryd's SQLite.
  for (const f of [
    'ln(1)',
    'log2(8)',
    'pow(2, 2)',
    'mod(5, 2)',
    'trunc(1.5)',
    'atan2(1, 1)',
    'ceiling(1.5)',
    'sinh(0)',
  ]) {
    await fails(f, /^no such function: /);
  }
  await fails(`log(2, 8)`, /^wrong number of arguments to function log\(\)$/);
  assert.not.ok(sqlFunctionNames().includes('ln'), 'not listed as available');
});

test.after(() => host.close());
test.run();
