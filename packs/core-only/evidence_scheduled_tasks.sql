-- name: evidence_scheduled_tasks
-- description: Evidence for `an1489 replay`: registered scheduled tasks and their actions.
-- attack: T1496
-- platform: windows
-- interval: 3600
-- logging: snapshot
-- min_osquery_version: 5.4.0
-- requires: core
-- telemetry:
-- reasons:

SELECT name, action, path, enabled, state, hidden, last_run_time, next_run_time, last_run_code FROM scheduled_tasks;
