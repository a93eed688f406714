// A store holding 2,000 processes x 360 samples (one hour at 10 s), built by
// ingesting recorded-style samples, for the memory and generate benchmarks.
import { HistoryStore } from '../../src/sampler/store.js';
import type { ProcessRecord } from '../../src/sampler/source.js';

export const PROCESSES = 2_000;
export const SAMPLES = 360;

export function buildStore(): HistoryStore {
  const store = new HistoryStore({ intervalMs: 10_000, windowMs: 3_600_000, maxTracked: 4_000, logicalCpus: 8 });
  const base: ProcessRecord[] = [];
  for (let i = 0; i < PROCESSES; i++) {
    const pid = 1000 + i;
    base.push({
      pid,
      // A realistic tree: a few service hosts, each with many children.
      ppid: i < 20 ? 1 : 1000 + (i % 20),
      startTime: 1_700_000_000 + i,
      name: `worker-${i % 97}.exe`,
      path: `C:\\Program Files\\Vendor ${i % 13}\\bin\\worker-${i % 97}.exe`,
      cmdline: `"C:\\Program Files\\Vendor ${i % 13}\\bin\\worker-${i % 97}.exe" --config C:\\ProgramData\\vendor\\${i}.json --threads 4`,
      user: i % 3 === 0 ? 'NT AUTHORITY\\SYSTEM' : 'CORP\\user' + (i % 50),
      userTimeMs: 0,
      systemTimeMs: 0,
      residentBytes: 50_000_000 + i * 1000,
      threads: 4 + (i % 16),
    });
  }
  const cpu = new Float64Array(PROCESSES);
  for (let t = 0; t <= SAMPLES; t++) {
    const processes = base.map((p, i) => {
      // A mix: most idle, some busy, some bursty.
      cpu[i] += i % 10 === 0 ? 8_000 : i % 7 === 0 && t % 5 === 0 ? 10_000 : 30;
      return { ...p, userTimeMs: cpu[i], systemTimeMs: cpu[i] / 10 };
    });
    store.ingest({
      wallMs: 1_700_100_000_000 + t * 10_000,
      monotonicMs: 10_000_000 + t * 10_000,
      processes,
      sockets: [],
    });
  }
  return store;
}
