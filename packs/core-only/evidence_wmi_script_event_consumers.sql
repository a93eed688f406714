-- name: evidence_wmi_script_event_consumers
-- description: Evidence for `an1489 replay`: every row of wmi_script_event_consumers (permanent WMI event subscriptions).
-- attack: T1496
-- platform: windows
-- interval: 3600
-- logging: snapshot
-- min_osquery_version: 5.4.0
-- requires: core
-- telemetry:
-- reasons:

SELECT * FROM wmi_script_event_consumers;
