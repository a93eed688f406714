// `an1489 replay`: osqueryd results logs in, the pack's findings out. Every
// host's evidence is replayed in time order into its own history store (see
// host-state.ts); at the end of the input each host's pack queries run on the
// embedded host over our tables (served from that store, as the extension
// serves them) and osquery's tables (the latest logged rows).
import { EmbeddedHost } from '../host/host.js';
import { tokenize } from '../host/sql-tokens.js';
import type { SnapshotTable } from '../host/snapshot.js';
import { compileBaseline } from '../intel/baseline.js';
import { osqueryTable } from '../intel/osquery-schema.js';
import { corePack, fullPack, renderedSql, type PackSources } from '../pack/catalog.js';
import { extensionDeclarations } from '../pack/declarations.js';
import { ColumnOption, type QueryContext, type TablePlugin } from '../sdk/table.js';
import { processConnectionHistoryTable } from '../tables/process_connection_history.js';
import { processCpuHistoryTable } from '../tables/process_cpu_history.js';
import { processCpuSustainedTable } from '../tables/process_cpu_sustained.js';
import { judgeFromOsqueryFacts, type JudgeBinary } from './binary-verdict.js';
import { EvidenceMap, EVIDENCE_TABLES, type EvidenceKind, type EvidenceTable } from './evidence.js';
import { parseEvent, type EvidenceRow, type LoggedEvent } from './events.js';
import { HostReplay, type HostCounters } from './host-state.js';
import { Interner } from './intern.js';
import { DEFAULT_MAX_LINE_BYTES, readLines } from './lines.js';

export interface ReplayOptions {
  /** Log files in osqueryd's format; '-' reads `stdin`. */
  readonly files: readonly string[];
  readonly stdin?: NodeJS.ReadableStream;
  readonly maxLineBytes?: number;
  /** Query names that feed a table under another name than evidence_<table>. */
  readonly map?: ReadonlyMap<string, EvidenceKind>;
  readonly pack: PackSources;
  /** 'full': the pack with the extension's tables (rebuilt by replay); 'core': the core-only pack. */
  readonly variant?: 'full' | 'core';
  /** The sampler's settings (window, interval, thresholds), as the extension would have them. */
  readonly sampler?: {
    readonly intervalSeconds: number;
    readonly windowMinutes: number;
    readonly minCpuPercent?: number;
    readonly minDurationSeconds?: number;
    readonly persistentSeconds?: number;
  };
  readonly judge?: JudgeBinary;
}

export interface QueryFindings {
  readonly query: string;
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, string | null>>[];
}

export interface QueryError {
  readonly query: string;
  readonly message: string;
}

export interface HostResult {
  readonly host: string;
  /** unixTime of the newest event of the host. */
  readonly time: number;
  readonly logicalCpus: number | null;
  readonly counters: Readonly<HostCounters>;
  readonly results: readonly QueryFindings[];
  /** Queries that failed on this host's data (the others still ran). */
  readonly errors: readonly QueryError[];
}

export interface ReplaySummary {
  readonly lines: number;
  readonly ignored: number;
  readonly hosts: number;
}

/** Events of several files merged by unixTime (each file is in time order, as osqueryd writes it). */
async function* merged(opts: ReplayOptions, counter: { lines: number }): AsyncGenerator<LoggedEvent> {
  const max = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const iters = opts.files.map((f) => {
    const lines = readLines(f, max, opts.stdin);
    return (async function* () {
      for await (const l of lines) {
        counter.lines++;
        yield parseEvent(l.text, f, l.line);
      }
    })();
  });
  if (iters.length === 1) {
    yield* iters[0];
    return;
  }
  const heads = await Promise.all(iters.map((it) => it.next()));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (!h.done && (best < 0 || h.value.unixTime < (heads[best].value as LoggedEvent).unixTime)) best = i;
    }
    if (best < 0) return;
    yield heads[best].value as LoggedEvent;
    heads[best] = await iters[best].next();
  }
}

const PER_PROCESS_SIGNATURE = [
  'pid',
  'name',
  'path',
  'original_filename',
  'renamed',
  'expected_location',
  'expected_paths',
  'signed',
  'signature_status',
  'signer_subject',
  'sha256',
  'miner_indicators',
  'verdict',
  'reasons',
];

function osqueryTableRows(
  name: string,
  rows: readonly EvidenceRow[],
  used: ReadonlySet<string> | null = null,
): SnapshotTable {
  const schema = osqueryTable(name);
  if (!schema) throw new Error(`no schema for ${name}`);
  // The same columns for every host: those the queries name (all when unknown);
  // a column the log lacks is NULL, so every query still prepares.
  const columns = schema.columns
    .filter((c) => used === null || used.has(c.name.toLowerCase()))
    .map((c) => ({ name: c.name, type: c.type }));
  return {
    name,
    file: `replay:${name}`,
    columns,
    rows: rows.map((r) => {
      const o: Record<string, string | null> = {};
      for (const c of columns) o[c.name] = r[c.name] ?? null;
      return o;
    }),
  };
}

/** process_signature_check rows, one per running process, judged from the logged file/authenticode/hash facts. */
async function signatureTable(h: HostReplay, judge: JudgeBinary): Promise<SnapshotTable> {
  const decl = (await extensionDeclarations()).find((d) => d.name === 'process_signature_check');
  if (!decl) throw new Error('process_signature_check is not declared');
  const files = new Map(h.pathRows('file').map((r) => [r.path, r]));
  const auth = new Map(h.pathRows('authenticode').map((r) => [r.path, r]));
  const hashes = new Map(h.pathRows('hash').map((r) => [r.path, r]));
  const cmdlines = new Map<string, string[]>();
  const procs = h.tables.get('processes') ?? [];
  for (const p of procs) {
    if (!p.path) continue;
    const list = cmdlines.get(p.path) ?? [];
    if (p.cmdline) list.push(p.cmdline);
    cmdlines.set(p.path, list);
  }
  const judged = new Map<string, ReturnType<JudgeBinary>>();
  const rows = procs.flatMap((p) => {
    if (!p.path) return [];
    let j = judged.get(p.path);
    if (j === undefined) {
      const f = files.get(p.path);
      const a = auth.get(p.path);
      const size = Number(f?.size);
      j = judge({
        path: p.path,
        fileRow: f !== undefined,
        originalFilename: f ? (f.original_filename ?? '') : null,
        size: Number.isSafeInteger(size) && size >= 0 && f?.size !== '' ? size : null,
        authenticode: a?.result || null,
        signerSubject: a?.subject_name || null,
        signerIssuer: a?.issuer_name || null,
        sha256: hashes.get(p.path)?.sha256 || null,
        cmdlines: cmdlines.get(p.path) ?? [],
      });
      judged.set(p.path, j);
    }
    const b = (v: boolean | null) => (v === null ? null : v ? '1' : '0');
    return [
      {
        pid: p.pid ?? null,
        name: j.name,
        path: p.path,
        original_filename: files.get(p.path)?.original_filename || null,
        renamed: b(j.renamed),
        expected_location: b(j.expectedLocation),
        expected_paths: j.expectedPaths.join(','),
        signed: b(j.signed),
        signature_status: j.signatureStatus,
        signer_subject: auth.get(p.path)?.subject_name || null,
        sha256: hashes.get(p.path)?.sha256 || null,
        miner_indicators: j.minerIndicators.join(','),
        verdict: j.verdict,
        reasons: j.reasons.join(','),
      } as Record<string, string | null>,
    ];
  });
  const columns = decl.columns.map((c) => ({ name: c.name, type: c.type }));
  return {
    name: 'process_signature_check',
    file: 'replay:process_signature_check',
    columns,
    rows: rows.map((r) =>
      Object.fromEntries(
        columns.map((c) => [c.name, PER_PROCESS_SIGNATURE.includes(c.name) ? (r[c.name] ?? null) : null]),
      ),
    ),
  };
}

/**
 * Runs the pack host after host on one embedded host: every table is loaded
 * with the first host's rows and then has its rows replaced, so each query is
 * rendered and prepared once for the whole replay. Our tables answer exactly
 * what the extension would (their generate, over the host's store); the
 * pack's queries pass them no parameters, so one generate per host is the
 * whole answer.
 */
class PackReplayRunner {
  private host: EmbeddedHost | null = null;
  private readonly queries: { name: string; sql: string }[];
  /** Every identifier the queries use: osquery columns outside it are never read, so never loaded. */
  private readonly used: ReadonlySet<string>;

  constructor(private readonly opts: ReplayOptions) {
    const all = opts.variant === 'core' ? corePack(opts.pack) : fullPack(opts.pack);
    this.queries = all
      .filter((q) => !q.metadata.name.startsWith('evidence_'))
      .map((q) => ({ name: q.metadata.name, sql: renderedSql(opts.pack, q) }));
    const used = new Set<string>();
    for (const q of this.queries) {
      const tokens = tokenize(q.sql);
      // SELECT * (or t.*) reads every column: then load them all.
      // (A star over a CTE, like composite_finding's, reads no table's columns.)
      const tables = new Set<string>(EVIDENCE_TABLES);
      const star = tokens.some(
        (t, i) =>
          t.kind === 'op' &&
          t.value === '*' &&
          /^(select|distinct|all|,|\.)$/i.test(tokens[i - 1]?.value ?? '') &&
          tokens[i + 1]?.value.toLowerCase() === 'from' &&
          tables.has(tokens[i + 2]?.value.toLowerCase() ?? ''),
      );
      if (star) {
        this.used = new Set(['*']);
        return;
      }
      for (const t of tokens) if (t.kind === 'ident') used.add(t.value.toLowerCase());
    }
    this.used = used;
  }

  /** Whether a query reads `table` (one of ours), so its rows must be generated. */
  reads(table: string): boolean {
    return this.used.has('*') || this.used.has(table);
  }

  async run(h: HostReplay): Promise<HostResult> {
    h.flushAll();
    const tables = await this.tablesFor(h);
    if (this.host === null) this.host = new EmbeddedHost({ tables: [], snapshots: tables });
    else for (const t of tables) this.host.replaceSnapshotRows(t.name, t.rows);
    const results: QueryFindings[] = [];
    const errors: QueryError[] = [];
    for (const q of this.queries) {
      let r;
      try {
        r = await this.host.query(q.sql);
      } catch (e) {
        // One query failing on one host's data must not hide the others' findings.
        errors.push({ query: q.name, message: (e as Error).message });
        continue;
      }
      results.push({
        query: q.name,
        columns: r.columns,
        rows: r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]]))),
      });
    }
    return {
      host: h.host,
      time: h.lastTime,
      logicalCpus: h.cpusKnown ? h.store.logicalCpus : null,
      counters: { ...h.counters },
      results,
      errors,
    };
  }

  private async tablesFor(h: HostReplay): Promise<SnapshotTable[]> {
    const sys = h.tables.get('system_info')?.[0];
    const hostname = sys?.hostname || h.host;
    const baseline = compileBaseline(this.opts.pack.baseline);
    const s = this.opts.sampler;
    const plugins: TablePlugin[] = [
      processCpuHistoryTable(h.store),
      processCpuSustainedTable(h.store, {
        isApproved: (p, now) => baseline.isApproved({ ...p, hostname }, now),
        minCpuPercent: s?.minCpuPercent,
        minDurationSeconds: s?.minDurationSeconds,
      }),
      processConnectionHistoryTable(h.store, { persistentSeconds: s?.persistentSeconds }),
    ];
    const out: SnapshotTable[] = [];
    const everything: QueryContext = { constraints: new Map(), colsUsed: null };
    for (const p of plugins) {
      // A table no query reads is neither generated nor loaded (process_cpu_history: a row per sample).
      if (!this.reads(p.name)) {
        out.push({
          name: p.name,
          file: `replay:${p.name}`,
          columns: p.columns
            .filter((c) => ((c.options ?? 0) & ColumnOption.HIDDEN) === 0)
            .map((c) => ({ name: c.name, type: c.type })),
          rows: [],
        });
        continue;
      }
      const visible = p.columns.filter((c) => ((c.options ?? 0) & ColumnOption.HIDDEN) === 0);
      const rows: Record<string, string | null>[] = [];
      for (const row of await p.generate(everything)) {
        const o: Record<string, string | null> = {};
        for (const c of visible) {
          const v = row[c.name];
          o[c.name] = v === null || v === undefined ? null : String(v);
        }
        rows.push(o);
      }
      out.push({
        name: p.name,
        file: `replay:${p.name}`,
        columns: visible.map((c) => ({ name: c.name, type: c.type })),
        rows,
      });
    }
    for (const t of EVIDENCE_TABLES) {
      const rows = t === 'file' || t === 'authenticode' || t === 'hash' ? h.pathRows(t) : (h.tables.get(t) ?? []);
      out.push(osqueryTableRows(t, rows, this.used.has('*') ? null : this.used));
    }
    // The query clock is the evidence's clock: the newest event of the host.
    out.push(osqueryTableRows('time', [{ unix_time: String(h.lastTime) }]));
    out.push(osqueryTableRows('powershell_events', []));
    out.push(await signatureTable(h, this.opts.judge ?? judgeFromOsqueryFacts));
    return out;
  }

  close(): void {
    this.host?.close();
  }
}

/**
 * Replays the logs: yields one HostResult per host (in host order) once the
 * input has ended, then returns the summary.
 */
export async function* replay(opts: ReplayOptions): AsyncGenerator<HostResult, ReplaySummary> {
  const map = new EvidenceMap(opts.map);
  const hosts = new Map<string, HostReplay>();
  const runner = new PackReplayRunner(opts);
  const s = opts.sampler ?? { intervalSeconds: 30, windowMinutes: 60 };
  // Every sample's counters cost 24 of a sample's 36 bytes; only process_cpu_history shows them.
  const counterHistory = runner.reads('process_cpu_history');
  const storeOptions = { intervalMs: s.intervalSeconds * 1000, windowMs: s.windowMinutes * 60_000, counterHistory };
  const shared = new Interner();
  const counter = { lines: 0 };
  let ignored = 0;
  for await (const e of merged(opts, counter)) {
    const kind = map.kindOf(e.name);
    if (kind === null) {
      ignored++;
      continue;
    }
    let h = hosts.get(e.host);
    if (h === undefined) {
      h = new HostReplay(e.host, storeOptions, shared);
      hosts.set(e.host, h);
    }
    h.accept(e, kind);
  }
  const names = [...hosts.keys()].sort();
  try {
    for (const name of names) {
      const h = hosts.get(name)!;
      // Each host is dropped once reported, so the queries' memory does not add up.
      hosts.delete(name);
      yield await runner.run(h);
    }
  } finally {
    runner.close();
  }
  return { lines: counter.lines, ignored, hosts: names.length };
}
