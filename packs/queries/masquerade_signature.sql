-- name: masquerade_signature
-- description: Running processes whose binary's PE version resource contradicts its file name (renamed),
--   that borrow a system binary's name outside its expected folder (masquerade) or a catalogued
--   vendor component's name outside its install folders, whose signature our reader found altered
--   (the signed digest no longer matches the bytes), or that sit
--   unsigned in a system folder. osquery's authenticode table is joined so that catalog-signed
--   Windows binaries (no embedded signature, but trusted through a security catalog) are not
--   reported as unsigned.
-- attack: T1036.005, T1036.003, T1496
-- platform: windows
-- interval: 600
-- logging: differential
-- min_osquery_version: 5.8.0
-- requires: extension
-- telemetry:
-- reasons: MASQUERADE, RENAMED, VENDOR_NAME_MISPLACED, SIGNATURE_TAMPERED, UNSIGNED_SYSTEM_PATH,
--   SPOOFED_FOLDER

SELECT
  sc.pid,
  sc.name,
  sc.path,
  sc.original_filename,
  sc.verdict,
  rtrim(
    CASE WHEN sc.verdict = 'masquerade' THEN 'MASQUERADE,' ELSE '' END
    || CASE WHEN sc.renamed = 1 THEN 'RENAMED,' ELSE '' END
    || CASE WHEN 0 /*@vendor_misplaced expr=sc.path*/ THEN 'VENDOR_NAME_MISPLACED,' ELSE '' END
    || CASE WHEN sc.signature_status IN ('tampered', 'invalid') THEN 'SIGNATURE_TAMPERED,' ELSE '' END
    || CASE WHEN sc.signed = 0 AND 0 /*@not_validly_signed expr=ac.result*/
              AND 0 /*@system_path expr=sc.path*/ THEN 'UNSIGNED_SYSTEM_PATH,' ELSE '' END
    || CASE WHEN 0 /*@spoofed_folder expr=sc.path*/ THEN 'SPOOFED_FOLDER' ELSE '' END,
    ',') AS reasons
FROM process_signature_check AS sc
LEFT JOIN authenticode AS ac ON ac.path = sc.path
-- osqueryd's own autoloaded extensions (this one included) are not judged: osquery vetted them.
WHERE NOT (0 /*@osquery_autoloaded pid=sc.pid*/)
  AND (sc.verdict = 'masquerade'
   OR sc.renamed = 1
   OR 0 /*@vendor_misplaced expr=sc.path*/
   OR sc.signature_status IN ('tampered', 'invalid')
   OR (sc.signed = 0 AND 0 /*@not_validly_signed expr=ac.result*/ AND 0 /*@system_path expr=sc.path*/)
   OR 0 /*@spoofed_folder expr=sc.path*/);
