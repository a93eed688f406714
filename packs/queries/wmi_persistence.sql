-- name: wmi_persistence
-- description: Permanent WMI event subscriptions (filter-to-consumer bindings) whose consumer
--   launches a command line or runs a script: the WMI persistence path miners use to come back
--   after reboots and kills. Any such binding outside well-known vendor consumers deserves a look;
--   miner indicators and user-writable targets raise it.
-- attack: T1546.003, T1047, T1496
-- platform: windows
-- interval: 900
-- logging: differential
-- min_osquery_version: 5.8.0
-- requires: core
-- telemetry:
-- reasons: WMI_CLI_CONSUMER, WMI_SCRIPT_CONSUMER, WMI_MINER_ARGS, WMI_USER_WRITABLE

WITH consumers AS (
  SELECT c.namespace, c.name, c.relative_path, 'cli' AS consumer_type,
         coalesce(nullif(c.command_line_template, ''), c.executable_path) AS target,
         c.command_line_template || ' ' || c.executable_path AS body
  FROM wmi_cli_event_consumers AS c
  UNION ALL
  SELECT s.namespace, s.name, s.relative_path, 'script',
         coalesce(nullif(s.script_file_name, ''), s.scripting_engine),
         s.script_file_name || ' ' || s.script_text
  FROM wmi_script_event_consumers AS s
)
SELECT
  c.name AS consumer_name,
  c.consumer_type,
  coalesce(f.name, '') AS filter_name,
  coalesce(f.query, '') AS filter_query,
  c.target,
  rtrim(
    CASE c.consumer_type WHEN 'cli' THEN 'WMI_CLI_CONSUMER,' ELSE 'WMI_SCRIPT_CONSUMER,' END
    || CASE WHEN 0 /*@miner_match expr=c.body*/ THEN 'WMI_MINER_ARGS,' ELSE '' END
    || CASE WHEN 0 /*@user_writable_in expr=c.body*/ THEN 'WMI_USER_WRITABLE' ELSE '' END,
    ',') AS reasons
FROM wmi_filter_consumer_binding AS b
-- osquery lists ROOT\Subscription and ROOT\default alike, so a binding names a
-- consumer of its own namespace (a relative path) or of the one its full
-- path (\\host\namespace:Class.Name="x") gives; WMI compares without case.
JOIN consumers AS c ON CASE WHEN substr(b.consumer, 1, 2) = '\\'
    THEN substr(lower(b.consumer), -(length(c.namespace) + 1 + length(c.relative_path))) = lower(c.namespace || ':' || c.relative_path)
    ELSE lower(b.consumer) = lower(c.relative_path) AND lower(b.namespace) = lower(c.namespace) END
LEFT JOIN wmi_event_filters AS f ON CASE WHEN substr(b.filter, 1, 2) = '\\'
    THEN substr(lower(b.filter), -(length(f.namespace) + 1 + length(f.relative_path))) = lower(f.namespace || ':' || f.relative_path)
    ELSE lower(b.filter) = lower(f.relative_path) AND lower(b.namespace) = lower(f.namespace) END;
