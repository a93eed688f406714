-- name: evidence_system_info
-- description: Evidence for `an1489 replay`: the host name and its logical CPU count, which replay uses for
--   CPU percentages instead of the count of the machine running the replay.
-- attack: T1496
-- platform: windows
-- interval: 3600
-- logging: snapshot
-- min_osquery_version: 5.4.0
-- requires: core
-- telemetry:
-- reasons:

SELECT hostname, computer_name, cpu_logical_cores, cpu_physical_cores, physical_memory FROM system_info;
