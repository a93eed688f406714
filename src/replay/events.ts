// One line of osqueryd's results log, as osquery writes it
// (osquery/core/query.cpp serializeQueryLogItem / serializeQueryLogItemAsEvents;
// the filesystem logger, plugins/logger/filesystem_logger.cpp, writes one per
// line: differential results to osqueryd.results.log, snapshots to
// osqueryd.snapshots.log). Three shapes:
//   batched snapshot:     {"snapshot":[rows],"action":"snapshot", ...envelope}
//   batched differential: {"diffResults":{"added":[rows],"removed":[rows]}, ...envelope}
//   event (one row):      {"columns":{row},"action":"added|removed|snapshot", ...envelope}
// The envelope: name, hostIdentifier, calendarTime, unixTime, epoch, counter,
// numerics, and decorations (an object, or its keys at the top level with
// --decorations_top_level). With --logger_numerics, numeric columns are JSON
// numbers; rows are normalised to text as osqueryi prints them.
import { z } from 'zod';
import { ReplayInputError } from './lines.js';

export type EvidenceRow = Readonly<Record<string, string>>;

export type ResultEvent =
  | { readonly shape: 'snapshot'; readonly rows: readonly EvidenceRow[] }
  | { readonly shape: 'diff'; readonly added: readonly EvidenceRow[]; readonly removed: readonly EvidenceRow[] }
  | { readonly shape: 'row'; readonly action: 'added' | 'removed' | 'snapshot'; readonly row: EvidenceRow };

export interface LoggedEvent {
  readonly host: string;
  readonly name: string;
  readonly unixTime: number;
  readonly epoch: number;
  readonly counter: number;
  readonly event: ResultEvent;
  readonly file: string;
  readonly line: number;
}

// unixTime is a JSON number since osquery 3; older loggers wrote text.
const whole = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
]);

const Envelope = z.object({
  name: z.string().min(1).max(1024),
  hostIdentifier: z.string().min(1).max(1024),
  unixTime: whole,
  epoch: whole.optional(),
  counter: whole.optional(),
  action: z.enum(['snapshot', 'added', 'removed']).optional(),
});

function rows(value: unknown, what: string, fail: (m: string) => never): EvidenceRow[] {
  if (!Array.isArray(value)) fail(`${what} must be an array of rows`);
  const out = new Array<EvidenceRow>((value as unknown[]).length);
  (value as unknown[]).forEach((r, i) => (out[i] = row(r, `${what}[${i}]`, fail)));
  return out;
}

/** A row of text values; numbers and booleans (--logger_numerics) become text, null ''. */
function row(value: unknown, what: string, fail: (m: string) => never): EvidenceRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`${what} must be an object of column values`);
  const obj = value as Record<string, unknown>;
  let copy: Record<string, string> | null = null;
  for (const k in obj) {
    const v = obj[k];
    if (typeof v === 'string') {
      if (copy !== null) copy[k] = v;
      continue;
    }
    if (typeof v !== 'number' && typeof v !== 'boolean' && v !== null) fail(`${what}.${k} must be text or a number`);
    if (copy === null) {
      copy = {};
      for (const k2 in obj) {
        if (k2 === k) break;
        copy[k2] = obj[k2] as string;
      }
    }
    copy[k] = v === null ? '' : String(v);
  }
  return (copy ?? obj) as EvidenceRow;
}

/** Parses one log line; every problem is a ReplayInputError naming the file and line. */
export function parseEvent(text: string, file: string, line: number): LoggedEvent {
  const fail = (message: string): never => {
    throw new ReplayInputError(file, line, message);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail(`not JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    fail('expected one JSON object per line (an osquery results log event)');
  const d = doc as Record<string, unknown>;
  const env = Envelope.safeParse({
    name: d.name,
    hostIdentifier: d.hostIdentifier,
    unixTime: d.unixTime,
    epoch: d.epoch,
    counter: d.counter,
    action: d.action,
  });
  if (!env.success) {
    const issue = env.error.issues[0];
    fail(`not an osquery result event: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const e = env.data!;
  let event: ResultEvent;
  if (d.snapshot !== undefined) {
    event = { shape: 'snapshot', rows: rows(d.snapshot, 'snapshot', fail) };
  } else if (d.diffResults !== undefined) {
    const dr = d.diffResults;
    if (typeof dr !== 'object' || dr === null || Array.isArray(dr)) fail('diffResults must be an object');
    const o = dr as Record<string, unknown>;
    event = {
      shape: 'diff',
      added: rows(o.added ?? [], 'diffResults.added', fail),
      removed: rows(o.removed ?? [], 'diffResults.removed', fail),
    };
  } else if (d.columns !== undefined) {
    if (e.action === undefined) fail('an event with "columns" needs an action (added, removed or snapshot)');
    event = { shape: 'row', action: e.action!, row: row(d.columns, 'columns', fail) };
  } else {
    fail('no snapshot, diffResults or columns: not a scheduled query result');
  }
  return {
    host: e.hostIdentifier,
    name: e.name,
    unixTime: e.unixTime,
    epoch: e.epoch ?? 0,
    counter: e.counter ?? 0,
    event: event!,
    file,
    line,
  };
}
