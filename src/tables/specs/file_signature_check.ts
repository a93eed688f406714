// file_signature_check: verdicts of files named by the hidden `file` column,
// running or not, as osquery's `hash` and `file` tables take `path`.
import { defineTable } from '../spec.js';
import { VERDICT_COLUMNS } from './verdict-columns.js';

export const fileSignatureCheckSpec = defineTable({
  name: 'file_signature_check',
  description:
    'Signature-versus-path verdicts of named files (WHERE file = ...): PE version strings, Authenticode, expected location, renamed binary, miner strings.',
  platforms: ['windows', 'linux'],
  columns: [
    {
      name: 'file',
      type: 'TEXT',
      description: 'The file to check (required; hidden)',
      hidden: true,
      required: true,
      index: true,
    },
    { name: 'path', type: 'TEXT', description: 'The file checked' },
    ...VERDICT_COLUMNS,
  ],
  examples: [
    "SELECT path, verdict, reasons FROM file_signature_check WHERE file = 'C:\\Windows\\Temp\\svchost.exe'",
    'SELECT t.name, f.verdict FROM scheduled_tasks t JOIN file_signature_check f ON f.file = t.path',
  ],
});
