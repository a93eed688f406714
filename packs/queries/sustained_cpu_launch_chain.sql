-- name: sustained_cpu_launch_chain
-- description: Processes that have kept the CPU busy for longer than the sustained threshold and
--   were launched by a scheduled task, WMI or PowerShell, judged on the lineage the extension
--   remembered (so a parent that has already exited still counts). Approved workloads are left out.
-- attack: T1496, T1053.005, T1047, T1059.001
-- platform: windows
-- interval: 300
-- logging: differential
-- min_osquery_version: 5.8.0
-- requires: extension
-- telemetry:
-- reasons: SUSTAINED_CPU, LAUNCH_SCHEDULED_TASK, LAUNCH_WMI, LAUNCH_POWERSHELL

-- Columns are identities and bands only: a miner that keeps running produces
-- one "added" row, not one per interval (see docs/siem.md).
SELECT
  s.pid,
  s.name,
  s.path,
  s.user,
  s.parent_name,
  s.launch_vector,
  '' /*@cpu_band expr=s.avg_cpu_percent*/ AS cpu_band,
  'SUSTAINED_CPU,' || '' /*@launch_reason expr=s.launch_vector*/ AS reasons
FROM process_cpu_sustained AS s
WHERE s.sustained = 1
  AND s.exited = 0
  AND s.approved = 0
  AND 0 /*@an1489_vector expr=s.launch_vector*/
  AND NOT (0 /*@approved path=s.path name=s.name cmdline=s.cmdline*/);
