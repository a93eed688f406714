// Rendering turns a pack query's SQL-with-markers into the SQL osqueryd runs.
// A marker is written as a placeholder value followed by a comment, e.g.
//   AND NOT (0 /*@approved path=s.path name=s.name cmdline=s.cmdline*/)
// so the unrendered file is still valid SQL (the placeholder is what an
// empty catalog means), and the rendered one carries the organisation's
// baseline and the catalogs of src/intel inline (the same data the extension
// judges by) — Fleet and osqueryd have no include mechanism, so the data must
// be in the query text itself.
import type { BaselineSpec } from '../intel/baseline.js';
import { IPV4_INTERNAL, IPV6_INTERNAL, MINING_POOL_PORTS } from '../intel/network.js';
import { AUTHENTICODE_NOT_VALIDLY_SIGNED } from './conformance/osquery.js';
import { CPU_BAND_BELOW, CPU_BANDS } from '../intel/cpu-bands.js';
import { SPOOFED_FOLDER_GLOBS, SYSTEM_FOLDERS, USER_WRITABLE_FOLDERS } from '../intel/folders.js';
import { anyGlob, sqlGlob, sqlString } from './sql-text.js';
import { foldPath, namesPath, pathObscured, userWritableIn } from './render-folders.js';
import { renderApproved } from './render-baseline.js';
import { renderMinerMatch, renderMinerReasons } from './render-miner.js';
import {
  renderAn1489Vector,
  renderLaunchReason,
  renderLaunchVector,
  renderMentionsVector,
  renderScheduleHostVector,
} from './render-launch.js';
import {
  renderCodeHost,
  renderLocationUnexpected,
  renderOsqueryAutoloaded,
  renderSameProgram,
  renderVendorMisplaced,
  renderVendorTask,
  renderVendorActionText,
  renderVouched,
  renderVouchedPids,
} from './render-binary.js';

// Each renderer is exported from here too, for tests that hold SQL to its TypeScript source.
export * from './render-baseline.js';
export * from './render-binary.js';
export * from './render-launch.js';
export * from './render-miner.js';
export { sqlString } from './sql-text.js';

/** The CPU band CASE over a percentage expression (src/intel/cpu-bands.ts). */
export function renderCpuBand(expr: string): string {
  return `CASE ${CPU_BANDS.map((b) => `WHEN ${expr} >= ${b.min} THEN ${sqlString(b.label)}`).join(' ')} ELSE ${sqlString(CPU_BAND_BELOW)} END`;
}

/**
 * True when a peer address (lower case, IPv4-mapped IPv6 already reduced to
 * its IPv4 text) is in the non-internet space of src/intel/network.ts, or is
 * no peer at all ('' and UDP's '0'). String tests only: osquery's
 * in_cidr_block raises an error on an IPv6 address against an IPv4 block
 * (sqlite_network.cpp), which would fail the whole query. IPv6 prefixes are
 * matched on a first group of four digits, as Windows prints them.
 */
export function renderInternalAddress(expr: string): string {
  const v4 = IPV4_INTERNAL.map(([net, len]) => {
    const octets = net.split('.').map(Number);
    const whole = Math.floor(len / 8);
    const fixed = octets
      .slice(0, whole)
      .map((o) => `${o}.`)
      .join('');
    if (len === 32) return `${expr} = ${sqlString(net)}`;
    if (len % 8 === 0) return `${expr} GLOB ${sqlGlob(`${fixed}*`)}`;
    const lo = octets[whole] & ((0xff << (8 - (len % 8))) & 0xff);
    const hi = lo + (1 << (8 - (len % 8))) - 1;
    const octet = whole === 0 ? `CAST(${expr} AS INTEGER)` : `CAST(substr(${expr}, ${fixed.length + 1}) AS INTEGER)`;
    return `(${expr} GLOB ${sqlGlob(`${fixed}*.*`)} AND instr(${expr}, ':') = 0 AND ${octet} BETWEEN ${lo} AND ${hi})`;
  });
  const v6 = IPV6_INTERNAL.map(([net, len]) => {
    const hex = net.toString(16).padStart(4, '0');
    let glob = '';
    for (let i = 0; i < 4; i++) {
      const bits = Math.max(0, Math.min(4, len - 4 * i));
      const nib = parseInt(hex[i], 16) & ((0xf << (4 - bits)) & 0xf);
      const digits = Array.from({ length: 1 << (4 - bits) }, (_, k) => (nib + k).toString(16));
      glob += digits.length === 1 ? digits[0] : digits.length === 16 ? '[0-9a-f]' : `[${digits.join('')}]`;
    }
    return `${expr} GLOB '${glob}:*'`;
  });
  return `(${expr} IN ('', '0', '::', '::1') OR ${[...v4, ...v6].join(' OR ')})`;
}

export interface RenderInputs {
  readonly baseline: BaselineSpec;
  /** The osquery flags the pack's queries need (catalog.ts telemetryFlags), for @telemetry_ready. */
  readonly telemetry?: readonly string[];
}

/**
 * Over osquery_flags rows (`name`, `value`), an aggregate that is 1 when
 * events are on and every flag the pack's queries need is true: one list,
 * their `telemetry:` headers, serves the readiness query and the policy.
 */
function renderTelemetryReady(flags: readonly string[]): string {
  const on = (flag: string, value: string) =>
    `max(CASE WHEN name = ${sqlString(flag)} THEN value = ${sqlString(value)} END) = 1`;
  return `(${[on('disable_events', 'false'), ...flags.map((f) => on(f, 'true'))].join(' AND ')})`;
}

const MARKER = /(0|'')\s*\/\*@([a-z][a-z0-9_]*)((?:\s+[a-z0-9_]+=[^\s*]+)*)\s*\*\//g;

/** Replaces every marker; an unknown marker or argument is an error, never left in place. */
export function renderSql(sql: string, inputs: RenderInputs, source = 'query'): string {
  return sql.replace(MARKER, (_all, _placeholder: string, kind: string, argText: string) => {
    const args: Record<string, string> = {};
    for (const m of argText.trim().split(/\s+/).filter(Boolean)) {
      const eq = m.indexOf('=');
      args[m.slice(0, eq)] = m.slice(eq + 1);
    }
    const need = (k: string): string => {
      const v = args[k];
      if (!v) throw new Error(`${source}: marker @${kind} needs ${k}=`);
      return v;
    };
    switch (kind) {
      case 'approved':
        return renderApproved(inputs.baseline, {
          path: need('path'),
          name: need('name'),
          cmdline: args.cmdline,
          signer: args.signer,
          sha256: args.sha256,
        });
      case 'miner_match':
        return renderMinerMatch(need('expr'));
      case 'miner_reasons':
        return renderMinerReasons(need('expr'));
      case 'user_writable':
        return anyGlob(need('expr'), USER_WRITABLE_FOLDERS);
      case 'fold_path':
        return foldPath(need('expr'));
      case 'user_writable_in':
        return userWritableIn(need('expr'), args.folded === '1');
      case 'names_path':
        return namesPath(need('text'), need('path'), args.folded === '1');
      case 'telemetry_ready':
        if (!inputs.telemetry) throw new Error(`${source}: marker @telemetry_ready needs the pack's telemetry flags`);
        return renderTelemetryReady(inputs.telemetry);
      case 'telemetry_flags':
        if (!inputs.telemetry) throw new Error(`${source}: marker @telemetry_flags needs the pack's telemetry flags`);
        return ['disable_events', ...inputs.telemetry].map(sqlString).join(', ');
      case 'path_obscured':
        return pathObscured(need('expr'), args.folded === '1');
      case 'spoofed_folder':
        return anyGlob(need('expr'), SPOOFED_FOLDER_GLOBS);
      case 'pool_port':
        // The same list the connection table judges pool_port by.
        return `(${need('expr')} IN (${MINING_POOL_PORTS.join(', ')}))`;
      case 'not_validly_signed':
        // A path authenticode could not verify has no row: unknown, not unsigned.
        return `(${need('expr')} IN (${AUTHENTICODE_NOT_VALIDLY_SIGNED.map(sqlString).join(', ')}))`;
      case 'cpu_band':
        return renderCpuBand(need('expr'));
      case 'launch_vector':
        return renderLaunchVector(need('pid'), need('name'), need('cmdline'), args.services === '1');
      case 'schedule_host_vector':
        return renderScheduleHostVector(need('vector'), need('ancestry'));
      case 'vendor_misplaced':
        return renderVendorMisplaced(need('expr'));
      case 'vendor_task':
        return renderVendorTask(need('name'), need('action'), args.text);
      case 'vendor_action_text':
        return renderVendorActionText(need('expr'));
      case 'same_program':
        return renderSameProgram(need('name'), need('original'));
      case 'code_host':
        return renderCodeHost(need('expr'));
      case 'vouched_pids':
        return renderVouchedPids(need('from'));
      case 'vouched':
        return renderVouched({
          status: need('status'),
          result: need('result'),
          renamed: need('renamed'),
          verdict: need('verdict'),
          reasons: need('reasons'),
          path: need('path'),
          misplaced: args.misplaced,
        });
      case 'system_path':
        return anyGlob(need('expr'), SYSTEM_FOLDERS);
      case 'internal_address':
        return renderInternalAddress(need('expr'));
      case 'an1489_vector':
        return renderAn1489Vector(need('expr'));
      case 'mentions_vector':
        return renderMentionsVector(need('vector'), need('expr'));
      case 'launch_reason':
        return renderLaunchReason(need('expr'));
      case 'location_unexpected':
        return renderLocationUnexpected(need('name'), need('path'));
      case 'osquery_autoloaded':
        return renderOsqueryAutoloaded(need('pid'));
      default:
        throw new Error(`${source}: unknown marker @${kind}`);
    }
  });
}

/** Markers that survived rendering mean a typo in the marker syntax. */
export function leftoverMarkers(sql: string): string[] {
  return [...sql.matchAll(/\/\*@[^*]*\*\//g)].map((m) => m[0]);
}
