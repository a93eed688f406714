-- name: evidence_services
-- description: Evidence for `an1489 replay`: Windows services with their pids, so a process started by a
--   shared svchost is traced to the service (Schedule) it hosts.
-- attack: T1496
-- platform: windows
-- interval: 3600
-- logging: snapshot
-- min_osquery_version: 5.4.0
-- requires: core
-- telemetry:
-- reasons:

SELECT name, display_name, status, pid, start_type, path, module_path, user_account FROM services;
