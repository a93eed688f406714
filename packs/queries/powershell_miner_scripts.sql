-- name: powershell_miner_scripts
-- description: PowerShell script blocks (Script Block Logging, event 4104) that carry miner
--   indicators: pool URLs, miner options, miner tool names or their base64 forms. Needs script
--   block logging enabled on the host and osquery's PowerShell events subscriber.
-- attack: T1059.001, T1496
-- platform: windows
-- interval: 300
-- logging: differential
-- min_osquery_version: 5.8.0
-- requires: core
-- telemetry: enable_windows_events_publisher, enable_powershell_events_subscriber
-- reasons: PS_MINER_SCRIPT

-- An evented table: each script block appears once, so no banding is needed;
-- the event's own time columns are left out so a re-read block is not "new".
SELECT
  p.script_block_id,
  p.script_name,
  p.script_path,
  'PS_MINER_SCRIPT,' || '' /*@miner_reasons expr=p.script_text*/ AS reasons
FROM powershell_events AS p
WHERE 0 /*@miner_match expr=p.script_text*/;
