-- name: evidence_binaries
-- description: Evidence for `an1489 replay`: for each running binary, its version resource (file), its
--   Authenticode verdict (authenticode, catalog signatures included) and its SHA-256 (hash), so
--   replay can judge renamed, unsigned and masquerading binaries without the extension.
-- attack: T1496
-- platform: windows
-- interval: 600
-- logging: snapshot
-- min_osquery_version: 5.4.0
-- requires: core
-- telemetry:
-- reasons:

SELECT f.path, f.filename, f.size, f.mtime, f.original_filename, f.file_version, f.product_version,
  coalesce(a.result, '') AS result, coalesce(a.subject_name, '') AS subject_name,
  coalesce(a.issuer_name, '') AS issuer_name, coalesce(h.sha256, '') AS sha256
FROM (SELECT DISTINCT path FROM processes WHERE path != '') AS p
JOIN file AS f ON f.path = p.path
LEFT JOIN authenticode AS a ON a.path = p.path
LEFT JOIN hash AS h ON h.path = p.path;
