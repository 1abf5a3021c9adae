//! Directives of third-party and dynamic modules, and which module provides each: a directive
//! nginx's own modules do not define is not "unknown" when a module the paste loads (or a build
//! that includes it, such as OpenResty or Tengine) provides it.
//!
//! The lines for modules Debian packages (`libnginx-mod-*`) are read from the modules themselves
//! by `scripts/module_directives.py` (exact contexts and argument counts, as their
//! `ngx_command_t` say); the upstream health check (Tengine), VTS and sticky are written from
//! their READMEs with any argument count, so that they are never reported wrongly.

use serde::Serialize;

/// A module that is not part of nginx's own build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Module {
    /// Short key used in the table below.
    pub key: &'static str,
    /// How people know it.
    pub name: &'static str,
    /// The file `load_module` names when it is built as a dynamic module.
    pub file: Option<&'static str>,
    /// The Debian (and Ubuntu) package that installs it.
    pub package: Option<&'static str>,
    /// Builds that include it with no `load_module`.
    pub built_into: Option<&'static str>,
    /// A module that must be loaded before it.
    pub needs: Option<&'static str>,
}

const fn debian(
    key: &'static str,
    name: &'static str,
    file: &'static str,
    package: &'static str,
    built_into: Option<&'static str>,
) -> Module {
    Module { key, name, file: Some(file), package: Some(package), built_into, needs: None }
}

const OPENRESTY: Option<&str> = Some("OpenResty");

/// Every module the table names.
pub static MODULES: &[Module] = &[
    debian(
        "auth-pam",
        "ngx_http_auth_pam_module",
        "ngx_http_auth_pam_module.so",
        "libnginx-mod-http-auth-pam",
        None,
    ),
    debian(
        "brotli",
        "ngx_brotli (filter)",
        "ngx_http_brotli_filter_module.so",
        "libnginx-mod-http-brotli-filter",
        None,
    ),
    debian(
        "brotli-static",
        "ngx_brotli (static)",
        "ngx_http_brotli_static_module.so",
        "libnginx-mod-http-brotli-static",
        None,
    ),
    debian(
        "cache-purge",
        "ngx_cache_purge",
        "ngx_http_cache_purge_module.so",
        "libnginx-mod-http-cache-purge",
        Some("nginx Plus (its own purge)"),
    ),
    debian(
        "dav-ext",
        "nginx-dav-ext-module",
        "ngx_http_dav_ext_module.so",
        "libnginx-mod-http-dav-ext",
        None,
    ),
    debian("echo", "echo-nginx-module", "ngx_http_echo_module.so", "libnginx-mod-http-echo", OPENRESTY),
    debian(
        "fancyindex",
        "ngx-fancyindex",
        "ngx_http_fancyindex_module.so",
        "libnginx-mod-http-fancyindex",
        None,
    ),
    debian("geoip2", "ngx_http_geoip2_module", "ngx_http_geoip2_module.so", "libnginx-mod-http-geoip2", None),
    debian(
        "headers-more",
        "headers-more-nginx-module",
        "ngx_http_headers_more_filter_module.so",
        "libnginx-mod-http-headers-more-filter",
        OPENRESTY,
    ),
    Module {
        needs: Some("ndk_http_module.so"),
        ..debian(
            "lua",
            "lua-nginx-module (ngx_lua)",
            "ngx_http_lua_module.so",
            "libnginx-mod-http-lua",
            OPENRESTY,
        )
    },
    debian("memc", "memc-nginx-module", "ngx_http_memc_module.so", "libnginx-mod-http-memc", OPENRESTY),
    debian(
        "modsecurity",
        "ModSecurity-nginx",
        "ngx_http_modsecurity_module.so",
        "libnginx-mod-http-modsecurity",
        None,
    ),
    debian("nchan", "Nchan", "ngx_nchan_module.so", "libnginx-mod-nchan", None),
    debian(
        "ndk",
        "the Nginx Development Kit (ndk)",
        "ndk_http_module.so",
        "libnginx-mod-http-ndk",
        OPENRESTY,
    ),
    debian("njs", "njs (ngx_http_js_module)", "ngx_http_js_module.so", "libnginx-mod-http-js", None),
    debian("rtmp", "nginx-rtmp-module", "ngx_rtmp_module.so", "libnginx-mod-rtmp", None),
    Module {
        needs: Some("ndk_http_module.so"),
        ..debian(
            "set-misc",
            "set-misc-nginx-module",
            "ngx_http_set_misc_module.so",
            "libnginx-mod-http-set-misc",
            OPENRESTY,
        )
    },
    debian(
        "srcache",
        "srcache-nginx-module",
        "ngx_http_srcache_filter_module.so",
        "libnginx-mod-http-srcache-filter",
        OPENRESTY,
    ),
    debian(
        "stream-geoip2",
        "ngx_stream_geoip2_module",
        "ngx_stream_geoip2_module.so",
        "libnginx-mod-stream-geoip2",
        None,
    ),
    debian(
        "stream-njs",
        "njs (ngx_stream_js_module)",
        "ngx_stream_js_module.so",
        "libnginx-mod-stream-js",
        None,
    ),
    debian(
        "subs-filter",
        "ngx_http_substitutions_filter_module",
        "ngx_http_subs_filter_module.so",
        "libnginx-mod-http-subs-filter",
        None,
    ),
    debian(
        "uploadprogress",
        "nginx-upload-progress-module",
        "ngx_http_uploadprogress_module.so",
        "libnginx-mod-http-uploadprogress",
        None,
    ),
    debian(
        "upstream-fair",
        "nginx-upstream-fair",
        "ngx_http_upstream_fair_module.so",
        "libnginx-mod-http-upstream-fair",
        None,
    ),
    Module {
        key: "upstream-check",
        name: "the upstream health check (ngx_http_upstream_check_module)",
        file: None,
        package: None,
        built_into: Some("Tengine, or nginx patched with nginx_upstream_check_module"),
        needs: None,
    },
    Module {
        key: "sticky",
        name: "nginx-sticky-module-ng",
        file: Some("ngx_http_sticky_module.so"),
        package: None,
        built_into: Some("Tengine"),
        needs: None,
    },
    Module {
        key: "vts",
        name: "nginx-module-vts (virtual host traffic status)",
        file: Some("ngx_http_vhost_traffic_status_module.so"),
        package: None,
        built_into: None,
        needs: None,
    },
];

/// The module whose file a `load_module` path names (`modules/ngx_http_lua_module.so`).
pub fn by_file(path: &[u8]) -> Option<&'static Module> {
    let base = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    MODULES.iter().find(|m| m.file.is_some_and(|f| f.as_bytes() == base))
}

/// The modules that define `name`, each with its masks (as in [`crate::directives::lookup`]).
pub fn providers(name: &[u8]) -> impl Iterator<Item = (&'static Module, &'static [u32])> {
    let table = table();
    let first = table.partition_point(|(n, _, _)| n.as_bytes() < name);
    table
        .get(first..)
        .unwrap_or_default()
        .iter()
        .take_while(move |(n, _, _)| n.as_bytes() == name)
        .filter_map(|(_, key, masks)| Some((MODULES.iter().find(|m| m.key == *key)?, &**masks)))
}

type Entry = (&'static str, &'static str, Box<[u32]>);

fn table() -> &'static [Entry] {
    static PARSED: std::sync::OnceLock<Vec<Entry>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| {
        let entries = crate::directives::read_table(TABLE, 1).into_iter();
        entries.map(|(name, keys, masks)| (name, keys.first().copied().unwrap_or_default(), masks)).collect()
    })
}

// One line per (directive, module), sorted: the name, the module's key, one hex mask per use.
static TABLE: &str = "\
access_by_lua lua 4e000002
access_by_lua_block lua 4e000101
access_by_lua_file lua 4e000002
access_by_lua_no_postpone lua 02000200
auth_pam auth-pam 8e000002
auth_pam_service_name auth-pam 8e000002
auth_pam_set_pam_env auth-pam 8e000200
balancer_by_lua_block lua 10000101
balancer_by_lua_file lua 10000002
body_filter_by_lua lua 4e000002
body_filter_by_lua_block lua 4e000101
body_filter_by_lua_file lua 4e000002
brotli brotli 4e000200
brotli_buffers brotli 0e000004
brotli_comp_level brotli 0e000002
brotli_min_length brotli 0e000002
brotli_static brotli-static 0e000002
brotli_types brotli 0e000800
brotli_window brotli 0e000002
check upstream-check 10000400
check_fastcgi_param upstream-check 10000400
check_http_expect_alive upstream-check 10000400
check_http_send upstream-check 10000400
check_keepalive_requests upstream-check 10000400
check_shm_size upstream-check 02000400
check_status upstream-check 08000400
content_by_lua lua 48000002
content_by_lua_block lua 48000101
content_by_lua_file lua 48000002
dav_ext_lock dav-ext 0e000002
dav_ext_lock_zone dav-ext 02000006
dav_ext_methods dav-ext 0e000800
echo echo 48000400
echo_abort_parent echo 48000001
echo_after_body echo 48000400
echo_before_body echo 48000400
echo_blocking_sleep echo 48000002
echo_duplicate echo 48001000
echo_end echo 48000001
echo_exec echo 48000006
echo_flush echo 48000001
echo_foreach_split echo 48001000
echo_location echo 48000006
echo_location_async echo 48000006
echo_read_request_body echo 48000001
echo_request_body echo 48000001
echo_reset_timer echo 48000001
echo_sleep echo 48000002
echo_status echo 48000002
echo_subrequest echo 48001000
echo_subrequest_async echo 48001000
exit_worker_by_lua_block lua 02000101
exit_worker_by_lua_file lua 02000002
fair upstream-fair 10000400
fancyindex fancyindex 0e000200
fancyindex_css_href fancyindex 0e000200
fancyindex_default_sort fancyindex 0e000002
fancyindex_directories_first fancyindex 0e000200
fancyindex_exact_size fancyindex 0e000200
fancyindex_footer fancyindex 0e000006
fancyindex_header fancyindex 0e000006
fancyindex_hide_parent_dir fancyindex 0e000200
fancyindex_hide_symlinks fancyindex 0e000200
fancyindex_ignore fancyindex 0e000800
fancyindex_localtime fancyindex 0e000200
fancyindex_name_length fancyindex 0e000200
fancyindex_show_dotfiles fancyindex 0e000200
fancyindex_show_path fancyindex 0e000200
fancyindex_time_format fancyindex 0e000200
fastcgi_cache_purge cache-purge 0e000800
geoip2 geoip2 02000102
geoip2 stream-geoip2 00400102
geoip2_proxy geoip2 02000002
geoip2_proxy_recursive geoip2 02000200
header_filter_by_lua lua 4e000002
header_filter_by_lua_block lua 4e000101
header_filter_by_lua_file lua 4e000002
init_by_lua lua 02000002
init_by_lua_block lua 02000101
init_by_lua_file lua 02000002
init_worker_by_lua lua 02000002
init_worker_by_lua_block lua 02000101
init_worker_by_lua_file lua 02000002
js_access stream-njs 00c00002
js_body_filter njs c8000006
js_content njs c8000002
js_fetch_buffer_size njs 0e000002
js_fetch_buffer_size stream-njs 00c00002
js_fetch_ciphers njs 0e000002
js_fetch_max_response_buffer_size njs 0e000002
js_fetch_max_response_buffer_size stream-njs 00c00002
js_fetch_protocols njs 0e000800
js_fetch_timeout njs 0e000002
js_fetch_timeout stream-njs 00c00002
js_fetch_trusted_certificate njs 0e000002
js_fetch_verify njs 0e000200
js_fetch_verify_depth njs 0e000002
js_filter stream-njs 00c00002
js_header_filter njs c8000002
js_import njs 0e00000a
js_import stream-njs 00c0000a
js_include njs 02000400
js_include stream-njs 00400400
js_path njs 0e000002
js_path stream-njs 00c00002
js_preload_object njs 0e00000a
js_preload_object stream-njs 00c0000a
js_preread stream-njs 00c00002
js_set njs 0e000004
js_set stream-njs 00c00004
js_var njs 0e000006
js_var stream-njs 00c00006
log_by_lua lua 4e000002
log_by_lua_block lua 4e000101
log_by_lua_file lua 4e000002
lua_capture_error_log lua 02000002
lua_check_client_abort lua 4e000200
lua_code_cache lua 4e000200
lua_http10_buffering lua 4e000200
lua_load_resty_core lua 02000200
lua_malloc_trim lua 02000002
lua_max_pending_timers lua 02000002
lua_max_running_timers lua 02000002
lua_need_request_body lua 4e000200
lua_package_cpath lua 02000002
lua_package_path lua 02000002
lua_regex_cache_max_entries lua 02000002
lua_regex_match_limit lua 02000002
lua_sa_restart lua 02000200
lua_shared_dict lua 02000004
lua_socket_buffer_size lua 4e000002
lua_socket_connect_timeout lua 4e000002
lua_socket_keepalive_timeout lua 4e000002
lua_socket_log_errors lua 4e000200
lua_socket_pool_size lua 4e000002
lua_socket_read_timeout lua 4e000002
lua_socket_send_lowat lua 4e000002
lua_socket_send_timeout lua 4e000002
lua_ssl_ciphers lua 0e000002
lua_ssl_conf_command lua 0e000004
lua_ssl_crl lua 0e000002
lua_ssl_protocols lua 0e000800
lua_ssl_trusted_certificate lua 0e000002
lua_ssl_verify_depth lua 0e000002
lua_thread_cache_max_entries lua 02000002
lua_transform_underscores_in_response_headers lua 4e000200
lua_use_default_type lua 4e000200
lua_worker_thread_vm_pool_size lua 02000002
memc_buffer_size memc 0e000002
memc_cmds_allowed memc 4e000800
memc_connect_timeout memc 0e000002
memc_flags_to_last_modified memc 48000200
memc_ignore_client_abort memc 48000200
memc_next_upstream memc 0e000800
memc_pass memc 48000002
memc_read_timeout memc 0e000002
memc_send_timeout memc 0e000002
memc_upstream_fail_timeout memc 0e000002
memc_upstream_max_fails memc 0e000002
modsecurity modsecurity 0e000200
modsecurity_rules modsecurity 0e000002
modsecurity_rules_file modsecurity 0e000002
modsecurity_rules_remote modsecurity 0e000004
modsecurity_transaction_id modsecurity 0e000800
more_clear_headers headers-more 4e000800
more_clear_input_headers headers-more 4e000800
more_set_headers headers-more 4e000800
more_set_input_headers headers-more 4e000800
nchan_access_control_allow_credentials nchan 4e000002
nchan_access_control_allow_origin nchan 4e000002
nchan_authorize_request nchan 4c000002
nchan_benchmark nchan 08000001
nchan_benchmark_channels nchan 08000002
nchan_benchmark_message_padding_bytes nchan 08000002
nchan_benchmark_messages_per_channel_per_minute nchan 08000002
nchan_benchmark_publisher_distribution nchan 08000002
nchan_benchmark_subscriber_distribution nchan 08000002
nchan_benchmark_subscribers_per_channel nchan 08000002
nchan_benchmark_time nchan 08000002
nchan_channel_event_string nchan 4c000002
nchan_channel_events_channel_id nchan 4c000002
nchan_channel_group nchan 4c000002
nchan_channel_group_accounting nchan 0c000002
nchan_channel_id nchan 4c0000fe
nchan_channel_id_split_delimiter nchan 4c000002
nchan_channel_timeout nchan 0e000002
nchan_deflate_message_for_websocket nchan 0c000002
nchan_eventsource_event nchan 4c000002
nchan_eventsource_ping_comment nchan 4c000002
nchan_eventsource_ping_data nchan 4c000002
nchan_eventsource_ping_event nchan 4c000002
nchan_eventsource_ping_interval nchan 4c000002
nchan_group_location nchan 0800000f
nchan_group_max_channels nchan 08000002
nchan_group_max_messages nchan 08000002
nchan_group_max_messages_disk nchan 08000002
nchan_group_max_messages_memory nchan 08000002
nchan_group_max_subscribers nchan 08000002
nchan_longpoll_multipart_response nchan 4c000002
nchan_max_channel_id_length nchan 0e000002
nchan_max_channel_subscribers nchan 0e000002
nchan_max_reserved_memory nchan 02000002
nchan_message_buffer_length nchan 0e000002
nchan_message_max_buffer_length nchan 0e000002
nchan_message_temp_path nchan 02000002
nchan_message_timeout nchan 0e000002
nchan_permessage_deflate_compression_level nchan 02000002
nchan_permessage_deflate_compression_memlevel nchan 02000002
nchan_permessage_deflate_compression_strategy nchan 02000002
nchan_permessage_deflate_compression_window nchan 02000002
nchan_pub_channel_id nchan 4c0000fe
nchan_publisher nchan 4c000007
nchan_publisher_channel_id nchan 4c0000fe
nchan_publisher_location nchan 4c000007
nchan_publisher_upstream_request nchan 4c000002
nchan_pubsub nchan 4c00007f
nchan_pubsub_channel_id nchan 4c0000fe
nchan_pubsub_location nchan 4c00007f
nchan_redis_accurate_subscriber_count nchan 10000002
nchan_redis_cluster_check_interval nchan 10000002
nchan_redis_cluster_check_interval_backoff nchan 10000002
nchan_redis_cluster_check_interval_jitter nchan 10000002
nchan_redis_cluster_check_interval_max nchan 10000002
nchan_redis_cluster_check_interval_min nchan 10000002
nchan_redis_cluster_connect_timeout nchan 10000002
nchan_redis_cluster_max_failing_time nchan 10000002
nchan_redis_cluster_recovery_delay nchan 10000002
nchan_redis_cluster_recovery_delay_backoff nchan 10000002
nchan_redis_cluster_recovery_delay_jitter nchan 10000002
nchan_redis_cluster_recovery_delay_max nchan 10000002
nchan_redis_cluster_recovery_delay_min nchan 10000002
nchan_redis_command_timeout nchan 10000002
nchan_redis_connect_timeout nchan 10000002
nchan_redis_discovered_ip_range_blacklist nchan 100000fe
nchan_redis_fakesub_timer_interval nchan 02000002
nchan_redis_idle_channel_cache_timeout nchan 0e000002
nchan_redis_idle_channel_keepalive_backoff nchan 10000002
nchan_redis_idle_channel_keepalive_jitter nchan 10000002
nchan_redis_idle_channel_keepalive_max nchan 10000002
nchan_redis_idle_channel_keepalive_min nchan 10000002
nchan_redis_idle_channel_keepalive_safety_margin nchan 10000002
nchan_redis_load_scripts_unconditionally nchan 10000002
nchan_redis_namespace nchan 1e000002
nchan_redis_node_connect_timeout nchan 10000002
nchan_redis_nostore_fastpublish nchan 16000002
nchan_redis_optimize_target nchan 10000002
nchan_redis_pass nchan 0e000002
nchan_redis_pass_inheritable nchan 0e000002
nchan_redis_password nchan 10000002
nchan_redis_ping_interval nchan 1e000002
nchan_redis_publish_msgpacked_max_size nchan 02000002
nchan_redis_reconnect_delay nchan 10000002
nchan_redis_reconnect_delay_backoff nchan 10000002
nchan_redis_reconnect_delay_jitter nchan 10000002
nchan_redis_reconnect_delay_max nchan 10000002
nchan_redis_reconnect_delay_min nchan 10000002
nchan_redis_retry_commands nchan 10000002
nchan_redis_retry_commands_max_wait nchan 10000002
nchan_redis_server nchan 10000002
nchan_redis_ssl nchan 10000002
nchan_redis_ssl_ciphers nchan 10000002
nchan_redis_ssl_client_certificate nchan 10000002
nchan_redis_ssl_client_certificate_key nchan 10000002
nchan_redis_ssl_server_name nchan 10000002
nchan_redis_ssl_trusted_certificate nchan 10000002
nchan_redis_ssl_trusted_certificate_path nchan 10000002
nchan_redis_ssl_verify_certificate nchan 10000002
nchan_redis_storage_mode nchan 1e000002
nchan_redis_subscribe_weights nchan 10000006
nchan_redis_tls nchan 10000002
nchan_redis_tls_ciphers nchan 10000002
nchan_redis_tls_client_certificate nchan 10000002
nchan_redis_tls_server_name nchan 10000002
nchan_redis_tls_trusted_certificate nchan 10000002
nchan_redis_tls_trusted_certificate_path nchan 10000002
nchan_redis_tls_verify_certificate nchan 10000002
nchan_redis_upstream_stats nchan 0c000002
nchan_redis_upstream_stats_disconnected_timeout nchan 10000002
nchan_redis_upstream_stats_enabled nchan 10000002
nchan_redis_url nchan 0e000002
nchan_redis_username nchan 10000002
nchan_redis_wait_after_connecting nchan 0e000002
nchan_shared_memory_size nchan 02000002
nchan_storage_engine nchan 0e000002
nchan_store_messages nchan 4e000002
nchan_stub_status nchan 08000001
nchan_sub_channel_id nchan 4c0000fe
nchan_subscribe_existing_channels_only nchan 0e000002
nchan_subscribe_request nchan 4c000002
nchan_subscriber nchan 4c00003f
nchan_subscriber_channel_id nchan 4c0000fe
nchan_subscriber_compound_etag_message_id nchan 4c000002
nchan_subscriber_first_message nchan 4c000002
nchan_subscriber_http_raw_stream_separator nchan 4c000002
nchan_subscriber_info nchan 08000001
nchan_subscriber_info_string nchan 0c000002
nchan_subscriber_last_message_id nchan 4c00003e
nchan_subscriber_location nchan 4c00003f
nchan_subscriber_message_id_custom_etag_header nchan 4c000002
nchan_subscriber_timeout nchan 4e000002
nchan_unsubscribe_request nchan 4c000002
nchan_use_redis nchan 0e000002
nchan_websocket_client_heartbeat nchan 4c000004
nchan_websocket_ping_interval nchan 4c000002
proxy_cache_purge cache-purge 0e000800
push_authorized_channels_only nchan 0e000002
push_channel_group nchan 4c000002
push_channel_timeout nchan 0e000002
push_max_channel_id_length nchan 0e000002
push_max_channel_subscribers nchan 0e000002
push_max_message_buffer_length nchan 0e000002
push_max_reserved_memory nchan 02000002
push_message_buffer_length nchan 0e000002
push_message_timeout nchan 0e000002
push_min_message_buffer_length nchan 4c000002
push_publisher nchan 4c000007
push_store_messages nchan 4e000002
push_subscriber nchan 4c00003f
push_subscriber_concurrency nchan 4c000002
push_subscriber_timeout nchan 4e000002
report_uploads uploadprogress 0e000002
rewrite_by_lua lua 4e000002
rewrite_by_lua_block lua 4e000101
rewrite_by_lua_file lua 4e000002
rewrite_by_lua_no_postpone lua 02000200
rtmp rtmp 00040101
rtmp_auto_push rtmp 00040002
rtmp_auto_push_reconnect rtmp 00040002
rtmp_socket_dir rtmp 00040002
scgi_cache_purge cache-purge 0e000800
server_rewrite_by_lua_block lua 06000101
server_rewrite_by_lua_file lua 06000002
set_base32_alphabet set-misc 6e000002
set_base32_padding set-misc 6e000200
set_by_lua lua 6c001000
set_by_lua_block lua 6c000102
set_by_lua_file lua 6c001000
set_decode_base32 set-misc 6e000006
set_decode_base64 set-misc 6e000006
set_decode_base64url set-misc 6e000006
set_decode_hex set-misc 6e000006
set_encode_base32 set-misc 6e000006
set_encode_base64 set-misc 6e000006
set_encode_base64url set-misc 6e000006
set_encode_hex set-misc 6e000006
set_escape_uri set-misc 6e000006
set_formatted_gmt_time set-misc 6e000004
set_formatted_local_time set-misc 6e000004
set_hashed_upstream set-misc 6e000008
set_hmac_sha1 set-misc 6e000008
set_hmac_sha256 set-misc 6e000008
set_if_empty set-misc 6e000004
set_local_today set-misc 6e000002
set_md5 set-misc 6e000006
set_misc_base32_padding set-misc 6e000200
set_quote_json_str set-misc 6e000006
set_quote_pgsql_str set-misc 6e000006
set_quote_sql_str set-misc 6e000006
set_random set-misc 6e000008
set_rotate set-misc 6e000008
set_secure_random_alphanum set-misc 6e000006
set_secure_random_lcalpha set-misc 6e000006
set_sha1 set-misc 6e000006
set_unescape_uri set-misc 6e000006
srcache_buffer srcache 4e000002
srcache_default_expire srcache 4e000002
srcache_fetch srcache 4e00000c
srcache_fetch_skip srcache 4e000002
srcache_header_buffer_size srcache 4e000002
srcache_ignore_content_encoding srcache 0e000200
srcache_max_expire srcache 4e000002
srcache_methods srcache 0e000800
srcache_request_cache_control srcache 0e000200
srcache_response_cache_control srcache 0e000200
srcache_store srcache 4e00000c
srcache_store_hide_header srcache 0e000002
srcache_store_max_size srcache 4e000002
srcache_store_no_cache srcache 0e000200
srcache_store_no_store srcache 0e000200
srcache_store_pass_header srcache 0e000002
srcache_store_private srcache 0e000200
srcache_store_ranges srcache 0e000200
srcache_store_skip srcache 4e000002
srcache_store_statuses srcache 4e000800
ssl_certificate_by_lua_block lua 06000101
ssl_certificate_by_lua_file lua 06000002
ssl_client_hello_by_lua_block lua 06000101
ssl_client_hello_by_lua_file lua 06000002
ssl_session_fetch_by_lua_block lua 02000101
ssl_session_fetch_by_lua_file lua 02000002
ssl_session_store_by_lua_block lua 02000101
ssl_session_store_by_lua_file lua 02000002
sticky sticky 10000400
subs_buffers subs-filter 0e000004
subs_filter subs-filter 0e001000
subs_filter_bypass subs-filter 0e000800
subs_filter_types subs-filter 0e000800
subs_line_buffer_size subs-filter 0e000004
track_uploads uploadprogress 0e000004
upload_progress uploadprogress 02000004
upload_progress_content_type uploadprogress 0e000002
upload_progress_header uploadprogress 0e000002
upload_progress_java_output uploadprogress 0e000001
upload_progress_json_output uploadprogress 0e000001
upload_progress_jsonp_output uploadprogress 0e000001
upload_progress_jsonp_parameter uploadprogress 0e000002
upload_progress_template uploadprogress 0e000004
upstream_fair_shm_size upstream-fair 02000002
upstream_list ndk 06001000
uwsgi_cache_purge cache-purge 0e000800
vhost_traffic_status vts 4e000400
vhost_traffic_status_average_method vts 4e000400
vhost_traffic_status_bypass_limit vts 4e000400
vhost_traffic_status_bypass_stats vts 4e000400
vhost_traffic_status_display vts 4e000400
vhost_traffic_status_display_format vts 4e000400
vhost_traffic_status_display_jsonp vts 4e000400
vhost_traffic_status_display_sum_key vts 4e000400
vhost_traffic_status_dump vts 4e000400
vhost_traffic_status_filter vts 4e000400
vhost_traffic_status_filter_by_host vts 4e000400
vhost_traffic_status_filter_by_set_key vts 4e000400
vhost_traffic_status_filter_check_duplicate vts 4e000400
vhost_traffic_status_filter_max_node vts 4e000400
vhost_traffic_status_histogram_buckets vts 4e000400
vhost_traffic_status_limit vts 4e000400
vhost_traffic_status_limit_check_duplicate vts 4e000400
vhost_traffic_status_limit_traffic vts 4e000400
vhost_traffic_status_limit_traffic_by_set_key vts 4e000400
vhost_traffic_status_set_by_filter vts 4e000400
vhost_traffic_status_zone vts 4e000400
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_names_a_module_and_reads() {
        assert_eq!(table().len(), TABLE.lines().count());
        assert!(table().is_sorted_by(|a, b| (a.0, a.1) < (b.0, b.1)));
        for (name, key, masks) in table() {
            assert!(MODULES.iter().any(|m| m.key == *key), "{name}: {key}");
            assert!(!masks.is_empty(), "{name}");
            assert!(crate::directives::lookup(name.as_bytes()).is_none(), "{name} is nginx's own");
        }
        let lua: Vec<_> =
            providers(b"content_by_lua_block").map(|(m, masks)| (m.key, masks.to_vec())).collect();
        assert_eq!(lua, [("lua", vec![0x4800_0101])]);
        assert_eq!(providers(b"js_import").count(), 2);
        assert_eq!(providers(b"proxy_pass").count(), 0);
        assert_eq!(by_file(b"/usr/lib/nginx/modules/ngx_http_lua_module.so").map(|m| m.key), Some("lua"));
        assert_eq!(by_file(b"modules/ngx_http_nothing.so"), None);
    }
}
