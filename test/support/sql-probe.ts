// One embedded host for SQL-function tests: the value of an expression, or the error it must raise.
import * as assert from 'uvu/assert';
import { EmbeddedHost } from '../../src/host/host.js';

export function sqlProbe(): {
  host: EmbeddedHost;
  one: (expr: string) => Promise<string | null>;
  fails: (expr: string, message: RegExp) => Promise<void>;
} {
  const host = new EmbeddedHost({ tables: [] });
  const one = async (expr: string): Promise<string | null> => (await host.query(`SELECT ${expr} AS v`)).rows[0][0];
  const fails = async (expr: string, message: RegExp): Promise<void> => {
    try {
      await host.query(`SELECT ${expr} AS v`);
    } catch (e) {
      assert.match((e as Error).message, message);
      return;
    }
    assert.unreachable(`${expr} should fail`);
  };
  return { host, one, fails };
}
