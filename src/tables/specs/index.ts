// Every table the extension serves, as data; src/runtime.ts binds each to its generate.
import type { TableSpec } from '../spec.js';
import { fileSignatureCheckSpec } from './file_signature_check.js';
import { processConnectionHistorySpec } from './process_connection_history.js';
import { processCpuHistorySpec } from './process_cpu_history.js';
import { processCpuSustainedSpec } from './process_cpu_sustained.js';
import { processSignatureCheckSpec } from './process_signature_check.js';

export const TABLE_SPECS: readonly TableSpec[] = [
  processCpuHistorySpec,
  processCpuSustainedSpec,
  processConnectionHistorySpec,
  processSignatureCheckSpec,
  fileSignatureCheckSpec,
];
