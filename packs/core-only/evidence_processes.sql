-- name: evidence_processes
-- description: Evidence for `an1489 replay` on hosts that cannot load the extension: every process with its
--   CPU counters and every TCP/UDP connection, in one result set (kind = 'process' or 'socket') so
--   both describe the same instant. Replay feeds these samples, in time order, through the
--   extension's own sampler. Snapshot logging; the interval is the sampling period (30-60 s).
-- attack: T1496
-- platform: windows
-- interval: 30
-- logging: snapshot
-- min_osquery_version: 5.4.0
-- requires: core
-- telemetry:
-- reasons:

-- One result set, two row kinds: a UNION keeps processes and sockets at one
-- instant. The user is the uid (a users lookup every 30 s costs more than it tells).
SELECT 'process' AS kind, p.pid, p.parent, p.name, p.path, p.cmdline, p.start_time, p.elapsed_time,
  p.user_time, p.system_time, p.resident_size, p.threads, p.uid,
  '' AS family, '' AS protocol, '' AS local_address, '' AS local_port, '' AS remote_address, '' AS remote_port, '' AS state
FROM processes AS p
UNION ALL
SELECT 'socket', s.pid, '', '', '', '', '', '', '', '', '', '', '',
  s.family, s.protocol, s.local_address, s.local_port, s.remote_address, s.remote_port, s.state
FROM process_open_sockets AS s
WHERE s.protocol IN (6, 17) AND s.remote_port != 0;
