// process_signature_check: the signature-versus-path verdict of the image each
// running process runs (the running bytes where the OS lets us read them).
import { defineTable } from '../spec.js';
import { VERDICT_COLUMNS } from './verdict-columns.js';

export const processSignatureCheckSpec = defineTable({
  name: 'process_signature_check',
  description:
    'One row per running process: signature-versus-path verdict of the image it runs (PE version strings, Authenticode, expected location, renamed binary, miner indicators, deleted or replaced image).',
  platforms: ['windows', 'linux'],
  columns: [
    { name: 'pid', type: 'BIGINT', description: 'Process id' },
    {
      name: 'start_time',
      type: 'BIGINT',
      description: 'Process start time (seconds since the epoch); with pid, the process identity',
    },
    {
      name: 'path',
      type: 'TEXT',
      description:
        "Executable path as the OS reports it (Linux appends ' (deleted)' when the running image has no name)",
    },
    ...VERDICT_COLUMNS,
  ],
  examples: [
    "SELECT pid, path, verdict, reasons FROM process_signature_check WHERE verdict IN ('masquerade', 'renamed', 'suspicious')",
    'SELECT p.pid, p.name, s.signature_status, s.verdict FROM processes p JOIN process_signature_check s USING (pid)',
    "SELECT pid, path, reasons FROM process_signature_check WHERE reasons LIKE '%image_%'",
  ],
});
