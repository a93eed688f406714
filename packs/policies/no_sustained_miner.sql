-- name: no_sustained_miner
-- description: Passes when no process outside the approved baseline has sustained high CPU while
--   showing a miner trait (launched by a scheduled task, WMI or PowerShell; miner options on its
--   command line; or a connection to a mining-pool port).
-- attack: T1496
-- platform: windows
-- interval: 3600
-- logging: snapshot
-- min_osquery_version: 5.8.0
-- requires: extension
-- kind: policy
-- resolution: Open the composite_finding results for this host, identify the process and its launch
--   chain (docs/hunting-playbook.md), contain the host and remove the persistence.
-- reasons: SUSTAINED_CPU

SELECT 1 WHERE NOT EXISTS (
  SELECT 1 FROM process_cpu_sustained AS s
  WHERE s.sustained = 1 AND s.exited = 0 AND s.approved = 0
    AND NOT (0 /*@approved path=s.path name=s.name cmdline=s.cmdline*/)
    AND (0 /*@an1489_vector expr=s.launch_vector*/
         OR 0 /*@miner_match expr=s.cmdline*/
         OR EXISTS (SELECT 1 FROM process_connection_history AS c
                    WHERE c.pid = s.pid AND c.start_time = s.start_time AND c.pool_port = 1 AND c.external = 1))
);
