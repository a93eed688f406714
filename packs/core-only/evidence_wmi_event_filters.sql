-- name: evidence_wmi_event_filters
-- description: Evidence for `an1489 replay`: every row of wmi_event_filters (permanent WMI event subscriptions).
-- attack: T1496
-- platform: windows
-- interval: 3600
-- logging: snapshot
-- min_osquery_version: 5.4.0
-- requires: core
-- telemetry:
-- reasons:

SELECT * FROM wmi_event_filters;
