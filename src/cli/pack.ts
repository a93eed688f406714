// `an1489 pack`: build the deployable artifacts, validate the queries, check
// that committed artifacts are fresh, and run the pack on a snapshot.
import { join, resolve } from 'node:path';
import { parseCommandArgs } from './args.js';
import { CliError, ExitCode, type CliIO, type Command } from './command.js';
import { buildArtifacts, staleArtifacts, writeArtifacts } from '../pack/artifacts.js';
import { corePack, fullPack, loadPackSources, renderedSql, type PackSources } from '../pack/catalog.js';
import { extensionDeclarations } from '../pack/declarations.js';
import { PackRunner } from '../pack/run.js';
import { formatIssues, validateQueries } from '../pack/validate.js';

const usage = `Usage: an1489 pack build    [--packs DIR] [--baseline FILE]
       an1489 pack validate [--packs DIR] [--baseline FILE]
       an1489 pack check    [--packs DIR] [--baseline FILE]
       an1489 pack run      [--packs DIR] [--baseline FILE] [--core-only] --snapshot DIR

build     render the queries with the baseline and write packs/an1489.conf,
          packs/core-only.conf and the Fleet GitOps files under packs/fleet/
validate  check every query parses and names only tables, columns and
          functions that exist on its platforms (osquery 5.23.1 + ours)
check     exit 1 when a committed artifact differs from a fresh build
run       run every scheduled query on a snapshot folder and print JSON

Options:
  --packs DIR      the pack sources (default: ./packs)
  --baseline FILE  approved workloads (default: DIR/baseline.yml)
  --snapshot DIR   <table>.json files as printed by osqueryi --json
  --core-only      run the core-only variant
  -h, --help       show this help`;

async function sources(values: { packs?: string; baseline?: string }): Promise<PackSources> {
  const root = resolve(values.packs ?? 'packs');
  try {
    return await loadPackSources(root, values.baseline ? resolve(values.baseline) : join(root, 'baseline.yml'));
  } catch (e) {
    throw new CliError(`pack: ${(e as Error).message}`);
  }
}

export async function runPack(args: readonly string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '-h' || sub === '--help') {
    io.stdout.write(`${usage}\n`);
    return sub ? ExitCode.OK : ExitCode.BAD_INPUT;
  }
  const { values, positionals } = parseCommandArgs('pack', rest, {
    packs: { type: 'string' },
    baseline: { type: 'string' },
    snapshot: { type: 'string' },
    'core-only': { type: 'boolean' },
  });
  if (positionals.length > 0) throw new CliError(`pack ${sub}: unexpected argument ${JSON.stringify(positionals[0])}`);
  const src = await sources(values);
  switch (sub) {
    case 'validate': {
      const all = [...fullPack(src), ...src.coreOnly, ...src.policies];
      const issues = validateQueries(all, (q) => renderedSql(src, q), extensionDeclarations());
      if (issues.length > 0) {
        io.stderr.write(`${formatIssues(issues)}\n${issues.length} problem(s)\n`);
        return ExitCode.FAILURE;
      }
      io.stdout.write(`${all.length} queries valid\n`);
      return ExitCode.OK;
    }
    case 'build': {
      const issues = validateQueries(
        [...fullPack(src), ...src.coreOnly, ...src.policies],
        (q) => renderedSql(src, q),
        extensionDeclarations(),
      );
      if (issues.length > 0) {
        io.stderr.write(`${formatIssues(issues)}\nnot building: ${issues.length} problem(s)\n`);
        return ExitCode.FAILURE;
      }
      for (const f of await writeArtifacts(src)) io.stdout.write(`wrote ${f}\n`);
      return ExitCode.OK;
    }
    case 'check': {
      const stale = await staleArtifacts(src);
      if (stale.length > 0) {
        io.stderr.write(`stale (run an1489 pack build): ${stale.join(', ')}\n`);
        return ExitCode.FAILURE;
      }
      io.stdout.write(`${buildArtifacts(src).size} artifacts up to date\n`);
      return ExitCode.OK;
    }
    case 'run': {
      if (!values.snapshot) throw new CliError('pack run: --snapshot DIR is required');
      let runner: PackRunner;
      try {
        runner = await PackRunner.open(src, resolve(values.snapshot));
      } catch (e) {
        throw new CliError(`pack run: ${(e as Error).message}`);
      }
      try {
        const out: Record<string, unknown> = {};
        for (const q of values['core-only'] ? corePack(src) : fullPack(src)) {
          try {
            out[q.metadata.name] = await runner.run(q);
          } catch (e) {
            out[q.metadata.name] = { error: (e as Error).message };
          }
        }
        io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return ExitCode.OK;
      } finally {
        runner.close();
      }
    }
    default:
      throw new CliError(`pack: unknown subcommand ${JSON.stringify(sub)} (build, validate, check, run)`);
  }
}

export const packCommand: Command = {
  name: 'pack',
  summary: 'build, validate, check and run the AN1489 query pack',
  usage,
  run: runPack,
};
