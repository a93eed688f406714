// Table file_signature_check: the signature-versus-path verdict of files named
// by the hidden `file` column, running or not, as osquery's `hash` and `file`
// tables take `path`. Being a hidden parameter, the value reaches generate
// from SQLite itself, so `file IN (...)`, `file = a OR file = b` and
// `JOIN file_signature_check f ON f.file = x.path` all work.
import { equalities, type QueryContext, type Row, type TablePlugin } from '../sdk/table.js';
import { bindTable } from './spec.js';
import { fileSignatureCheckSpec } from './specs/file_signature_check.js';
import type { SignatureChecker } from '../signature/checker.js';
import { PARALLEL, resultRow } from './process_signature_check.js';

/** Files checked by one generate: a statement naming more is refused rather than stalling the host. */
export const MAX_FILES_PER_QUERY = 1024;

export function fileSignatureCheckTable(options: { readonly checker: SignatureChecker }): TablePlugin {
  return bindTable(fileSignatureCheckSpec, async (context: QueryContext): Promise<Row[]> => {
    const files = [...new Set(equalities(context, 'file'))];
    if (files.length > MAX_FILES_PER_QUERY) {
      throw new Error(`file_signature_check: ${files.length} files named; at most ${MAX_FILES_PER_QUERY} per query`);
    }
    const results = await options.checker.checkMany(
      files.map((f) => ({ readPath: f })),
      PARALLEL,
    );
    return results.map((r, i) => {
      const { pid: _pid, ...row } = resultRow(r, null, files[i]);
      return { file: files[i], ...row };
    });
  });
}
