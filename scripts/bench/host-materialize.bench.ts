// What the embedded host's design costs (await generate, materialize the
// rows, let SQLite scan them, in rounds) against an independent peer doing
// the same job: a plain SQLite database (better-sqlite3, no host code) into
// which the same rows are inserted as they come from the table, converted by
// SQLite's own column affinity, and the same statement run. Both sides are
// timed from rows-in-memory to answer, in the same process and run,
// interleaved; the answers are compared cell by cell.
//
// Target: host <= 3x the peer (medians) for a 50k-row table scanned with a
// LIKE filter and for a two-table join (which needs an extra round to discover
// the second table, and would be a quadratic nested loop through JS if the
// host left the rows in unindexed virtual tables), also when one side keeps a
// hidden column and so stays virtual.
import Database from 'better-sqlite3';
import { EmbeddedHost } from '../../src/host/host.js';
import { ColumnOption, type ColumnDeclaration, type Row, type TablePlugin } from '../../src/sdk/table.js';
import { median, report, rounds, runBench, time, x } from './bench.js';

const NAME = 'host-materialize';
const ROWS = 50_000;
const LIMIT = 3;
const ROUNDS = rounds(7, 3);

const columns: ColumnDeclaration[] = [
  { name: 'pid', type: 'BIGINT', description: '' },
  { name: 'name', type: 'TEXT', description: '' },
  { name: 'path', type: 'TEXT', description: '' },
  { name: 'cpu_percent', type: 'DOUBLE', description: '' },
  { name: 'resident_size', type: 'BIGINT', description: '' },
];

function rows(seed: number): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < ROWS; i++) {
    out.push({
      pid: i + seed,
      name: i % 97 === 0 ? `xmrig-${i}.exe` : `proc-${i}.exe`,
      path: `C:\\Program Files\\Vendor\\bin\\proc-${i}.exe`,
      cpu_percent: ((i * 7) % 100) + 0.5,
      resident_size: String(i * 4096),
    });
  }
  return out;
}

const dataA = rows(0);
const dataB = rows(0);
const plugin = (name: string, data: Row[]): TablePlugin => ({
  name,
  description: '',
  examples: [],
  platforms: ['linux'],
  columns,
  generate: async () => data,
});

// The same rows behind a table with a hidden parameter column: it stays a
// virtual table, and its join must still not be quadratic.
const withHidden: TablePlugin = {
  ...plugin('bench_h', dataA),
  columns: [...columns, { name: 'min_cpu_percent', type: 'INTEGER', description: '', options: ColumnOption.HIDDEN }],
};
const DATA: Record<string, Row[]> = { bench_a: dataA, bench_b: dataB, bench_h: dataA };

const STATEMENTS = [
  `SELECT count(*), sum(cpu_percent) FROM bench_a WHERE name LIKE 'xmrig%'`,
  `SELECT count(*), sum(a.resident_size) FROM bench_a a JOIN bench_b b ON a.pid = b.pid WHERE b.cpu_percent > 90`,
  `SELECT count(*), sum(a.resident_size) FROM bench_h a JOIN bench_b b ON a.pid = b.pid WHERE b.cpu_percent > 90`,
];

type Cells = readonly (readonly unknown[])[];

async function viaHost(sql: string): Promise<Cells> {
  const host = new EmbeddedHost({ tables: [plugin('bench_a', dataA), plugin('bench_b', dataB), withHidden] });
  try {
    return (await host.query(sql)).rows;
  } finally {
    host.close();
  }
}

/** The peer: plain tables, SQLite's affinity doing the conversion, the same statement. */
function viaPlainSqlite(sql: string): Cells {
  const db = new Database(':memory:');
  try {
    for (const [name, data] of Object.entries(DATA)) {
      if (!new RegExp(`\\b${name}\\b`).test(sql)) continue;
      db.exec(`CREATE TABLE ${name} (pid INTEGER, name TEXT, path TEXT, cpu_percent REAL, resident_size INTEGER)`);
      const insert = db.prepare(`INSERT INTO ${name} VALUES (?, ?, ?, ?, ?)`);
      db.transaction(() => {
        for (const r of data) insert.run(r['pid'], r['name'], r['path'], r['cpu_percent'], r['resident_size']);
      })();
    }
    return db.prepare(sql).raw(true).all() as unknown[][];
  } finally {
    db.close();
  }
}

/** Cell by cell: numbers as numbers (the host prints text), everything else as text. */
function sameCells(a: Cells, b: Cells): boolean {
  if (a.length !== b.length) return false;
  return a.every(
    (row, i) =>
      row.length === b[i]!.length &&
      row.every((cell, j) => {
        const other = b[i]![j];
        const na = Number(cell);
        const nb = Number(other);
        if (cell !== null && other !== null && Number.isFinite(na) && Number.isFinite(nb))
          return Math.abs(na - nb) <= 1e-9 * Math.max(1, Math.abs(na));
        return String(cell) === String(other);
      }),
  );
}

async function main(): Promise<void> {
  let met = true;
  let same = true;
  const ratios: string[] = [];
  const answers: string[] = [];
  for (const sql of STATEMENTS) {
    const host: number[] = [];
    const peer: number[] = [];
    let hostAnswer: Cells = [];
    let peerAnswer: Cells = [];
    for (let i = 0; i < ROUNDS; i++) {
      const h = await time(() => viaHost(sql));
      host.push(h.ms);
      hostAnswer = h.value;
      const p = await time(() => viaPlainSqlite(sql));
      peer.push(p.ms);
      peerAnswer = p.value;
    }
    const ratio = median(host) / median(peer);
    const agree = sameCells(hostAnswer, peerAnswer);
    console.log(
      `${sql}\n  host median ${median(host).toFixed(1)} ms, plain-SQLite peer ${median(peer).toFixed(1)} ms, ratio ${x(ratio)} (limit ${LIMIT}x); host ${JSON.stringify(hostAnswer)}, peer ${JSON.stringify(peerAnswer)}`,
    );
    met &&= ratio <= LIMIT;
    same &&= agree;
    ratios.push(x(ratio));
    answers.push(JSON.stringify(hostAnswer));
  }
  report(NAME, {
    against: 'peer',
    versus: 'plain SQLite tables (same rows inserted, same SQL)',
    met,
    figures: `host/peer ${ratios.join(', ')} on ${ROWS.toLocaleString('en-US')}-row tables, median of ${ROUNDS} (target <= ${LIMIT}x each)`,
    sameAnswer: same,
    answer: answers.join(' '),
  });
}

runBench(NAME, main);
