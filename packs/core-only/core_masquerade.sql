-- name: core_masquerade
-- description: Masquerade checks from osquery core alone: the PE version resource's original
--   file name (file.original_filename) disagreeing with the running name, a catalogued Windows
--   binary's name running outside the folders it ships in, an image in a system folder without a
--   signature or with one Windows rejects (authenticode; catalog signatures count), a catalogued
--   vendor component's name (updaters, sync clients, Defender) outside its install folders, and
--   folder names ending in a space.
-- attack: T1036.005, T1036.003
-- platform: windows
-- interval: 900
-- logging: differential
-- min_osquery_version: 5.4.0
-- requires: core
-- telemetry:
-- reasons: RENAMED, MASQUERADE, UNSIGNED_SYSTEM_PATH, SIGNATURE_UNTRUSTED, VENDOR_NAME_MISPLACED,
--   SPOOFED_FOLDER

WITH procs AS (
  -- osqueryd's own autoloaded extensions (this one included) are not judged: osquery vetted them.
  SELECT DISTINCT p.pid, p.name, p.path FROM processes AS p
  WHERE p.pid > 4 AND p.path != '' AND NOT (0 /*@osquery_autoloaded pid=p.pid*/)
),
checked AS (
  SELECT pr.pid, pr.name, pr.path, coalesce(f.original_filename, '') AS original_filename,
    -- sameProgram() of src/intel/rename-exceptions.ts: .NET apphosts (<name>.dll) and known pairs are no rename.
    CASE WHEN trim(coalesce(f.original_filename, '')) != ''
          AND NOT (0 /*@same_program name=pr.name original=f.original_filename*/)
         THEN 'RENAMED,' ELSE '' END
    -- A catalogued Windows binary outside its folders: the extension's location catalog.
    || CASE WHEN 0 /*@location_unexpected name=pr.name path=pr.path*/
            THEN 'MASQUERADE,' ELSE '' END
    -- authenticode says 'missing' for no signature, 'untrusted'/'distrusted' for one Windows rejects.
    || CASE WHEN 0 /*@system_path expr=pr.path*/ AND ac.result = 'missing'
            THEN 'UNSIGNED_SYSTEM_PATH,' ELSE '' END
    || CASE WHEN 0 /*@system_path expr=pr.path*/ AND ac.result IN ('untrusted', 'distrusted')
            THEN 'SIGNATURE_UNTRUSTED,' ELSE '' END
    || CASE WHEN 0 /*@vendor_misplaced expr=pr.path*/ THEN 'VENDOR_NAME_MISPLACED,' ELSE '' END
    || CASE WHEN 0 /*@spoofed_folder expr=pr.path*/ THEN 'SPOOFED_FOLDER,' ELSE '' END AS codes
  FROM procs AS pr
  LEFT JOIN file AS f ON f.path = pr.path
  LEFT JOIN authenticode AS ac ON ac.path = pr.path
)
SELECT pid, name, path, original_filename, rtrim(codes, ',') AS reasons
FROM checked
WHERE codes != '';
