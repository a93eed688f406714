// Outside tools some tests compare against or run under (wine, osslsigncode).
// Where one is missing the test is skipped with its reason printed as a
// "SKIP <test>: <reason>" line (scripts/run-tests.mjs shows every such line
// and fails a file that skips without one); with CI set (CI=true, as CI
// services set it) a missing tool is a failing test that says what to
// install, so a CI run can never go green without the tests it was meant to run.
import { spawnSync } from 'node:child_process';
import type { Test } from 'uvu';

export interface Tool {
  readonly command: string;
  readonly versionArgs: readonly string[];
  /** What to install, as a Debian command line. */
  readonly install: string;
}

export const WINE: Tool = { command: 'wine', versionArgs: ['--version'], install: 'apt-get install wine wine64' };
export const OSSLSIGNCODE: Tool = {
  command: 'osslsigncode',
  versionArgs: ['--version'],
  install: 'apt-get install osslsigncode',
};

/** True when CI is set to anything but "", "0" or "false". */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env['CI'] ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
}

/** The tool's first line of version output, or null when it does not run. */
export function toolVersion(tool: Tool): string | null {
  if (!versions.has(tool.command)) versions.set(tool.command, runVersion(tool));
  return versions.get(tool.command) ?? null;
}
const versions = new Map<string, string | null>();

function runVersion(tool: Tool): string | null {
  const r = spawnSync(tool.command, [...tool.versionArgs], {
    encoding: 'utf8',
    env: { ...process.env, WINEDEBUG: '-all' },
    timeout: 60_000,
  });
  if (r.error !== undefined || r.status !== 0) return null;
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
}

/** "`x` is not installed (apt-get install x)" for each missing tool, or null when all run. */
export function missingTools(tools: readonly Tool[]): string | null {
  const missing = tools.filter((t) => toolVersion(t) === null);
  if (missing.length === 0) return null;
  return missing.map((t) => `\`${t.command}\` is not installed (${t.install})`).join('; ');
}

/**
 * Defines `name` as a test that runs `fn` when every tool runs; otherwise it
 * is skipped with the reason printed or, in CI, fails with that reason.
 */
export function testNeeding(
  suite: Test,
  tools: readonly Tool[],
  name: string,
  fn: () => unknown | Promise<unknown>,
): void {
  const missing = missingTools(tools);
  if (missing === null) suite(name, async () => void (await fn()));
  else standIn(suite, name, missing);
}

/** Stands in for a test that cannot run here: a printed skip, or a failure in CI. */
export function standIn(suite: Test, name: string, reason: string): void {
  if (inCi()) {
    suite(name, () => {
      throw new Error(`CI requires this test: ${reason}`);
    });
  } else {
    console.log(`SKIP ${name}: ${reason} (CI=true makes this a failure; .ci/run installs it)`);
    suite.skip(name, () => undefined);
  }
}
