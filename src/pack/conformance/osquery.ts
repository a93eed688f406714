// How osqueryd itself decides whether a pack and each of its queries load,
// re-implemented from osquery's source so our generated packs can be checked
// against the real rules (no osqueryd runs in tests):
//   osquery/config/packs.cpp      Pack::initialize: a pack whose "platform" or
//                                 "version" fails is skipped whole; each query is
//                                 then checked the same way, and names with a
//                                 reserved prefix/suffix are dropped with a warning.
//   osquery/core/system.cpp       checkPlatform: substring tests, "any"/"all" pass.
//   osquery/utils/info/version.cpp versionAtLeast: chunk-wise numeric compare.
//   osquery/database/database.cpp kReservedDbPrefixes / kReservedDbSuffixes.

/** osquery's reserved query-name prefixes and suffixes (database.cpp). */
export const RESERVED_PREFIXES = ['query.', 'cache.', 'config_views.'] as const;
export const RESERVED_SUFFIXES = ['epoch', 'counter'] as const;

/** std::stoi: optional sign and leading digits; null when there are none (invalid_argument). */
function stoi(s: string): number | null {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1], 10) : null;
}

/**
 * versionAtLeast(required, running): true when `running` is at least
 * `required`. "0.0.0" on either side passes; a shorter `required` passes
 * once its chunks are exhausted; a non-numeric chunk falls back to a string
 * compare that can only fail.
 */
export function versionAtLeast(required: string, running: string): boolean {
  if (required === '0.0.0' || running === '0.0.0') return true;
  const req = required.split('.');
  const run = running.split('.');
  for (let i = 0; i < run.length; i++) {
    if (req.length <= i) return true;
    const a = stoi(run[i]);
    const b = stoi(req[i]);
    if (a === null || b === null) {
      if (run[i] < req[i]) return false;
      continue;
    }
    if (a < b) return false;
    if (a > b) return true;
  }
  return true;
}

export type OsqueryPlatform = 'windows' | 'linux' | 'darwin' | 'freebsd';

/** checkPlatform(platform) as the osqueryd built for `host` answers it. */
export function checkPlatform(platform: string, host: OsqueryPlatform): boolean {
  if (platform === '' || platform === 'null') return true;
  if (platform.includes('any') || platform.includes('all')) return true;
  const linuxType = platform.includes('linux') || platform.includes('ubuntu') || platform.includes('centos');
  if (linuxType && host === 'linux') return true;
  if (platform.includes('posix') && host !== 'windows') return true;
  return platform.includes(host);
}

/** Pack::checkVersion: empty or "null" passes, else versionAtLeast. */
function checkVersion(version: string, running: string): boolean {
  return version === '' || version === 'null' || versionAtLeast(version, running);
}

export interface PackLoad {
  /** False when Pack::initialize returns before reading any query. */
  readonly packLoads: boolean;
  /** Query names osqueryd schedules. */
  readonly scheduled: string[];
  /** Queries dropped, with osquery's reason. */
  readonly skipped: { readonly name: string; readonly reason: string }[];
}

const MAX_INTERVAL = 604_800; // kMaxQueryInterval in packs.cpp

/** What osqueryd `running` on `host` loads from one pack object. */
export function loadPack(pack: unknown, running: string, host: OsqueryPlatform): PackLoad {
  const obj = (pack ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  if (!checkPlatform(str(obj.platform), host))
    return {
      packLoads: false,
      scheduled: [],
      skipped: [{ name: '*', reason: `pack platform "${str(obj.platform)}"` }],
    };
  if (!checkVersion(str(obj.version), running))
    return {
      packLoads: false,
      scheduled: [],
      skipped: [{ name: '*', reason: `pack version ${str(obj.version)} > ${running}` }],
    };
  const scheduled: string[] = [];
  const skipped: { name: string; reason: string }[] = [];
  const queries = obj.queries && typeof obj.queries === 'object' ? (obj.queries as Record<string, unknown>) : {};
  for (const [name, raw] of Object.entries(queries)) {
    if (!raw || typeof raw !== 'object') {
      skipped.push({ name, reason: 'not an object' });
      continue;
    }
    const q = raw as Record<string, unknown>;
    if (typeof q.platform === 'string' && !checkPlatform(q.platform, host))
      skipped.push({ name, reason: `platform "${q.platform}"` });
    else if (typeof q.version === 'string' && !checkVersion(q.version, running))
      skipped.push({ name, reason: `version ${q.version} > ${running}` });
    else if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) skipped.push({ name, reason: 'reserved name prefix' });
    else if (RESERVED_SUFFIXES.some((s) => name.endsWith(s))) skipped.push({ name, reason: 'reserved name suffix' });
    else if (typeof q.query !== 'string' || q.query === '') skipped.push({ name, reason: 'no query string' });
    else {
      const interval = q.interval === undefined ? 3600 : Number(q.interval);
      if (!(interval > 0) || interval > MAX_INTERVAL)
        skipped.push({ name, reason: `invalid interval ${String(q.interval)}` });
      else scheduled.push(name);
    }
  }
  return { packLoads: true, scheduled, skipped };
}

/**
 * authenticode.result as osquery assigns it (osquery/tables/system/windows/
 * authenticode.cpp, verifySignature): ERROR_SUCCESS -> trusted,
 * CRYPT_E_SECURITY_SETTINGS -> valid, TRUST_E_NOSIGNATURE -> missing,
 * TRUST_E_EXPLICIT_DISTRUST -> distrusted, anything else -> untrusted.
 * "invalid" is declared but never assigned; "unknown" only on an impossible
 * enum value. When verification itself errors (a malformed or unreadable
 * file, missing publisher information) the table returns NO row for the path.
 */
export const AUTHENTICODE_RESULTS = ['trusted', 'valid', 'missing', 'untrusted', 'distrusted'] as const;

/** Results that positively say "no valid signature" (a missing row says nothing). */
export const AUTHENTICODE_NOT_VALIDLY_SIGNED = ['missing', 'untrusted', 'distrusted'] as const;
