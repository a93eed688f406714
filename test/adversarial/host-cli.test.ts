// The embedded host through the real `an1489 query` CLI, fed statements and
// snapshot files an attacker shapes (issue 10 items 9 and 10): ATTACH hidden
// behind a leading empty statement or a comment must not open or create a
// file, and snapshot keys that would vanish ("__proto__") or merge (case)
// are errors naming the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

const work = mkdtempSync('/tmp/an1489-adv-host-');
test.after(() => rmSync(work, { recursive: true, force: true }));

const an1489 = (args: string[]) => runCli(args, { env: { ...process.env, HOME: work, AN1489_LOG: 'error' } });

test('ATTACH / DETACH in any disguise is refused and creates no file', async () => {
  let n = 0;
  for (const form of [
    (f: string) => `;ATTACH DATABASE '${f}' AS a`,
    (f: string) => `;;  ;ATTACH '${f}' AS a`,
    (f: string) => `/* c */ ATTACH '${f}' AS a`,
    (f: string) => `-- c\nattach database '${f}' as a`,
    (f: string) => ` ATTACH '${f}' AS a;`,
  ]) {
    const target = join(work, `attached-${n++}.db`);
    const r = await an1489(['query', '--', form(target)]);
    assert.is(r.code, 2, `${form(target)}: exit ${r.code}, stderr ${r.stderr}`);
    assert.ok(/ATTACH|cannot be examined|not allowed|syntax/i.test(r.stderr), r.stderr);
    assert.not.ok(existsSync(target), `${form(target)} created ${target}`);
  }
  const detach = await an1489(['query', ';DETACH DATABASE temp']);
  assert.is(detach.code, 2, detach.stderr);
  for (const sql of [
    `VACUUM INTO '${join(work, 'v.db')}'`,
    `SELECT load_extension('${join(work, 'x.so')}')`,
    `;VACUUM INTO '${join(work, 'w.db')}'`,
  ]) {
    const r = await an1489(['query', sql]);
    assert.is(r.code, 2, `${sql}: ${r.stderr}`);
  }
  assert.not.ok(existsSync(join(work, 'v.db')) || existsSync(join(work, 'w.db')));
  // Plain reads still work, comments and a trailing semicolon included.
  const ok = await an1489(['query', '--json', '/* hi */ SELECT 1 AS one;']);
  assert.is(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout), [{ one: '1' }]);
});

test('snapshot keys: "__proto__" and case-only twins are errors naming the file, never dropped or merged', async () => {
  const cases: [string, string, RegExp][] = [
    ['proto', '[{"pid":"1","__proto__":"x"}]', /__proto__/],
    ['nested_proto', '[{"pid":"1"},{"pid":"2","__proto__":{"polluted":"1"}}]', /__proto__/],
    ['twins', '[{"name":"a","Name":"b"}]', /"name" and "Name" differ only in case/],
    ['twins_rows', '[{"name":"a"},{"NAME":"b"}]', /"name" and "NAME" differ only in case/],
  ];
  for (const [name, body, message] of cases) {
    const dir = join(work, `snap-${name}`);
    mkdirSync(dir);
    writeFileSync(join(dir, `${name}.json`), body);
    const r = await an1489(['query', '--snapshot', dir, `SELECT * FROM ${name}`]);
    assert.is(r.code, 2, `${name}: exit ${r.code} stdout ${r.stdout}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, new RegExp(`${name}\\.json`));
  }
  // A column that merely looks like a prototype name is still an ordinary column.
  const dir = join(work, 'snap-ok');
  mkdirSync(dir);
  writeFileSync(join(dir, 'plain.json'), '[{"constructor":"c","toString":"t"}]');
  const r = await an1489(['query', '--json', '--snapshot', dir, 'SELECT constructor, toString FROM plain']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), [{ constructor: 'c', toString: 't' }]);
});

test('a FIFO planted as a snapshot file or as the shell history is refused at once, never waited on', async () => {
  // Before, a stat-then-read opened the FIFO blocking and the CLI hung until a writer came.
  const dir = join(work, 'snap-fifo');
  mkdirSync(dir);
  writeFileSync(join(dir, 'processes.json'), '[{"pid":"1","name":"System"}]');
  assert.is(spawnSync('mkfifo', [join(dir, 'evil.json')]).status, 0);
  const r = await an1489(['query', '--snapshot', dir, 'SELECT 1']);
  assert.is(r.code, 2, `exit ${r.code}: ${r.stderr}`);
  assert.match(r.stderr, /evil\.json: not a regular file/);

  const home = join(work, 'home-fifo');
  mkdirSync(home);
  assert.is(spawnSync('mkfifo', [join(home, '.an1489_history')]).status, 0);
  const shell = await runCli(['shell'], {
    env: { ...process.env, HOME: home, USERPROFILE: home, AN1489_LOG: 'error' },
    stdin: 'SELECT 7 AS seven;\n',
  });
  assert.is(shell.code, 0, shell.stderr);
  assert.match(shell.stdout, /seven/);
  assert.match(shell.stderr, /history/i, 'the unreadable history is reported');

  // A history path that is a link elsewhere is not read through, and the target is never overwritten.
  const home2 = join(work, 'home-link');
  mkdirSync(home2);
  const target = join(work, 'not-history.txt');
  writeFileSync(target, 'precious\n');
  symlinkSync(target, join(home2, '.an1489_history'));
  const linked = await runCli(['shell'], {
    env: { ...process.env, HOME: home2, USERPROFILE: home2, AN1489_LOG: 'error' },
    stdin: 'SELECT 8;\n',
  });
  assert.is(linked.code, 0, linked.stderr);
  assert.is(readFileSync(target, 'utf8'), 'precious\n');
});

test.run();
