-- name: evidence_wmi_cli_event_consumers
-- description: Evidence for `an1489 replay`: every row of wmi_cli_event_consumers (permanent WMI event subscriptions).
-- attack: T1496
-- platform: windows
-- interval: 3600
-- logging: snapshot
-- min_osquery_version: 5.4.0
-- requires: core
-- telemetry:
-- reasons:

SELECT * FROM wmi_cli_event_consumers;
