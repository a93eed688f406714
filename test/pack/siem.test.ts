// The SIEM searches in docs/siem.md against the events osquery really writes
// and the fields the SIEMs really have. Every documented sample event is
// parsed; each search is interpreted step by step over the events it selects:
//   Splunk: KV_MODE=json extraction (nested keys joined with "."), then
//     rename (a rename onto an existing field loses that field), eval, where,
//     stats (a BY field missing from an event drops the event), sort.
//   ES|QL: the Elastic osquery integration's ingest pipeline
//     (elastic/integrations packages/osquery/data_stream/result/elasticsearch/
//     ingest_pipeline/default.yml: json -> osquery.result.*, empty-string
//     columns dropped, hostIdentifier/unixTime/calendarTime renamed,
//     @timestamp from unixTime), then every field must be mapped: statically
//     (packages/osquery/data_stream/result/fields/fields.yml) or by the
//     @custom mapping the doc gives; MV_EXPAND of an array of objects fails.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Event = Record<string, unknown>;
type Flat = Map<string, unknown>;

const doc = readFileSync(join(process.cwd(), 'docs', 'siem.md'), 'utf8');
const blocks = (lang: string) =>
  [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1].trim());
const jsonLines = blocks('json')
  .flatMap((b) => b.split('\n'))
  .map((l) => JSON.parse(l) as Event);
const samples = jsonLines.filter((e) => typeof e.name === 'string');
const customMapping = jsonLines.find((e) => 'template' in e);

function flatten(v: unknown, prefix: string, out: Flat): Flat {
  if (v && typeof v === 'object' && !Array.isArray(v))
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  else out.set(prefix, v);
  return out;
}

// Fields osquery's Elastic integration maps statically (fields.yml, the part we use).
const STATIC = new Set([
  'osquery.result.action',
  'osquery.result.name',
  'osquery.result.host_identifier',
  'osquery.result.unix_time',
  'osquery.result.calendar_time',
  'osquery.result.counter',
  'osquery.result.epoch',
  '@timestamp',
  ...[
    'path',
    'pid',
    'name',
    'protocol',
    'enabled',
    'state',
    'status',
    'username',
    'directory',
    'filename',
    'process',
    'type',
    'uid',
    'gid',
    'size',
    'mode',
    'inode',
  ].map((c) => `osquery.result.columns.${c}`),
  ...['name', 'path', 'pid', 'host_uuid', 'username'].map((c) => `osquery.result.decorations.${c}`),
]);
const CUSTOM = new Set(
  customMapping
    ? [...flatten(customMapping, '', new Map()).keys()]
        .filter((k) => k.endsWith('.type'))
        .map((k) =>
          k
            .replace(/^template\.mappings\.properties\./, '')
            .replace(/\.properties\./g, '.')
            .replace(/\.type$/, ''),
        )
    : [],
);

/** The Elastic osquery integration's pipeline, the steps that shape fields. */
function elasticIngest(e: Event): Flat {
  const result: Event = { ...e };
  for (const key of ['columns', 'decorations']) {
    if (result[key] && typeof result[key] === 'object')
      result[key] = Object.fromEntries(Object.entries(result[key] as Event).filter(([, v]) => v !== ''));
  }
  for (const [from, to] of [
    ['hostIdentifier', 'host_identifier'],
    ['unixTime', 'unix_time'],
    ['calendarTime', 'calendar_time'],
  ]) {
    if (from in result) {
      result[to] = result[from];
      delete result[from];
    }
  }
  const out = flatten({ osquery: { result } }, '', new Map());
  if (typeof e.unixTime === 'number') out.set('@timestamp', e.unixTime);
  return out;
}

const KEYWORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'LIKE',
  'BY',
  'DESC',
  'ASC',
  'IS',
  'NULL',
  'as',
  'by',
  'OR',
  'AND',
  'NOT',
]);
/** Field names in an expression: identifiers outside quotes that are not function calls or keywords. */
function fieldsIn(expr: string): string[] {
  const bare = expr.replace(/"[^"]*"/g, ' ');
  return [...bare.matchAll(/[@A-Za-z_][\w.@*]*/g)]
    .filter((m) => !/^\s*\(/.test(bare.slice((m.index ?? 0) + m[0].length)))
    .map((m) => m[0])
    .filter((w) => !KEYWORDS.has(w));
}

// ---- Splunk --------------------------------------------------------------

function splunkRun(search: string, event: Event): string[] {
  const errors: string[] = [];
  let f = flatten(event, '', new Map());
  f.set('_time', event.unixTime);
  const need = (name: string, where: string) => {
    if (!f.has(name)) errors.push(`${where}: field ${name} is not in the event`);
  };
  for (const raw of search.split(/\n\s*\|/).map((s) => s.trim())) {
    const [cmd, ...rest] = raw.split(/\s+/);
    const body = rest.join(' ');
    if (cmd === 'rename') {
      for (const pair of body.split(',')) {
        const [from, to] = pair.trim().split(/\s+as\s+/);
        const moves = from.endsWith('*')
          ? [...f.keys()]
              .filter((k) => k.startsWith(from.slice(0, -1)))
              .map((k) => [k, to.replace('*', k.slice(from.length - 1))])
          : [[from, to]];
        const next = new Map(f);
        for (const [a] of moves) next.delete(a);
        for (const [a, b] of moves) {
          if (f.has(b) && !moves.some(([x]) => x === b))
            errors.push(`rename ${a} as ${b} overwrites the event's own ${b}`);
          next.set(b, f.get(a));
        }
        f = next;
      }
    } else if (cmd === 'eval') {
      const eq = body.indexOf('=');
      for (const x of fieldsIn(body.slice(eq + 1))) need(x, 'eval');
      f.set(body.slice(0, eq).trim(), 'computed');
    } else if (cmd === 'where') {
      for (const x of fieldsIn(body)) need(x, 'where');
    } else if (cmd === 'stats') {
      const [aggs, by = ''] = body.split(/\s+by\s+/);
      const out: Flat = new Map();
      for (const m of aggs.matchAll(/\w+\((\w[\w.]*)\)\s+as\s+(\w+)/g)) out.set(m[2], f.get(m[1]));
      for (const b of by.split(/\s+/).filter(Boolean)) {
        need(b, 'stats by (an event without it is dropped)');
        out.set(b, f.get(b));
      }
      // Aggregates ignore events without the field, but a field no selected event has is a typo.
      f = out;
    } else if (cmd === 'sort') {
      for (const x of fieldsIn(body)) need(x, 'sort');
    } else if (cmd !== 'index=osquery' && !raw.startsWith('index=')) {
      errors.push(`unsupported command ${cmd}`);
    }
  }
  return errors;
}

/** Events a search's base terms select: name globs and action. */
function splunkSelects(search: string, e: Event): boolean {
  const base = search.split('\n')[0];
  const names = [...base.matchAll(/name="([^"]+)"/g)].map((m) => new RegExp(`^${m[1].replace(/\*/g, '.*')}$`));
  const action = /action=(\w+)/.exec(base)?.[1];
  return names.some((r) => r.test(String(e.name))) && (!action || e.action === action);
}

test('docs/siem.md has sample events for every query and Splunk and ES|QL searches', () => {
  assert.ok(samples.length >= 11, String(samples.length));
  assert.ok(blocks('spl').length >= 2);
  assert.ok(blocks('esql').length >= 2);
});

test('Splunk: every field each search references exists in every sample event it selects; no rename clobbers a field', () => {
  for (const search of blocks('spl')) {
    const selected = samples.filter((e) => splunkSelects(search, e));
    assert.ok(selected.length > 0, `no sample event for: ${search.split('\n')[0]}`);
    for (const e of selected) assert.equal(splunkRun(search, e), [], `${String(e.name)}: ${search.split('\n')[0]}`);
  }
});

test('Splunk: the old rename columns.* as * is caught clobbering the query name', () => {
  const old =
    'index=osquery sourcetype="osquery:results" action=added (name="*core_masquerade")\n| rename columns.* as *\n| stats dc(name) as signals by hostIdentifier pid path';
  const e = samples.find((x) => String(x.name).endsWith('core_masquerade'))!;
  assert.match(splunkRun(old, e).join(), /overwrites the event's own name/);
});

// ---- ES|QL ---------------------------------------------------------------

function esqlRun(query: string, e: Flat): string[] {
  const errors: string[] = [];
  const defined = new Set<string>();
  const use = (x: string, where: string) => {
    if (defined.has(x)) return;
    if (!STATIC.has(x) && !CUSTOM.has(x)) errors.push(`${where}: ${x} is not mapped`);
    else if (!e.has(x)) errors.push(`${where}: ${x} is not in the event`);
  };
  for (const raw of query.split(/\n\s*\|/).map((s) => s.trim())) {
    const [cmd, ...rest] = raw.split(/\s+/);
    const body = rest.join(' ');
    switch (cmd) {
      case 'FROM':
        if (!body.startsWith('logs-osquery.result-')) errors.push(`FROM ${body}: not the integration's data stream`);
        break;
      case 'WHERE':
      case 'SORT':
        for (const x of fieldsIn(body)) use(x, cmd);
        break;
      case 'EVAL':
      case 'STATS': {
        const [aggs, by = ''] = body.split(/\s+BY\s+/);
        for (const part of aggs.split(/,\s*(?![^(]*\))/)) {
          const eq = part.indexOf('=');
          for (const x of fieldsIn(part.slice(eq + 1))) use(x, cmd);
          defined.add(part.slice(0, eq).trim());
        }
        for (const x of by
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean))
          use(x, 'BY');
        break;
      }
      case 'MV_EXPAND': {
        const v = e.get(body) ?? [...e.entries()].find(([k]) => k === body)?.[1];
        if (Array.isArray(v) && v.some((x) => x && typeof x === 'object'))
          errors.push(`MV_EXPAND ${body}: an array of objects`);
        else use(body, cmd);
        break;
      }
      default:
        errors.push(`unsupported command ${cmd}`);
    }
  }
  return errors;
}

function esqlSelects(query: string, e: Event): boolean {
  const m = /osquery\.result\.name LIKE "([^"]+)"/.exec(query);
  const action = /osquery\.result\.action == "(\w+)"/.exec(query)?.[1];
  const gap = /columns\.reasons == "(\w+)"/.exec(query)?.[1];
  const cols = (e.columns ?? {}) as Event;
  return (
    !!m &&
    new RegExp(`^${m[1].replace(/\*/g, '.*')}$`).test(String(e.name)) &&
    (!action || e.action === action) &&
    (!gap || cols.reasons === gap)
  );
}

test('ES|QL: the custom mapping note covers what the searches use beyond the static mapping', () => {
  assert.equal([...CUSTOM].sort(), [
    'osquery.result.columns.reasons',
    'osquery.result.columns.score',
    'osquery.result.columns.severity',
  ]);
});

test('ES|QL: every field each query references is mapped and present in each sample event it selects', () => {
  for (const q of blocks('esql')) {
    const selected = samples.filter((e) => esqlSelects(q, e));
    assert.ok(selected.length > 0, `no sample event for: ${q}`);
    for (const e of selected) assert.equal(esqlRun(q, elasticIngest(e)), [], `${String(e.name)}: ${q.split('\n')[1]}`);
  }
});

test('ES|QL: the old snapshot search fails (MV_EXPAND of objects) and unmapped columns are caught', () => {
  const snap = samples.find((e) => Array.isArray(e.snapshot))!;
  assert.match(
    esqlRun('FROM logs-osquery.result-*\n| MV_EXPAND osquery.result.snapshot', elasticIngest(snap)).join(),
    /array of objects/,
  );
  const comp = samples.find((e) => String(e.name).endsWith('composite_finding'))!;
  assert.match(
    esqlRun('FROM logs-osquery.result-*\n| WHERE osquery.result.columns.cpu_band == "x"', elasticIngest(comp)).join(),
    /cpu_band is not mapped/,
  );
  // The pipeline drops empty columns: a ready host's reasons is absent, not "".
  assert.not.ok(elasticIngest({ ...snap, columns: { reasons: '' } }).has('osquery.result.columns.reasons'));
});

test.run();
