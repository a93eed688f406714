-- name: telemetry_readiness
-- description: Per host, which telemetry the AN1489 pack depends on is switched on in osqueryd:
--   the Windows event publisher and subscribers (PowerShell script blocks), process ETW events,
--   and whether events are enabled at all. A host reporting 0 for a flag cannot answer the
--   queries that need it.
-- attack: T1496
-- platform: windows
-- interval: 3600
-- logging: snapshot
-- min_osquery_version: 5.0.0
-- requires: core
-- telemetry:
-- reasons: TELEMETRY_GAP

SELECT
  max(CASE WHEN name = 'disable_events' THEN value = 'false' END) AS events_enabled,
  max(CASE WHEN name = 'enable_windows_events_publisher' THEN value = 'true' END) AS windows_events_publisher,
  max(CASE WHEN name = 'enable_windows_events_subscriber' THEN value = 'true' END) AS windows_events_subscriber,
  max(CASE WHEN name = 'enable_powershell_events_subscriber' THEN value = 'true' END) AS powershell_events_subscriber,
  max(CASE WHEN name = 'enable_process_etw_events' THEN value = 'true' END) AS process_etw_events,
  max(CASE WHEN name = 'extensions_autoload' THEN value END) AS extensions_autoload,
  -- Ready: events on and every flag a query of the pack names in its `telemetry:` header.
  CASE WHEN 0 /*@telemetry_ready*/ THEN '' ELSE 'TELEMETRY_GAP' END AS reasons
FROM osquery_flags
WHERE name IN ('' /*@telemetry_flags*/, 'enable_windows_events_subscriber', 'enable_process_etw_events',
               'enable_windows_events_publisher', 'enable_powershell_events_subscriber', 'extensions_autoload');
