// The built Windows executable's own VERSIONINFO. The cross-build starts from
// node.exe, whose resource says OriginalFilename node.exe / "Node.js": any
// rename check (ours, osquery's file.original_filename) would call our binary
// renamed node.exe. We replace it with a resource naming an1489.ext.exe.
// resedit rewrites the PE resource section (a pure-JS, maintained library; see
// the commit that added it) before postject adds NODE_SEA_BLOB.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RT_VERSION = 16;
// US English, Unicode: the language node.exe's own resource uses.
const LANG = { lang: 1033, codepage: 1200 };

/** The strings the resource carries; the test reads them back through src/pe. */
export function versionStrings(nodeVersion = process.version) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return {
    CompanyName: pkg.name,
    ProductName: pkg.name,
    FileDescription: 'osquery-an1489 extension: AN1489 resource-hijacking hunting tables for osquery',
    OriginalFilename: 'an1489.ext.exe',
    InternalName: 'an1489.ext',
    FileVersion: pkg.version,
    ProductVersion: pkg.version,
    Comments: `Node.js ${nodeVersion} single executable application`,
    LegalCopyright: `${pkg.license} license`,
  };
}

/** Replaces every version resource of the PE file at `file` with ours (in place). */
export async function writeVersionResource(file, strings = versionStrings()) {
  const ResEdit = await import('resedit');
  const exe = ResEdit.NtExecutable.from(readFileSync(file));
  const res = ResEdit.NtExecutableResource.from(exe);
  res.entries = res.entries.filter((e) => e.type !== RT_VERSION);
  const vi = ResEdit.Resource.VersionInfo.createEmpty();
  vi.lang = LANG.lang;
  // The fixed-info numbers first: resedit also writes them as strings, which ours then replace.
  const [a, b, c] = String(strings.FileVersion)
    .split('.')
    .map((n) => Number.parseInt(n, 10) || 0);
  vi.setFileVersion(a ?? 0, b ?? 0, c ?? 0, 0, LANG.lang);
  vi.setProductVersion(a ?? 0, b ?? 0, c ?? 0, 0, LANG.lang);
  vi.setStringValues(LANG, strings);
  vi.outputToResourceEntries(res.entries);
  res.outputResource(exe);
  writeFileSync(file, Buffer.from(exe.generate()));
}
