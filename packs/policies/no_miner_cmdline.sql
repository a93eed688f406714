-- name: no_miner_cmdline
-- description: Passes when no running process carries cryptominer command-line options. Works on
--   osquery core alone.
-- attack: T1496
-- platform: windows
-- interval: 3600
-- logging: snapshot
-- min_osquery_version: 5.0.0
-- requires: core
-- kind: policy
-- resolution: Identify the process (miner_cmdline_processes), kill it, and find what launched it.
-- reasons: MINER_CMDLINE

SELECT 1 WHERE NOT EXISTS (
  SELECT 1 FROM processes AS p
  WHERE p.pid > 4 AND 0 /*@miner_match expr=p.cmdline*/
    AND NOT (0 /*@approved path=p.path name=p.name cmdline=p.cmdline*/)
);
