-- name: evidence_osquery_info
-- description: Evidence for `an1489 replay`: osqueryd's own pid and its watcher's, so that replay knows
--   which processes osqueryd launched as its autoloaded extensions (their parent), as the live pack does.
-- attack: T1496
-- platform: windows
-- interval: 3600
-- logging: snapshot
-- min_osquery_version: 5.4.0
-- requires: core
-- telemetry:
-- reasons:

SELECT pid, watcher, version, start_time FROM osquery_info;
