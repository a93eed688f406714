// The baseline of approved workloads (packs/baseline.yml): the busy processes
// an organisation expects — backup agents, build agents, SQL Server — so a
// hunt for sustained CPU does not drown in them. One file serves two readers:
// the pack renders it into SQL for Fleet (src/pack/render.ts), and the
// extension's process_cpu_sustained table asks isApproved() locally. Both
// must agree, so the matching rules (ASCII case-insensitive globs, cron
// windows evaluated in UTC minutes) are defined once here and the SQL
// renderer reuses the parsed cron sets and glob rules from this module.
//
// This lives in intel (below tables) because the table layer may not depend
// on the pack layer.
import { readFile } from 'node:fs/promises';
import cron from 'node-cron';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

// --- globs ---------------------------------------------------------------

/** ASCII-only lower-casing, exactly what SQLite's lower() does. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * A baseline glob: `*` is any run of characters (path separators included),
 * `?` one character, everything else literal, ASCII case-insensitive. This is
 * SQLite's GLOB applied to lower() of both sides, with `[` made literal.
 * Matched by the two-pointer wildcard walk, which on a star failure resumes
 * just after the latest star: at most pattern x value steps, where a regular
 * expression with several `.*` could backtrack polynomially on a long,
 * attacker-chosen path or command line.
 */
export function globMatches(pattern: string, value: string): boolean {
  const p = lowerPattern(pattern);
  const v = asciiLower(value);
  let i = 0;
  let j = 0;
  let star = -1;
  let resume = 0;
  while (j < v.length) {
    const c = p[i];
    if (c !== undefined && c !== '*' && (c === '?' || c === v[j])) {
      i++;
      j++;
    } else if (c === '*') {
      star = i++;
      resume = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++resume;
    } else return false;
  }
  while (p[i] === '*') i++;
  return i === p.length;
}

const globCache = new Map<string, string>();
function lowerPattern(pattern: string): string {
  let p = globCache.get(pattern);
  if (p === undefined) {
    p = asciiLower(pattern);
    globCache.set(pattern, p);
  }
  return p;
}

// --- cron ------------------------------------------------------------------

export interface CronSets {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday. */
  readonly daysOfWeek: ReadonlySet<number>;
  /** Whether the field was `*` (cron's day-of-month/day-of-week OR rule depends on it). */
  readonly domAny: boolean;
  readonly dowAny: boolean;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function parseField(
  field: string,
  min: number,
  max: number,
  names: readonly string[] | null,
  nameBase: number,
): Set<number> {
  const out = new Set<number>();
  const value = (token: string): number => {
    const byName = names ? names.indexOf(token.toLowerCase().slice(0, 3)) : -1;
    if (names && byName >= 0 && /^[a-z]+$/i.test(token)) return byName + nameBase;
    if (!/^\d+$/.test(token)) throw new Error(`"${token}" is not a number`);
    return Number(token);
  };
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = min;
      hi = max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      lo = value(a);
      hi = value(b);
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : max;
    }
    if (lo < min || hi > max || lo > hi) throw new Error(`"${part}" is outside ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/**
 * Parses a five-field cron expression (minute hour day-of-month month
 * day-of-week). node-cron's validate() is the gate, so what we accept is what
 * a cron user expects; seconds fields are refused because windows are kept to
 * the minute, which is also the resolution the SQL rendering works in.
 */
export function parseCron(expression: string): CronSets {
  const trimmed = expression.trim();
  if (!cron.validate(trimmed)) throw new Error(`"${expression}" is not a valid cron expression`);
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5)
    throw new Error(`"${expression}": use five fields (minute hour day month weekday); seconds are not supported`);
  const [mi, h, dom, mo, dow] = fields;
  const daysOfWeek = parseField(dow, 0, 7, DAY_NAMES, 0);
  if (daysOfWeek.has(7)) {
    daysOfWeek.delete(7);
    daysOfWeek.add(0);
  }
  return {
    minutes: parseField(mi, 0, 59, null, 0),
    hours: parseField(h, 0, 23, null, 0),
    daysOfMonth: parseField(dom, 1, 31, null, 0),
    months: parseField(mo, 1, 12, MONTH_NAMES, 1),
    daysOfWeek,
    domAny: dom === '*',
    dowAny: dow === '*',
  };
}

/** Whether a UTC minute (minutes since the epoch) is a firing time. */
export function cronMatchesMinute(sets: CronSets, epochMinute: number): boolean {
  const d = new Date(epochMinute * 60_000);
  if (!sets.minutes.has(d.getUTCMinutes()) || !sets.hours.has(d.getUTCHours()) || !sets.months.has(d.getUTCMonth() + 1))
    return false;
  const domOk = sets.daysOfMonth.has(d.getUTCDate());
  const dowOk = sets.daysOfWeek.has(d.getUTCDay());
  // cron: when both day fields are restricted, either may match.
  if (!sets.domAny && !sets.dowAny) return domOk || dowOk;
  return domOk && dowOk;
}

// --- the file ------------------------------------------------------------

const glob = z
  .string()
  .min(1)
  .refine((s) => !/[\x00-\x1f]/.test(s), 'control characters are not allowed in a glob');

const duration = z
  .union([z.number().int(), z.string()])
  .transform((v, ctx) => {
    if (typeof v === 'number') return v;
    const m = /^(\d+)\s*(m|h|d)$/.exec(v.trim());
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration like 90m, 4h or 1d` });
      return z.NEVER;
    }
    return Number(m[1]) * (m[2] === 'm' ? 1 : m[2] === 'h' ? 60 : 1440);
  })
  .pipe(
    z
      .number()
      .int()
      .min(1, 'a window lasts at least a minute')
      .max(7 * 1440, 'a window lasts at most 7 days'),
  );

const WindowSchema = z
  .object({
    cron: z.string().superRefine((s, ctx) => {
      try {
        parseCron(s);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
    }),
    /** Minutes (a number) or "90m", "4h", "1d". */
    duration,
  })
  .strict();

const EntrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'an id of lower-case letters, digits, - and _'),
    reason: z.string().min(3, 'say why this workload is approved'),
    names: z.array(glob).default([]),
    paths: z.array(glob).default([]),
    cmdlines: z.array(glob).default([]),
    signers: z.array(glob).default([]),
    sha256: z
      .array(
        z
          .string()
          .regex(/^[0-9a-fA-F]{64}$/, 'a sha256 in hex')
          .transform((s) => s.toLowerCase()),
      )
      .default([]),
    host_groups: z.array(z.string()).default([]),
    maintenance_windows: z.array(WindowSchema).default([]),
  })
  .strict()
  .refine((e) => e.names.length + e.paths.length + e.cmdlines.length + e.signers.length + e.sha256.length > 0, {
    message:
      'an entry must name at least one of names, paths, cmdlines, signers, sha256 (else it would approve everything)',
  });

export const BaselineSchema = z
  .object({
    version: z.literal(1),
    /** Group name → hostname globs. */
    host_groups: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), z.array(glob).min(1)).default({}),
    approved: z.array(EntrySchema).default([]),
  })
  .strict()
  .superRefine((b, ctx) => {
    const ids = new Set<string>();
    b.approved.forEach((e, i) => {
      if (ids.has(e.id))
        ctx.addIssue({ code: 'custom', path: ['approved', i, 'id'], message: `duplicate id "${e.id}"` });
      ids.add(e.id);
      e.host_groups.forEach((g, j) => {
        if (!(g in b.host_groups)) {
          ctx.addIssue({
            code: 'custom',
            path: ['approved', i, 'host_groups', j],
            message: `unknown host group "${g}"`,
          });
        }
      });
    });
  });

export type BaselineSpec = z.infer<typeof BaselineSchema>;
export type BaselineEntry = BaselineSpec['approved'][number];

/** What the matcher needs to know of a process; unknown facts never approve. */
export interface ApprovalSubject {
  readonly name: string;
  readonly path: string;
  readonly cmdline?: string | null;
  readonly signer?: string | null;
  readonly sha256?: string | null;
  readonly hostname?: string | null;
}

export class BaselineError extends Error {
  override name = 'BaselineError';
}

/** Parses baseline YAML text; throws BaselineError naming every problem. */
export function parseBaseline(text: string, source = 'baseline'): BaselineSpec {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new BaselineError(`${source}: not valid YAML: ${(e as Error).message}`);
  }
  const parsed = BaselineSchema.safeParse(doc ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new BaselineError(`${source}: ${detail}`);
  }
  return parsed.data;
}

export interface Baseline {
  readonly spec: BaselineSpec;
  /** The id of the first entry approving the process at `now`, or null. */
  approvedBy(process: ApprovalSubject, now: Date): string | null;
  isApproved(process: ApprovalSubject, now: Date): boolean;
}

export function compileBaseline(spec: BaselineSpec): Baseline {
  const windows = new Map(
    spec.approved.map((e) => [
      e.id,
      e.maintenance_windows.map((w) => ({ sets: parseCron(w.cron), duration: w.duration })),
    ]),
  );
  const anyGlob = (globs: readonly string[], value: string | null | undefined) =>
    globs.length === 0 || (value != null && globs.some((g) => globMatches(g, value)));
  const entryMatches = (e: BaselineEntry, p: ApprovalSubject, now: Date): boolean => {
    if (!anyGlob(e.names, p.name) || !anyGlob(e.paths, p.path) || !anyGlob(e.cmdlines, p.cmdline)) return false;
    if (!anyGlob(e.signers, p.signer)) return false;
    if (e.sha256.length > 0 && (p.sha256 == null || !e.sha256.includes(asciiLower(p.sha256)))) return false;
    if (e.host_groups.length > 0) {
      const globs = e.host_groups.flatMap((g) => spec.host_groups[g] ?? []);
      if (!anyGlob(globs, p.hostname)) return false;
    }
    const ws = windows.get(e.id) ?? [];
    if (ws.length > 0) {
      const nowMinute = Math.floor(now.getTime() / 60_000);
      return ws.some((w) => inWindow(w.sets, w.duration, nowMinute));
    }
    return true;
  };
  const approvedBy = (p: ApprovalSubject, now: Date) => spec.approved.find((e) => entryMatches(e, p, now))?.id ?? null;
  return { spec, approvedBy, isApproved: (p, now) => approvedBy(p, now) !== null };
}

/** A window that fired at minute s covers [s, s + duration). */
export function inWindow(sets: CronSets, durationMinutes: number, nowMinute: number): boolean {
  for (let s = nowMinute; s > nowMinute - durationMinutes; s--) if (cronMatchesMinute(sets, s)) return true;
  return false;
}

/** Reads and validates a baseline file. */
export async function loadBaseline(path: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new BaselineError(
      `cannot read baseline ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return compileBaseline(parseBaseline(text, path));
}

/** A baseline that approves nothing, for hosts without a file. */
export const EMPTY_BASELINE: Baseline = compileBaseline({ version: 1, host_groups: {}, approved: [] });

/** Convenience for a table factory's injected predicate. */
export function isApproved(baseline: Baseline, process: ApprovalSubject, now: Date): boolean {
  return baseline.isApproved(process, now);
}

/**
 * The predicate a table factory takes (process_cpu_sustained's isApproved),
 * from a baseline file. A missing or broken file must not take the extension
 * down or silently approve anything: it is logged as an error and nothing is
 * approved until the file is fixed and the extension restarted. The hostname
 * is this machine's, for host_groups.
 */
export async function approvalPredicate(
  path: string,
  hostname: string,
  log?: (level: 'info' | 'warn' | 'error', message: string) => void,
): Promise<
  (process: { readonly name: string; readonly path: string; readonly cmdline: string | null }, now: Date) => boolean
> {
  let baseline: Baseline;
  try {
    baseline = await loadBaseline(path);
    log?.('info', `baseline: ${baseline.spec.approved.length} approved workload(s) from ${path}`);
  } catch (e) {
    log?.('error', `baseline: ${(e as Error).message}; no workload is approved until it is fixed`);
    baseline = EMPTY_BASELINE;
  }
  return (p, now) => baseline.isApproved({ name: p.name, path: p.path, cmdline: p.cmdline, hostname }, now);
}
