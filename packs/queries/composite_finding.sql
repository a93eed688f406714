-- name: composite_finding
-- description: One row per suspicious running process, combining every AN1489 signal — sustained
--   CPU (outside the approved baseline), launch by scheduled task (Schedule's svchost found through
--   osquery's services table, shared netsvcs hosts included)/WMI/PowerShell, masquerade or renamed
--   binary, a vendor component's name out of its folders, an unsigned, untrusted or tampered
--   signature, spoofed folder name, mining-pool or long-lived external connections, miner
--   command-line options, user-writable location — into a score with stable reason codes. A binary
--   Windows trusts the signature of, in its expected place and not a script or DLL host, gets no
--   points for location, connection or launch (docs/siem.md). Rows appear at score 50 and above;
--   severity is high from 80.
-- attack: T1496, T1053.005, T1047, T1059.001, T1036.005
-- platform: windows
-- interval: 300
-- logging: differential
-- min_osquery_version: 5.8.0
-- requires: extension
-- telemetry:
-- reasons: SUSTAINED_CPU, LAUNCH_SCHEDULED_TASK, LAUNCH_WMI, LAUNCH_POWERSHELL, MASQUERADE, RENAMED,
--   VENDOR_NAME_MISPLACED, SIGNATURE_TAMPERED, SIGNATURE_UNTRUSTED, UNSIGNED_BINARY,
--   UNSIGNED_SYSTEM_PATH, SPOOFED_FOLDER, POOL_CONNECTION, EXTERNAL_PERSISTENT, MINER_CMDLINE,
--   USER_WRITABLE_PATH

-- Weights (documented in docs/siem.md): a single strong signal (masquerade,
-- miner options) reaches 50 on its own; sustained CPU alone (30) never does,
-- so busy but ordinary workloads stay quiet unless something else is off.
-- MATERIALIZED keeps SQLite from inlining a CTE into the join and
-- re-evaluating its baseline clause once per joined process.
WITH
sus AS MATERIALIZED (
  SELECT s.pid, s.start_time,
    '' /*@schedule_host_vector vector=s.launch_vector ancestry=s.ancestry*/ AS launch_vector
  FROM process_cpu_sustained AS s
  WHERE s.sustained = 1 AND s.exited = 0 AND s.approved = 0
    AND NOT (0 /*@approved path=s.path name=s.name cmdline=s.cmdline*/)
),
net AS MATERIALIZED (
  SELECT c.pid, c.start_time, max(c.pool_port) AS pool, max(c.persistent) AS persistent
  FROM process_connection_history AS c
  WHERE c.external = 1
  GROUP BY c.pid, c.start_time
),
-- Our reader's verdict per process (one row per process; cached per binary).
-- Read once here: a join on pid would ask the table again for every row.
checked AS MATERIALIZED (
  SELECT sc.pid, sc.verdict, sc.reasons, sc.renamed, sc.signed, sc.signature_status
  FROM process_signature_check AS sc
),
base AS MATERIALIZED (
  SELECT p.pid, p.name, p.path,
    (s.pid IS NOT NULL) AS sustained,
    coalesce(s.launch_vector, '') AS launch_vector,
    coalesce(k.verdict = 'masquerade', 0) AS masquerade,
    coalesce(k.renamed = 1, 0) AS renamed,
    k.verdict, k.reasons AS check_reasons, k.renamed AS renamed_flag, k.signed, k.signature_status,
    (0 /*@vendor_misplaced expr=p.path*/) AS vendor_misplaced,
    (0 /*@spoofed_folder expr=p.path*/) AS spoofed,
    coalesce(n.pool, 0) AS pool,
    coalesce(n.persistent, 0) AS persistent,
    (0 /*@miner_match expr=p.cmdline*/) AS miner_cmdline
  FROM processes AS p
  LEFT JOIN sus AS s ON s.pid = p.pid AND s.start_time = p.start_time
  LEFT JOIN checked AS k ON k.pid = p.pid
  LEFT JOIN net AS n ON n.pid = p.pid AND n.start_time = p.start_time
  -- osqueryd's own autoloaded extensions (this one included) are not judged: osquery vetted them.
  WHERE p.pid > 4 AND NOT (0 /*@osquery_autoloaded pid=p.pid*/)
),
-- Processes with a signal that can lift them to 50; only these are worth
-- asking Windows (osquery's authenticode) about their signature.
candidates AS MATERIALIZED (
  SELECT *,
    (0 /*@user_writable expr=path*/) AS user_writable,
    (0 /*@system_path expr=path*/) AS system_path
  FROM base
  WHERE sustained OR pool OR persistent OR masquerade OR renamed OR miner_cmdline OR spoofed OR vendor_misplaced
),
-- The signature, as strong as what was checked: 'missing' from our reader
-- and no valid signature by Windows (catalogs included) is unsigned; a
-- digest our reader found altered is tampered; a present signature Windows
-- does not accept (osquery says untrusted or distrusted, not why) is untrusted.
sig AS MATERIALIZED (
  SELECT c.pid,
    max(c.signed = 0 AND 0 /*@not_validly_signed expr=ac.result*/) AS unsigned,
    max(c.signature_status IN ('tampered', 'invalid')) AS tampered,
    max(c.signed = 1 AND ac.result IN ('untrusted', 'distrusted')) AS untrusted,
    max(0 /*@vouched status=c.signature_status result=ac.result renamed=c.renamed_flag verdict=c.verdict reasons=c.check_reasons path=c.path misplaced=c.vendor_misplaced*/) AS vouched
  FROM candidates AS c
  LEFT JOIN authenticode AS ac ON ac.path = c.path
  GROUP BY c.pid
),
signals AS (
  SELECT c.*,
    coalesce(g.unsigned, 0) AS unsigned,
    coalesce(g.tampered, 0) AS tampered,
    coalesce(g.untrusted, 0) AS untrusted,
    coalesce(g.vouched, 0) AS vouched
  FROM candidates AS c
  LEFT JOIN sig AS g ON g.pid = c.pid
),
scored AS (
  SELECT *,
    30 * sustained
    + 20 * (sustained AND NOT vouched AND 0 /*@an1489_vector expr=launch_vector*/)
    + 50 * masquerade + 30 * renamed + 40 * vendor_misplaced
    + 40 * tampered + 20 * (untrusted AND NOT tampered)
    + 15 * unsigned + 20 * (unsigned AND system_path)
    + 30 * spoofed
    + 30 * pool + 15 * (persistent AND NOT pool AND NOT vouched)
    + 50 * miner_cmdline
    + 10 * (user_writable AND NOT vouched) AS score
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
    || CASE WHEN sustained AND NOT vouched AND 0 /*@an1489_vector expr=launch_vector*/
         THEN '' /*@launch_reason expr=launch_vector*/ || ',' ELSE '' END
    || CASE WHEN masquerade THEN 'MASQUERADE,' ELSE '' END
    || CASE WHEN renamed THEN 'RENAMED,' ELSE '' END
    || CASE WHEN vendor_misplaced THEN 'VENDOR_NAME_MISPLACED,' ELSE '' END
    || CASE WHEN tampered THEN 'SIGNATURE_TAMPERED,' ELSE '' END
    || CASE WHEN untrusted AND NOT tampered THEN 'SIGNATURE_UNTRUSTED,' ELSE '' END
    || CASE WHEN unsigned THEN 'UNSIGNED_BINARY,' ELSE '' END
    || CASE WHEN unsigned AND system_path THEN 'UNSIGNED_SYSTEM_PATH,' ELSE '' END
    || CASE WHEN spoofed THEN 'SPOOFED_FOLDER,' ELSE '' END
    || CASE WHEN pool THEN 'POOL_CONNECTION,' ELSE '' END
    || CASE WHEN persistent AND NOT pool AND NOT vouched THEN 'EXTERNAL_PERSISTENT,' ELSE '' END
    || CASE WHEN miner_cmdline THEN 'MINER_CMDLINE,' ELSE '' END
    || CASE WHEN user_writable AND NOT vouched THEN 'USER_WRITABLE_PATH' ELSE '' END,
    ',') AS reasons
FROM scored
WHERE score >= 50;
