// osquery's flags with the JSON types Fleet decodes them as, transcribed from
// fleetdm/fleet server/fleet/agent_options_generated.go (osqueryCommandLineFlags,
// generated from osquery's own flag table for osquery 5.19) and the
// hand-written OsqueryCommandLineFlagsLinux/Windows/MacOS/Hidden structs in
// server/fleet/agent_options.go. The generated osqueryOptions struct (what
// `config.options` accepts) is the same table without the CLI-only flags.

export type FlagType = 'bool' | 'string' | 'uint64' | 'uint32' | 'int32';

const words = (s: string) => s.trim().split(/\s+/);

const BY_TYPE: Readonly<Record<FlagType, string>> = {
  bool: `audit_allow_config audit_allow_fim_events audit_allow_process_events audit_allow_sockets audit_allow_user_events
    aws_debug aws_disable_imdsv1_fallback aws_enable_proxy aws_enforce_fips aws_kinesis_disable_log_status
    aws_kinesis_random_partition_key carver_compression carver_disable_function config_check config_dump config_enable_backup
    daemonize database_dump decorations_top_level disable_audit disable_caching disable_carver disable_database
    disable_decorators disable_distributed disable_enrollment disable_events disable_extensions disable_hash_cache
    disable_logging disable_reenrollment disable_watchdog distributed_loginfo enable_extensions_watchdog enable_file_events
    enable_foreign enable_numeric_monitoring enable_watchdog_debug enroll_always ephemeral es_fim_enable_open_events
    events_optimize extensions_default_index force ignore_table_exceptions install keychain_access_cache logger_event_type
    logger_numerics logger_rotate logger_snapshot_event_type logger_stderr logger_syslog_prepend_cee logger_tls_compress
    logtostderr schedule_lognames thrift_verbose tls_disable_status_log tls_session_reuse uninstall verbose
    yara_sigurl_authenticate
    audit_allow_accept_socket_events audit_allow_apparmor_events audit_allow_failed_socket_events
    audit_allow_fork_process_events audit_allow_kill_process_events audit_allow_null_accept_socket_events
    audit_allow_seccomp_events audit_allow_selinux_events audit_force_reconfigure audit_force_unconfigure audit_persist
    disable_memory enable_bpf_events enable_syslog keep_container_worker_open
    enable_ntfs_event_publisher enable_powershell_events_subscriber enable_process_etw_events enable_windows_events_publisher
    enable_windows_events_subscriber ntfs_event_publisher_debug usn_journal_reader_debug
    disable_endpointsecurity disable_endpointsecurity_fim enable_keyboard_events enable_mouse_events
    alsologtostderr ignore_registry_exceptions stop_logging_if_full_disk allow_unsafe tls_dump audit_debug audit_fim_debug
    audit_show_partial_fim_events audit_show_untracked_res_warnings audit_fim_show_accesses`,
  string: `augeas_lenses aws_access_key_id aws_firehose_endpoint aws_firehose_region aws_firehose_stream aws_kinesis_endpoint
    aws_kinesis_region aws_kinesis_stream aws_profile_name aws_proxy_host aws_proxy_password aws_proxy_scheme
    aws_proxy_username aws_region aws_secret_access_key aws_session_token aws_sts_arn_role aws_sts_region
    aws_sts_session_name carver_continue_endpoint carver_start_endpoint config_path config_plugin config_tls_endpoint
    database_path disable_tables distributed_plugin distributed_tls_read_endpoint distributed_tls_write_endpoint
    docker_socket enable_tables enroll_secret_env enroll_secret_path enroll_tls_endpoint experiment_list
    extensions_autoload extensions_interval extensions_require extensions_socket extensions_timeout host_identifier
    logger_kafka_acks logger_kafka_brokers logger_kafka_compression logger_kafka_topic logger_mode logger_path
    logger_plugin logger_tls_endpoint nullvalue numeric_monitoring_filesystem_path numeric_monitoring_plugins
    pack_delimiter pidfile proxy_hostname specified_identifier tls_client_cert tls_client_key tls_hostname
    tls_server_certs
    hardware_disabled_types lxd_socket syslog_pipe_path windows_event_channels es_fim_mute_path_literal
    es_fim_mute_path_prefix events_streaming_plugin log_dir`,
  uint64: `alarm_timeout aws_firehose_period aws_kinesis_period aws_sts_timeout buffered_log_max config_accelerated_refresh
    config_refresh config_tls_max_attempts distributed_denylist_duration distributed_interval distributed_tls_max_attempts
    events_expiry events_max logger_rotate_max_files logger_rotate_size logger_tls_backoff_max logger_tls_max_lines
    logger_tls_max_linesize logger_tls_period numeric_monitoring_pre_aggregation_time pack_refresh_interval read_max
    schedule_default_interval schedule_epoch schedule_max_drift schedule_reload schedule_splay_percent schedule_timeout
    table_delay tls_enroll_max_attempts tls_enroll_max_interval watchdog_delay watchdog_forced_shutdown_delay
    watchdog_latency_limit watchdog_memory_limit watchdog_utilization_limit
    bpf_buffer_storage_size bpf_perf_event_array_exp malloc_trim_threshold syslog_events_expiry syslog_events_max
    syslog_rate_limit users_service_delay users_service_interval groups_service_delay groups_service_interval`,
  uint32: `aws_imdsv2_request_attempts aws_imdsv2_request_interval aws_proxy_port carver_block_size carver_expiry hash_cache_max
    keychain_access_interval thrift_timeout tls_session_timeout yara_delay
    experiments_linuxevents_circular_buffer_size experiments_linuxevents_perf_output_size
    etw_kernel_trace_buffer_size etw_kernel_trace_flush_timer etw_kernel_trace_maximum_buffers
    etw_kernel_trace_minimum_buffers etw_userspace_trace_buffer_size etw_userspace_trace_flush_timer
    etw_userspace_trace_maximum_buffers etw_userspace_trace_minimum_buffers`,
  int32: `logger_min_status logger_min_stderr logger_syslog_facility stderrthreshold thrift_string_size_limit watchdog_level
    audit_backlog_limit audit_backlog_wait_time logbufsecs max_log_size minloglevel`,
};

/** command_line_flags: name -> type. */
export const FLAG_TYPES: ReadonlyMap<string, FlagType> = new Map(
  (Object.entries(BY_TYPE) as [FlagType, string][]).flatMap(([t, names]) => words(names).map((n) => [n, t] as const)),
);

/** Flags in the command-line table that osqueryOptions (config.options) does not have. */
const CLI_ONLY = new Set(
  words(`alarm_timeout aws_enforce_fips carver_block_size carver_compression carver_continue_endpoint
  carver_disable_function carver_expiry carver_start_endpoint config_accelerated_refresh config_check config_dump
  config_enable_backup config_path config_plugin config_refresh config_tls_endpoint config_tls_max_attempts daemonize
  database_dump database_path disable_carver disable_enrollment disable_extensions disable_reenrollment disable_tables
  disable_watchdog enable_extensions_watchdog enable_tables enable_watchdog_debug enroll_always enroll_secret_env
  enroll_secret_path enroll_tls_endpoint extensions_autoload extensions_interval extensions_require extensions_socket
  extensions_timeout force install logger_mode logger_plugin logger_stderr logtostderr pidfile proxy_hostname
  stderrthreshold tls_client_cert tls_client_key tls_enroll_max_attempts tls_enroll_max_interval tls_hostname
  tls_server_certs tls_session_reuse tls_session_timeout uninstall watchdog_delay watchdog_forced_shutdown_delay
  watchdog_latency_limit watchdog_level watchdog_memory_limit watchdog_utilization_limit`),
);

/** config.options: name -> type. */
export const OPTION_TYPES: ReadonlyMap<string, FlagType> = new Map([...FLAG_TYPES].filter(([n]) => !CLI_ONLY.has(n)));
