-- name: suspicious_scheduled_tasks
-- description: Scheduled tasks whose action runs a binary from a user-writable folder, runs a
--   binary that is currently burning sustained CPU, or starts PowerShell (or any command) with
--   miner indicators. scheduled_tasks.path is the task's folder in the Task Scheduler library,
--   not a file path; the action is the command the task runs.
-- attack: T1053.005, T1496
-- platform: windows
-- interval: 900
-- logging: differential
-- min_osquery_version: 5.8.0
-- requires: extension
-- telemetry:
-- reasons: TASK_USER_WRITABLE, TASK_RUNS_SUSTAINED, TASK_MINER_ARGS, TASK_POWERSHELL_ENCODED

WITH tasks AS (
  SELECT t.name, t.path, t.action, t.enabled,
    -- the executable of the action, unquoted (a quoted path keeps its spaces)
    CASE WHEN substr(ltrim(t.action), 1, 1) = '"'
         THEN substr(ltrim(t.action), 2, instr(substr(ltrim(t.action), 2), '"') - 1)
         ELSE trim(t.action) END AS action_target
  FROM scheduled_tasks AS t
  WHERE t.action != ''
),
busy AS (
  SELECT DISTINCT lower(s.path) AS path FROM process_cpu_sustained AS s
  WHERE s.sustained = 1 AND s.approved = 0 AND s.path != ''
    AND NOT (0 /*@approved path=s.path name=s.name cmdline=s.cmdline*/)
),
flagged AS (
  SELECT k.name, k.path, k.action, k.enabled,
    CASE WHEN 0 /*@user_writable expr=k.action_target*/ THEN 'TASK_USER_WRITABLE,' ELSE '' END
    || CASE WHEN EXISTS (SELECT 1 FROM busy AS b WHERE instr(lower(k.action), b.path) > 0)
            THEN 'TASK_RUNS_SUSTAINED,' ELSE '' END
    || CASE WHEN 0 /*@miner_match expr=k.action*/ THEN 'TASK_MINER_ARGS,' ELSE '' END
    || CASE WHEN instr(lower(k.action), 'powershell') > 0
             AND (instr(lower(k.action), ' -enc') > 0 OR instr(lower(k.action), ' -e ') > 0
                  OR instr(lower(k.action), 'frombase64string') > 0)
            THEN 'TASK_POWERSHELL_ENCODED,' ELSE '' END AS codes
  FROM tasks AS k
)
SELECT name, path, action, enabled, rtrim(codes, ',') AS reasons
FROM flagged
WHERE codes != '';
