-- name: telemetry_ready
-- description: Passes when osqueryd has events enabled with the Windows event publisher and the
--   PowerShell script block subscriber on, which powershell_miner_scripts depends on.
-- attack: T1059.001
-- platform: windows
-- interval: 3600
-- logging: snapshot
-- min_osquery_version: 5.0.0
-- requires: core
-- kind: policy
-- resolution: Set --disable_events=false, --enable_windows_events_publisher=true and
--   --enable_powershell_events_subscriber=true in osquery.flags (docs/deployment-pack.md) and enable
--   PowerShell Script Block Logging by GPO.
-- reasons: TELEMETRY_GAP

-- Ready: events on and every flag a query of the pack names in its `telemetry:` header.
SELECT 1 FROM (
  SELECT 0 /*@telemetry_ready*/ AS ready FROM osquery_flags
  WHERE name IN ('' /*@telemetry_flags*/)
)
WHERE ready = 1;
