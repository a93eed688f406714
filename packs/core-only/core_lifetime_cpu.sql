-- name: core_lifetime_cpu
-- description: Without the extension there is no CPU history, so this uses the best osquery core
--   offers: a process's lifetime CPU share, (user_time + system_time) over its elapsed time, for
--   processes alive at least 15 minutes. The launch vector is read from the live parent only (an
--   exited parent reads as "other"). Approved workloads are left out.
-- attack: T1496, T1053.005, T1047, T1059.001
-- platform: windows
-- interval: 600
-- logging: differential
-- min_osquery_version: 5.4.0
-- requires: core
-- telemetry:
-- reasons: LIFETIME_CPU, LAUNCH_SCHEDULED_TASK, LAUNCH_WMI, LAUNCH_POWERSHELL

WITH now AS (SELECT unix_time FROM time),
lifetime AS (
  SELECT p.pid, p.name, p.path, p.cmdline, p.parent,
    -- elapsed_time is Windows-only; the time table covers its absence.
    coalesce(nullif(p.elapsed_time, 0), (SELECT unix_time FROM now) - p.start_time) AS elapsed,
    (p.user_time + p.system_time) / 1000.0 AS cpu_seconds
  FROM processes AS p
  WHERE p.pid > 4 AND p.user_time >= 0 AND p.system_time >= 0
),
share AS (
  SELECT *, 100.0 * cpu_seconds / elapsed AS cpu_percent FROM lifetime
)
SELECT
  l.pid,
  l.name,
  l.path,
  coalesce(pp.name, '') AS parent_name,
  -- Generated from src/intel/launch-vectors.ts (the extension's rules, parent only); services=1:
  -- the parent hosting Schedule (osquery's services.pid, a shared netsvcs svchost too) is the Task Scheduler.
  '' /*@launch_vector pid=pp.pid name=pp.name cmdline=pp.cmdline services=1*/ AS launch_vector,
  '' /*@cpu_band expr=l.cpu_percent*/ AS cpu_band
FROM share AS l
LEFT JOIN processes AS pp ON pp.pid = l.parent
WHERE l.elapsed >= 900
  AND l.cpu_percent >= 25
  AND NOT (0 /*@approved path=l.path name=l.name cmdline=l.cmdline*/);
