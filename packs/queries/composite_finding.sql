-- name: composite_finding
-- description: One row per suspicious running process, combining every AN1489 signal — sustained
--   CPU (outside the approved baseline), launch by scheduled task/WMI/PowerShell, masquerade or
--   renamed binary, unsigned binary in a system folder, spoofed folder name, mining-pool or
--   long-lived external connections, miner command-line options, user-writable location — into a
--   score with stable reason codes. Rows appear at score 50 and above; severity is high from 80.
-- attack: T1496, T1053.005, T1047, T1059.001, T1036.005
-- platform: windows
-- interval: 300
-- logging: differential
-- min_osquery_version: 5.8.0
-- requires: extension
-- telemetry:
-- reasons: SUSTAINED_CPU, LAUNCH_SCHEDULED_TASK, LAUNCH_WMI, LAUNCH_POWERSHELL, MASQUERADE, RENAMED,
--   UNSIGNED_SYSTEM_PATH, SPOOFED_FOLDER, POOL_CONNECTION, EXTERNAL_PERSISTENT, MINER_CMDLINE,
--   USER_WRITABLE_PATH

-- Weights (documented in docs/siem.md): a single strong signal (masquerade,
-- miner options) reaches 50 on its own; sustained CPU alone (30) never does,
-- so busy but ordinary workloads stay quiet unless something else is off.
-- MATERIALIZED keeps SQLite from inlining a CTE into the join and
-- re-evaluating its baseline clause once per joined process.
WITH
sus AS MATERIALIZED (
  SELECT s.pid, s.start_time, s.launch_vector
  FROM process_cpu_sustained AS s
  WHERE s.sustained = 1 AND s.exited = 0 AND s.approved = 0
    AND NOT (0 /*@approved path=s.path name=s.name cmdline=s.cmdline*/)
),
sig AS MATERIALIZED (
  SELECT sc.pid,
    max(sc.verdict = 'masquerade') AS masquerade,
    max(sc.renamed = 1) AS renamed,
    max(sc.signed = 0 AND 0 /*@not_validly_signed expr=ac.result*/ AND 0 /*@system_path expr=sc.path*/) AS unsigned_system
  FROM process_signature_check AS sc
  LEFT JOIN authenticode AS ac ON ac.path = sc.path
  WHERE sc.verdict IN ('masquerade', 'renamed', 'suspicious') OR sc.renamed = 1
  GROUP BY sc.pid
),
net AS MATERIALIZED (
  SELECT c.pid, c.start_time, max(c.pool_port) AS pool, max(c.persistent) AS persistent
  FROM process_connection_history AS c
  WHERE c.external = 1
  GROUP BY c.pid, c.start_time
),
signals AS (
  SELECT p.pid, p.name, p.path,
    (s.pid IS NOT NULL) AS sustained,
    coalesce(s.launch_vector, '') AS launch_vector,
    coalesce(g.masquerade, 0) AS masquerade,
    coalesce(g.renamed, 0) AS renamed,
    coalesce(g.unsigned_system, 0) AS unsigned_system,
    (0 /*@spoofed_folder expr=p.path*/) AS spoofed,
    coalesce(n.pool, 0) AS pool,
    coalesce(n.persistent, 0) AS persistent,
    (0 /*@miner_match expr=p.cmdline*/) AS miner_cmdline,
    (0 /*@user_writable expr=p.path*/) AS user_writable
  FROM processes AS p
  LEFT JOIN sus AS s ON s.pid = p.pid AND s.start_time = p.start_time
  LEFT JOIN sig AS g ON g.pid = p.pid
  LEFT JOIN net AS n ON n.pid = p.pid AND n.start_time = p.start_time
  -- osqueryd's own autoloaded extensions (this one included) are not judged: osquery vetted them.
  WHERE p.pid > 4 AND NOT (0 /*@osquery_autoloaded pid=p.pid*/)
),
scored AS (
  SELECT *,
    30 * sustained
    + 20 * (sustained AND 0 /*@an1489_vector expr=launch_vector*/)
    + 50 * masquerade + 30 * renamed + 20 * unsigned_system + 30 * spoofed
    + 30 * pool + 15 * (persistent AND NOT pool)
    + 50 * miner_cmdline
    + 10 * user_writable AS score
  FROM signals
)
SELECT
  pid,
  name,
  path,
  CASE WHEN score >= 80 THEN 'high' ELSE 'medium' END AS severity,
  score,
  rtrim(
    CASE WHEN sustained THEN 'SUSTAINED_CPU,' ELSE '' END
    || CASE WHEN sustained AND 0 /*@an1489_vector expr=launch_vector*/
         THEN '' /*@launch_reason expr=launch_vector*/ || ',' ELSE '' END
    || CASE WHEN masquerade THEN 'MASQUERADE,' ELSE '' END
    || CASE WHEN renamed THEN 'RENAMED,' ELSE '' END
    || CASE WHEN unsigned_system THEN 'UNSIGNED_SYSTEM_PATH,' ELSE '' END
    || CASE WHEN spoofed THEN 'SPOOFED_FOLDER,' ELSE '' END
    || CASE WHEN pool THEN 'POOL_CONNECTION,' ELSE '' END
    || CASE WHEN persistent AND NOT pool THEN 'EXTERNAL_PERSISTENT,' ELSE '' END
    || CASE WHEN miner_cmdline THEN 'MINER_CMDLINE,' ELSE '' END
    || CASE WHEN user_writable THEN 'USER_WRITABLE_PATH' ELSE '' END,
    ',') AS reasons
FROM scored
WHERE score >= 50;
