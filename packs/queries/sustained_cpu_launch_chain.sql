-- name: sustained_cpu_launch_chain
-- description: Processes that have kept the CPU busy for longer than the sustained threshold and
--   were launched by a scheduled task, WMI or PowerShell, judged on the lineage the extension
--   remembered (so a parent that has already exited still counts); the Task Scheduler is also
--   recognised by the pid osquery's services table gives Schedule (a shared netsvcs svchost).
--   Approved workloads are left out, and so is a binary Windows trusts the signature of, in its
--   expected place and not a script or DLL host (docs/siem.md).
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
WITH chain AS MATERIALIZED (
  SELECT s.pid, s.name, s.path, s.user, s.parent_name, s.avg_cpu_percent,
    '' /*@schedule_host_vector vector=s.launch_vector ancestry=s.ancestry*/ AS launch_vector
  FROM process_cpu_sustained AS s
  WHERE s.sustained = 1
    AND s.exited = 0
    AND s.approved = 0
    AND NOT (0 /*@approved path=s.path name=s.name cmdline=s.cmdline*/)
),
launched AS MATERIALIZED (
  SELECT * FROM chain WHERE 0 /*@an1489_vector expr=launch_vector*/
)
SELECT
  l.pid,
  l.name,
  l.path,
  l.user,
  l.parent_name,
  l.launch_vector,
  '' /*@cpu_band expr=l.avg_cpu_percent*/ AS cpu_band,
  'SUSTAINED_CPU,' || '' /*@launch_reason expr=l.launch_vector*/ AS reasons
FROM launched AS l
-- A binary whose signature vouches for it is ordinary work (docs/siem.md).
WHERE l.pid NOT IN (0 /*@vouched_pids from=launched*/);
