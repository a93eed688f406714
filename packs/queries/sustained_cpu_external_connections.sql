-- name: sustained_cpu_external_connections
-- description: Sustained-CPU processes talking to a mining-pool port, or unsigned ones holding
--   long-lived connections to public addresses (a binary Windows trusts the signature of, in its
--   expected place and not a script or DLL host, is not reported for a long-lived connection alone): the extension's connection history (which remembers connections across
--   samples) joined with osquery's live process_open_sockets (which catches what the history has
--   not yet seen).
-- attack: T1496, T1071
-- platform: windows
-- interval: 300
-- logging: differential
-- min_osquery_version: 5.8.0
-- requires: extension
-- telemetry:
-- reasons: SUSTAINED_CPU, EXTERNAL_PERSISTENT, POOL_PORT

WITH sustained AS MATERIALIZED (
  SELECT pid, start_time, name, path, avg_cpu_percent
  FROM process_cpu_sustained AS s
  WHERE s.sustained = 1 AND s.exited = 0 AND s.approved = 0
    AND NOT (0 /*@approved path=s.path name=s.name cmdline=s.cmdline*/)
),
remembered AS (
  SELECT c.pid, c.start_time, c.protocol, c.remote_address, c.remote_port,
         c.pool_port, c.persistent
  FROM process_connection_history AS c
  WHERE c.external = 1 AND (c.persistent = 1 OR c.pool_port = 1)
),
live AS (
  -- Live sockets to well-known stratum ports (src/intel/network.ts) on a public
  -- address. Peers may be IPv6 (Windows lists the TCP6/UDP6 tables in the same
  -- table; an IPv4 peer of a dual-stack socket reads ::ffff:a.b.c.d) and UDP
  -- rows carry "0".
  SELECT o.pid, o.protocol, o.remote_address, o.remote_port,
    lower(CASE WHEN lower(o.remote_address) LIKE '::ffff:%.%' THEN substr(o.remote_address, 8)
               ELSE o.remote_address END) AS peer
  FROM process_open_sockets AS o
  WHERE 0 /*@pool_port expr=o.remote_port*/
),
public_live AS (
  SELECT l.pid, CASE l.protocol WHEN 6 THEN 'tcp' ELSE 'udp' END AS protocol, l.remote_address, l.remote_port
  FROM live AS l
  -- The address ranges the connection table calls internal (src/intel/network.ts).
  WHERE NOT (0 /*@internal_address expr=l.peer*/)
)
SELECT DISTINCT
  s.pid,
  s.name,
  s.path,
  x.protocol,
  x.remote_address,
  x.remote_port,
  '' /*@cpu_band expr=s.avg_cpu_percent*/ AS cpu_band,
  rtrim('SUSTAINED_CPU,' || CASE WHEN x.persistent = 1 THEN 'EXTERNAL_PERSISTENT,' ELSE '' END
        || CASE WHEN x.pool_port = 1 THEN 'POOL_PORT' ELSE '' END, ',') AS reasons
FROM sustained AS s
JOIN (
  SELECT pid, start_time, protocol, remote_address, remote_port, pool_port, persistent FROM remembered
  UNION
  -- A live pool-port socket not yet in the history: the port is the evidence.
  SELECT l.pid, NULL, l.protocol, l.remote_address, l.remote_port, 1, 0 FROM public_live AS l
  WHERE NOT EXISTS (SELECT 1 FROM remembered AS r
                    WHERE r.pid = l.pid AND r.remote_address = l.remote_address AND r.remote_port = l.remote_port)
) AS x ON x.pid = s.pid AND (x.start_time IS NULL OR x.start_time = s.start_time)
-- A pool port is evidence on its own. A long-lived external connection is
-- normal for trusted software (games, backup agents, browsers), so it counts
-- only for a binary whose signature does not vouch for it (present is not
-- valid: docs/siem.md).
WHERE x.pool_port = 1
   OR s.pid NOT IN (0 /*@vouched_pids from=sustained*/);
