// What `fleetctl gitops` accepts, re-implemented from fleetdm/fleet so the
// generated Fleet files can be checked without a Fleet server:
//   pkg/spec/gitops.go              GitOpsFromFile: the top-level key set; parseReports /
//                                   validateReport: name and query required, ASCII names,
//                                   "duplicate report names";
//                                   ("unknown top-level field"); path: files hold a
//                                   bare YAML list; parsePolicies / parseLabels:
//                                   "duplicate policy names" across every item of one
//                                   file, its path: files included.
//   pkg/spec/gitops_deprecations.go ApplyDeprecatedKeyMappings: `queries` -> `reports`,
//                                   `team_settings` -> `settings` before the key check.
//   server/fleet/queries.go         QuerySpec json keys and types (a report item);
//                                   verifyLogging, verifyQueryPlatforms (windows,
//                                   linux, darwin, chrome).
//   server/fleet/policies.go + pkg/spec/gitops.go PolicySpec / GitOpsPolicySpec json
//                                   keys and types (a policy item); verifyPolicyPlatforms
//                                   (windows, linux, darwin).
// Items are decoded with encoding/json, so a value of the wrong JSON type
// (a quoted interval, a string for a bool) fails the whole file.

/** GitOpsFromFile's topKeys, after the deprecated names are mapped. */
export const GITOPS_TOP_KEYS = [
  'name',
  'settings',
  'org_settings',
  'agent_options',
  'controls',
  'policies',
  'reports',
  'software',
  'labels',
  'custom_host_vitals',
] as const;

/** Old spelling -> new spelling (gitops_deprecations.go). */
export const GITOPS_DEPRECATED_KEYS: Readonly<Record<string, string>> = {
  queries: 'reports',
  team_settings: 'settings',
};

/** Keys of a report (query) item: fleet.QuerySpec plus BaseItem's path/paths. */
export const REPORT_ITEM_KEYS = new Set([
  'path',
  'paths',
  'name',
  'description',
  'query',
  'team',
  'fleet',
  'interval',
  'observer_can_run',
  'automations_enabled',
  'platform',
  'min_osquery_version',
  'logging',
  'discard_data',
  'labels_include_any',
  'labels_include_all',
  'labels_exclude_any',
]);

/** Keys of a policy item: fleet.PolicySpec, the GitOps additions and BaseItem's path/paths. */
export const POLICY_ITEM_KEYS = new Set([
  'path',
  'paths',
  'name',
  'query',
  'description',
  'resolution',
  'team',
  'fleet',
  'platform',
  'critical',
  'calendar_events_enabled',
  'conditional_access_enabled',
  'labels_include_any',
  'labels_include_all',
  'labels_exclude_any',
  'type',
  'fleet_maintained_app_slug',
  'patch_when_closed',
  'continuous_automations_enabled',
  'run_script',
  'install_software',
  'resend_configuration_profile',
  'webhooks_and_tickets_enabled',
]);

type JsonType = 'string' | 'bool' | 'uint';
const ITEM_TYPES: Readonly<Record<string, JsonType>> = {
  name: 'string',
  description: 'string',
  query: 'string',
  team: 'string',
  platform: 'string',
  min_osquery_version: 'string',
  logging: 'string',
  resolution: 'string',
  interval: 'uint',
  observer_can_run: 'bool',
  automations_enabled: 'bool',
  discard_data: 'bool',
  critical: 'bool',
  calendar_events_enabled: 'bool',
  conditional_access_enabled: 'bool',
};
const PLATFORMS: Readonly<Record<'reports' | 'policies', ReadonlySet<string>>> = {
  reports: new Set(['windows', 'linux', 'darwin', 'chrome']),
  policies: new Set(['windows', 'linux', 'darwin']),
};

function jsonTypeOk(t: JsonType, v: unknown): boolean {
  if (t === 'string') return typeof v === 'string';
  if (t === 'bool') return typeof v === 'boolean';
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** Logging modes Fleet accepts for a report (server/fleet/queries.go, ValidateLogging). */
export const FLEET_LOGGING = new Set(['snapshot', 'differential', 'differential_ignore_removals']);

export interface GitOpsIssue {
  readonly file: string;
  readonly message: string;
}

type Item = Record<string, unknown>;

function items(v: unknown): Item[] | null {
  return Array.isArray(v) && v.every((x) => x && typeof x === 'object' && !Array.isArray(x)) ? (v as Item[]) : null;
}

function itemIssues(file: string, section: 'reports' | 'policies', list: Item[]): GitOpsIssue[] {
  const allowed = section === 'reports' ? REPORT_ITEM_KEYS : POLICY_ITEM_KEYS;
  const out: GitOpsIssue[] = [];
  for (const [i, it] of list.entries()) {
    for (const k of Object.keys(it)) {
      if (!allowed.has(k)) out.push({ file, message: `unknown key "${section}[${i}].${k}"` });
      else if (ITEM_TYPES[k] && !jsonTypeOk(ITEM_TYPES[k], it[k]))
        out.push({
          file,
          message: `${section}[${i}].${k}: expected type ${ITEM_TYPES[k]} but got ${JSON.stringify(it[k])}`,
        });
    }
    if (typeof it.path === 'string') continue;
    if (typeof it.platform === 'string' && it.platform.trim() !== '') {
      for (const p of it.platform.split(','))
        if (!PLATFORMS[section].has(p.trim()))
          out.push({ file, message: `${section}[${i}]: invalid platform "${p.trim()}"` });
    }
    if (typeof it.name !== 'string' || it.name.trim() === '')
      out.push({ file, message: `${section}[${i}]: name is required` });
    if (typeof it.query !== 'string' || it.query === '')
      out.push({ file, message: `${section}[${i}]: query is required` });
    // validateReport: report names must be ASCII.
    if (section === 'reports' && typeof it.name === 'string' && /[^\x00-\x7f]/.test(it.name))
      out.push({ file, message: `${section}[${i}]: \`name\` must be in ASCII` });
    if (section === 'reports' && it.logging !== undefined && !FLEET_LOGGING.has(String(it.logging)))
      out.push({ file, message: `${section}[${i}]: invalid logging "${String(it.logging)}"` });
  }
  return out;
}

/**
 * Checks one GitOps file fragment (a top-level mapping as it would sit in
 * default.yml or fleets/<fleet>.yml): its keys and each item's keys.
 */
export function gitopsFragmentIssues(file: string, doc: unknown): GitOpsIssue[] {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return [{ file, message: 'not a YAML mapping' }];
  const out: GitOpsIssue[] = [];
  const mapped: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const key = GITOPS_DEPRECATED_KEYS[k] ?? k;
    if (key in mapped) out.push({ file, message: `both "${k}" and its other spelling are set` });
    mapped[key] = v;
  }
  for (const k of Object.keys(mapped))
    if (!(GITOPS_TOP_KEYS as readonly string[]).includes(k))
      out.push({ file, message: `unknown top-level field: ${k}` });
  for (const section of ['reports', 'policies'] as const) {
    if (!(section in mapped)) continue;
    const list = items(mapped[section]);
    if (!list) out.push({ file, message: `${section} must be a list of mappings` });
    else out.push(...itemIssues(file, section, list));
  }
  return out;
}

/** A `path:` file: a bare list of items (parsePolicies / parseReports unmarshal into a slice). */
export function gitopsPathFileIssues(file: string, section: 'reports' | 'policies', doc: unknown): GitOpsIssue[] {
  const list = items(doc);
  if (!list) return [{ file, message: `a ${section} path: file must hold a bare YAML list` }];
  const out = itemIssues(file, section, list);
  for (const [i, it] of list.entries())
    if ('path' in it || 'paths' in it) out.push({ file, message: `nested paths are not supported (${section}[${i}])` });
  return out;
}

/** getDuplicateNames over everything one GitOps file pulls in (its own items and its path: files). */
export function duplicateNames(list: readonly { readonly name?: unknown }[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const it of list) {
    if (typeof it.name !== 'string') continue;
    // parsePolicies compares NFC-normalised names.
    const n = it.name.normalize('NFC');
    if (seen.has(n)) dup.add(n);
    seen.add(n);
  }
  return [...dup];
}
