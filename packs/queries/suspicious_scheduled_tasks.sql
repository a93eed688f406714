-- name: suspicious_scheduled_tasks
-- description: Scheduled tasks whose action (working directory, program or arguments) names a
--   user-writable folder (directly, through %APPDATA%-style variables or in another spelling Windows
--   opens as the same path; a catalogued vendor's own per-user task excepted), names a path in a form
--   that hides its folder (.. segments, 8.3 short names), runs a binary that is currently burning sustained CPU (unless Windows
--   trusts its signature and it is in its expected place), or starts PowerShell (or any command) with miner indicators. scheduled_tasks.path is the task's folder in the Task Scheduler library,
--   not a file path; the action is the command the task runs.
-- attack: T1053.005, T1496
-- platform: windows
-- interval: 900
-- logging: differential
-- min_osquery_version: 5.8.0
-- requires: extension
-- telemetry:
-- reasons: TASK_USER_WRITABLE, TASK_PATH_OBSCURED, TASK_RUNS_SUSTAINED, TASK_MINER_ARGS, TASK_POWERSHELL_ENCODED

-- osquery builds scheduled_tasks.action as "<WorkingDirectory> <Path> <Arguments>"
-- for each exec action, joined with ',', environment variables unexpanded
-- (docs/catalogs.md), so nothing here assumes the program comes first: the
-- tests look for folders and programs anywhere in the text, after folding the
-- spellings Windows opens as the same path (C:/Users, C:\\Users, %SystemDrive%\Users).
WITH sustained AS MATERIALIZED (
  SELECT s.pid, s.path FROM process_cpu_sustained AS s
  WHERE s.sustained = 1 AND s.approved = 0 AND s.path != ''
    AND NOT (0 /*@approved path=s.path name=s.name cmdline=s.cmdline*/)
),
-- A busy binary counts unless its signature vouches for it (docs/siem.md).
busy AS MATERIALIZED (
  SELECT DISTINCT lower(s.path) AS path FROM sustained AS s
  WHERE s.pid NOT IN (0 /*@vouched_pids from=sustained*/)
),
-- Each action folded once (slashes, doubled separators, admin shares) for every path test below.
tasks AS MATERIALIZED (
  SELECT t.name, t.path, t.action, t.enabled, 0 /*@fold_path expr=t.action*/ AS folded,
    '' /*@vendor_action_text expr=t.action*/ AS vendor_text
  FROM scheduled_tasks AS t
  WHERE t.action != ''
),
flagged AS (
  SELECT t.name, t.path, t.action, t.enabled,
    -- A vendor's own per-user task points into the profile by design (src/intel/vendor-components.ts).
    CASE WHEN 0 /*@user_writable_in expr=t.folded folded=1*/ AND NOT (0 /*@vendor_task name=t.name action=t.action text=t.vendor_text*/)
         THEN 'TASK_USER_WRITABLE,' ELSE '' END
    || CASE WHEN 0 /*@path_obscured expr=t.folded folded=1*/ THEN 'TASK_PATH_OBSCURED,' ELSE '' END
    || CASE WHEN EXISTS (SELECT 1 FROM busy AS b WHERE 0 /*@names_path text=t.folded path=b.path folded=1*/)
            THEN 'TASK_RUNS_SUSTAINED,' ELSE '' END
    || CASE WHEN 0 /*@miner_match expr=t.action*/ THEN 'TASK_MINER_ARGS,' ELSE '' END
    || CASE WHEN 0 /*@mentions_vector vector=powershell expr=t.action*/
             AND (instr(lower(t.action), ' -enc') > 0 OR instr(lower(t.action), ' -e ') > 0
                  OR instr(lower(t.action), 'frombase64string') > 0)
            THEN 'TASK_POWERSHELL_ENCODED,' ELSE '' END AS codes
  FROM tasks AS t
)
SELECT name, path, action, enabled, rtrim(codes, ',') AS reasons
FROM flagged
WHERE codes != '';
