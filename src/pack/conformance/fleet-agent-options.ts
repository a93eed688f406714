// Fleet's agent options validation, re-implemented from fleetdm/fleet
// server/fleet/agent_options.go (ValidateJSONAgentOptions): the payload and
// each of its parts are decoded STRICTLY (JSONStrictDecode: unknown keys and
// wrong JSON types are errors, so the apply is refused):
//   top level            AgentOptions: config, overrides, command_line_flags,
//                        extensions, update_channels, script_execution_timeout
//   command_line_flags   osqueryCommandLineFlags (server/fleet/agent_options_generated.go,
//                        generated from osquery's flag table, plus the
//                        OsqueryCommandLineFlagsWindows/Linux/MacOS/Hidden structs);
//                        host_identifier, extensions_autoload and database_path are refused
//   config / overrides   osqueryAgentOptions (options, decorators, schedule, packs, ...)
// With GitOps, `agent_options: {path: f}` makes the bytes of f (after env
// expansion) the whole payload (pkg/spec/gitops.go, parseAgentOptions), so a
// file that wraps it in `agent_options:` fails as an unknown top-level field.
// The flag table is src/pack/conformance/fleet-flag-table.ts. The flag types follow osquery's own declarations: e.g. extensions_timeout
// and extensions_interval are CLI_FLAG(string, ...) in
// osquery/extensions/extensions.cpp, so Fleet types them as strings and a YAML
// number is refused.

import { FLAG_TYPES, OPTION_TYPES, type FlagType } from './fleet-flag-table.js';

/** Flags Fleet refuses because they break fleetd (validateJSONAgentOptionsInternal). */
export const FLEET_REFUSED_FLAGS = ['host_identifier', 'extensions_autoload', 'database_path'] as const;

const TOP_KEYS = new Set([
  'script_execution_timeout',
  'config',
  'overrides',
  'command_line_flags',
  'extensions',
  'update_channels',
]);
const CONFIG_KEYS = new Set([
  'options',
  'schedule',
  'packs',
  'file_paths',
  'file_accesses',
  'file_paths_query',
  'exclude_paths',
  'yara',
  'prometheus_targets',
  'views',
  'decorators',
  'auto_table_construction',
  'events',
]);
const EXTENSION_KEYS = new Set(['channel', 'platform', 'labels']);

function typeIssue(path: string, type: FlagType, v: unknown): string | null {
  const int = typeof v === 'number' && Number.isInteger(v);
  switch (type) {
    case 'bool':
      return typeof v === 'boolean' ? null : `${path}: expected type bool but got ${typeof v}`;
    case 'string':
      return typeof v === 'string' ? null : `${path}: expected type string but got ${typeof v}`;
    case 'uint64':
    case 'uint32':
      return int && (v as number) >= 0 && (type === 'uint64' || (v as number) <= 0xffff_ffff)
        ? null
        : `${path}: expected type ${type} but got ${JSON.stringify(v)}`;
    case 'int32':
      return int && Math.abs(v as number) <= 0x7fff_ffff
        ? null
        : `${path}: expected type int32 but got ${JSON.stringify(v)}`;
  }
}

/** Every reason Fleet would refuse this agent options object (empty when it applies). */
export function agentOptionsIssues(opts: unknown): string[] {
  if (!opts || typeof opts !== 'object' || Array.isArray(opts)) return ['agent options must be a mapping'];
  const o = opts as Record<string, unknown>;
  const out: string[] = [];
  for (const k of Object.keys(o))
    if (!TOP_KEYS.has(k)) out.push(`unknown field "${k}" at the top level of agent options`);
  const flags = o.command_line_flags;
  if (flags !== undefined && flags !== null) {
    if (typeof flags !== 'object' || Array.isArray(flags)) out.push('command_line_flags must be a mapping');
    else {
      for (const [k, v] of Object.entries(flags)) {
        const t = FLAG_TYPES.get(k);
        if (!t) out.push(`command-line flags: unknown field "${k}"`);
        else {
          const e = typeIssue(`command_line_flags.${k}`, t, v);
          if (e) out.push(`command-line flags: ${e}`);
        }
        if ((FLEET_REFUSED_FLAGS as readonly string[]).includes(k))
          out.push(`The --${k} flag isn't supported. Please remove this flag.`);
      }
    }
  }
  if (o.config !== undefined) {
    if (!o.config || typeof o.config !== 'object' || Array.isArray(o.config)) out.push('config must be a mapping');
    else {
      const cfg = o.config as Record<string, unknown>;
      for (const k of Object.keys(cfg)) if (!CONFIG_KEYS.has(k)) out.push(`common config: unknown field "${k}"`);
      if (cfg.options !== undefined && cfg.options !== null) {
        if (typeof cfg.options !== 'object' || Array.isArray(cfg.options))
          out.push('common config: options must be a mapping');
        else {
          for (const [k, v] of Object.entries(cfg.options)) {
            const t = OPTION_TYPES.get(k);
            if (!t)
              out.push(
                `common config: unknown field "${k}"${FLAG_TYPES.has(k) ? ' (a command-line flag, not a config option)' : ''}`,
              );
            else {
              const e = typeIssue(`options.${k}`, t, v);
              if (e) out.push(`common config: ${e}`);
            }
          }
          const ep = (cfg.options as Record<string, unknown>).logger_tls_endpoint;
          if (typeof ep === 'string' && ep !== '' && !ep.startsWith('/'))
            out.push("common config: options.logger_tls_endpoint must be a path starting with '/'");
        }
      }
    }
  }
  if (o.extensions !== undefined) {
    if (!o.extensions || typeof o.extensions !== 'object' || Array.isArray(o.extensions))
      out.push('extensions must be a mapping');
    else {
      for (const [name, info] of Object.entries(o.extensions as Record<string, unknown>)) {
        if (!info || typeof info !== 'object') out.push(`extensions.${name} must be a mapping`);
        else
          for (const [k, v] of Object.entries(info)) {
            if (!EXTENSION_KEYS.has(k)) continue; // decoded non-strictly (json.Unmarshal)
            if (k !== 'labels' && typeof v !== 'string') out.push(`extensions.${name}.${k}: expected type string`);
          }
      }
    }
  }
  return out;
}
