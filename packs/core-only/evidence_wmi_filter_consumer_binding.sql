-- name: evidence_wmi_filter_consumer_binding
-- description: Evidence for `an1489 replay`: every row of wmi_filter_consumer_binding (permanent WMI event subscriptions).
-- attack: T1496
-- platform: windows
-- interval: 3600
-- logging: snapshot
-- min_osquery_version: 5.4.0
-- requires: core
-- telemetry:
-- reasons:

SELECT * FROM wmi_filter_consumer_binding;
