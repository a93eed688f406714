-- name: miner_cmdline_processes
-- description: Running processes whose command line carries cryptominer options (pool URLs,
--   --donate-level, RandomX/CryptoNight algorithm switches, CPU tuning flags) or a miner tool's
--   name, whatever the binary is called. Needs only osquery's processes table.
-- attack: T1496
-- platform: windows
-- interval: 300
-- logging: differential
-- min_osquery_version: 5.0.0
-- requires: core
-- telemetry:
-- reasons: MINER_DONATE_LEVEL, MINER_STRATUM_URL, MINER_POOL_HOST, MINER_CPU_TUNING, MINER_ALGO,
--   MINER_TOOL_NAME, MINER_ENCODED_ARGS

SELECT
  p.pid,
  p.name,
  p.path,
  p.parent,
  '' /*@miner_reasons expr=p.cmdline*/ AS reasons
FROM processes AS p
WHERE p.pid > 4
  AND 0 /*@miner_match expr=p.cmdline*/
  AND NOT (0 /*@approved path=p.path name=p.name cmdline=p.cmdline*/);
