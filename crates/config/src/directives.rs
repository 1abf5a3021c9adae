//! What nginx knows about each directive: allowed contexts, argument count and value kind.
//!
//! The bits follow nginx's `ngx_command_t.type` (`NGX_CONF_TAKE1`, `NGX_HTTP_LOC_CONF`, ...),
//! renumbered to fit one `u32`. The table covers the open-source modules (as crossplane's analyzer
//! does); directives of third-party modules are in [`crate::modules`]. Plain data, so it stays
//! small in the browser build.

pub const NOARGS: u32 = 0x0000_0001;
pub const TAKE1: u32 = 0x0000_0002;
pub const TAKE2: u32 = 0x0000_0004;
pub const TAKE3: u32 = 0x0000_0008;
pub const TAKE4: u32 = 0x0000_0010;
pub const TAKE5: u32 = 0x0000_0020;
pub const TAKE6: u32 = 0x0000_0040;
pub const TAKE7: u32 = 0x0000_0080;
pub const BLOCK: u32 = 0x0000_0100;
pub const FLAG: u32 = 0x0000_0200;
pub const ANY: u32 = 0x0000_0400;
pub const MORE1: u32 = 0x0000_0800;
pub const MORE2: u32 = 0x0000_1000;

pub const MAIN: u32 = 0x0004_0000;
pub const EVENT: u32 = 0x0008_0000;
pub const MAIL_MAIN: u32 = 0x0010_0000;
pub const MAIL_SRV: u32 = 0x0020_0000;
pub const STREAM_MAIN: u32 = 0x0040_0000;
pub const STREAM_SRV: u32 = 0x0080_0000;
pub const STREAM_UPS: u32 = 0x0100_0000;
pub const HTTP_MAIN: u32 = 0x0200_0000;
pub const HTTP_SRV: u32 = 0x0400_0000;
pub const HTTP_LOC: u32 = 0x0800_0000;
pub const HTTP_UPS: u32 = 0x1000_0000;
pub const HTTP_SIF: u32 = 0x2000_0000;
pub const HTTP_LIF: u32 = 0x4000_0000;
pub const HTTP_LMT: u32 = 0x8000_0000;

const ARG_BITS: u32 = 0x0000_1fff;

/// The ways a directive may be used (one mask per module defining it), or `None` when unknown.
pub fn lookup(name: &[u8]) -> Option<&'static [u32]> {
    let table = table();
    table.binary_search_by(|(n, _)| n.as_bytes().cmp(name)).ok().and_then(|i| table.get(i)).map(|(_, m)| &**m)
}

/// Whether `mask` accepts `n` arguments.
pub fn args_ok(mask: u32, n: usize) -> bool {
    let a = mask & ARG_BITS;
    if a & ANY != 0 {
        return true;
    }
    if a & FLAG != 0 {
        return n == 1;
    }
    if a & MORE1 != 0 {
        return n >= 1;
    }
    if a & MORE2 != 0 {
        return n >= 2;
    }
    const TAKES: [u32; 8] = [NOARGS, TAKE1, TAKE2, TAKE3, TAKE4, TAKE5, TAKE6, TAKE7];
    TAKES.get(n).is_some_and(|bit| a & bit != 0)
}

/// The closest known directive name, for "did you mean".
pub fn closest(name: &str) -> Option<&'static str> {
    let mut best: Option<(f64, &'static str)> = None;
    for (n, _) in table() {
        // Jaro-Winkler stays under 0.9 when one name is over twice the other's length
        // (j <= (m/|a| + 2)/3, jw <= 0.4 + 0.6j): skipping those keeps a 1 MB name linear.
        if name.len() > 2 * n.len() || n.len() > 2 * name.len() {
            continue;
        }
        let score = strsim::jaro_winkler(name, n);
        if score >= 0.9 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, n));
        }
    }
    best.map(|(_, n)| n)
}

/// How nginx checks a directive's value (the `set` handler of the common ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// `ngx_conf_set_msec_slot` / `sec_slot`: `30s`, `1m30s`, `500ms`.
    Time,
    /// `ngx_conf_set_size_slot`: `8k`, `1m`.
    Size,
    /// `ngx_conf_set_off_slot`: like size, plus `g`.
    Offset,
    /// `ngx_conf_set_num_slot`.
    Number,
    /// `ngx_conf_set_flag_slot`: `on` / `off`.
    Flag,
}

/// Directives set by one of nginx's generic slot handlers: their value is checked and a second
/// use in the same block is "is duplicate".
pub fn value_kind(name: &[u8]) -> Option<ValueKind> {
    if let Some(masks) = lookup(name)
        && masks.iter().all(|m| m & FLAG != 0)
    {
        return Some(ValueKind::Flag);
    }
    SLOTS.binary_search_by(|(n, _)| n.as_bytes().cmp(name)).ok().and_then(|i| SLOTS.get(i)).map(|(_, k)| *k)
}

use ValueKind::{Number as N, Offset as O, Size as S, Time as T};

/// Sorted by name.
static SLOTS: &[(&str, ValueKind)] = &[
    ("client_body_buffer_size", S),
    ("client_body_timeout", T),
    ("client_header_buffer_size", S),
    ("client_header_timeout", T),
    ("client_max_body_size", O),
    ("fastcgi_buffer_size", S),
    ("fastcgi_busy_buffers_size", S),
    ("fastcgi_connect_timeout", T),
    ("fastcgi_read_timeout", T),
    ("fastcgi_send_timeout", T),
    ("grpc_buffer_size", S),
    ("grpc_connect_timeout", T),
    ("grpc_read_timeout", T),
    ("grpc_send_timeout", T),
    ("keepalive_requests", N),
    ("memcached_buffer_size", S),
    ("memcached_connect_timeout", T),
    ("memcached_read_timeout", T),
    ("memcached_send_timeout", T),
    ("proxy_buffer_size", S),
    ("proxy_busy_buffers_size", S),
    ("proxy_connect_timeout", T),
    ("proxy_max_temp_file_size", O),
    ("proxy_next_upstream_timeout", T),
    ("proxy_next_upstream_tries", N),
    ("proxy_read_timeout", T),
    ("proxy_send_timeout", T),
    ("resolver_timeout", T),
    ("scgi_buffer_size", S),
    ("scgi_busy_buffers_size", S),
    ("scgi_connect_timeout", T),
    ("scgi_read_timeout", T),
    ("scgi_send_timeout", T),
    ("send_timeout", T),
    ("uwsgi_buffer_size", S),
    ("uwsgi_busy_buffers_size", S),
    ("uwsgi_connect_timeout", T),
    ("uwsgi_read_timeout", T),
    ("uwsgi_send_timeout", T),
    ("worker_connections", N),
];

/// nginx's `ngx_parse_time` (milliseconds): number+unit groups, no unit means seconds.
pub fn parse_time_ms(v: &[u8]) -> Option<u64> {
    if v.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut i = 0;
    while i < v.len() {
        let start = i;
        let mut n: u64 = 0;
        while let Some(d) = v.get(i).filter(|b| b.is_ascii_digit()) {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            i += 1;
        }
        if i == start {
            return None;
        }
        let unit: u64 = match (v.get(i), v.get(i + 1)) {
            (Some(b'm'), Some(b's')) => {
                i += 2;
                1
            }
            (Some(b'y'), _) => {
                i += 1;
                365 * 86_400_000
            }
            (Some(b'M'), _) => {
                i += 1;
                30 * 86_400_000
            }
            (Some(b'w'), _) => {
                i += 1;
                7 * 86_400_000
            }
            (Some(b'd'), _) => {
                i += 1;
                86_400_000
            }
            (Some(b'h'), _) => {
                i += 1;
                3_600_000
            }
            (Some(b'm'), _) => {
                i += 1;
                60_000
            }
            (Some(b's'), _) => {
                i += 1;
                1000
            }
            (None, _) => 1000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
        // nginx allows spaces between groups ("1m 30s" is one quoted word).
        while v.get(i) == Some(&b' ') {
            i += 1;
        }
    }
    Some(total)
}

/// nginx's `ngx_parse_size` / `ngx_parse_offset` (bytes).
pub fn parse_size(v: &[u8], offset: bool) -> Option<u64> {
    let (digits, mult): (&[u8], u64) = match v.split_last() {
        Some((b'k' | b'K', rest)) => (rest, 1024),
        Some((b'm' | b'M', rest)) => (rest, 1024 * 1024),
        Some((b'g' | b'G', rest)) if offset => (rest, 1024 * 1024 * 1024),
        _ => (v, 1),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: u64 = 0;
    for d in digits {
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    n.checked_mul(mult)
}

// Generated from the ngx_command_t facts of nginx open-source modules (as listed by crossplane's analyzer);
// third-party modules (Lua, headers-more, njs...) are in `modules.rs`. One line per directive, sorted by name for
// binary search: the name, then one hex mask per module that defines it. Text and not a table of
// (name, masks) pointers: the page's wasm carries it in ~3 KB less, gzipped (docs/performance.md).
static TABLE: &str = "\
absolute_redirect 0e000200
accept_mutex 00080200
accept_mutex_delay 00080002
access_log ce000800 00c00800
add_after_body 0e000002
add_before_body 0e000002
add_header 4e00000c
add_trailer 4e00000c
addition_types 0e000800
aio 0e000002
aio_write 0e000200
alias 08000002
allow 8e000002 00c00002
ancient_browser 0e000800
ancient_browser_value 0e000002
api 08000003
auth_basic 8e000002
auth_basic_user_file 8e000002
auth_http 00300002
auth_http_header 00300004
auth_http_pass_client_cert 00300200
auth_http_timeout 00300002
auth_jwt 0e000006
auth_jwt_claim_set 02001000
auth_jwt_header_set 02001000
auth_jwt_key_file 0e000002
auth_jwt_key_request 0e000002
auth_jwt_leeway 0e000002
auth_request 0e000002
auth_request_set 0e000004
autoindex 0e000200
autoindex_exact_size 0e000200
autoindex_format 0e000002
autoindex_localtime 0e000200
break 6c000001
charset 4e000002
charset_map 02000104
charset_types 0e000800
chunked_transfer_encoding 0e000200
client_body_buffer_size 0e000002
client_body_in_file_only 0e000002
client_body_in_single_buffer 0e000200
client_body_temp_path 0e00001e
client_body_timeout 0e000002
client_header_buffer_size 06000002
client_header_timeout 06000002
client_max_body_size 0e000002
connection_pool_size 06000002
create_full_put_path 0e000200
daemon 00050200
dav_access 0e00000e
dav_methods 0e000800
debug_connection 00080002
debug_points 00050002
default_type 0e000002
deny 8e000002 00c00002
directio 0e000002
directio_alignment 0e000002
disable_symlinks 0e000006
empty_gif 08000001
env 00050002
error_log 00040800 0e000800 00300800 00c00800
error_page 4e001000
etag 0e000200
events 00040101
expires 4e000006
f4f 08000001
f4f_buffer_size 0e000002
fastcgi_bind 0e000006
fastcgi_buffer_size 0e000002
fastcgi_buffering 0e000200
fastcgi_buffers 0e000004
fastcgi_busy_buffers_size 0e000002
fastcgi_cache 0e000002
fastcgi_cache_background_update 0e000200
fastcgi_cache_bypass 0e000800
fastcgi_cache_key 0e000002
fastcgi_cache_lock 0e000200
fastcgi_cache_lock_age 0e000002
fastcgi_cache_lock_timeout 0e000002
fastcgi_cache_max_range_offset 0e000002
fastcgi_cache_methods 0e000800
fastcgi_cache_min_uses 0e000002
fastcgi_cache_path 02001000
fastcgi_cache_revalidate 0e000200
fastcgi_cache_use_stale 0e000800
fastcgi_cache_valid 0e000800
fastcgi_catch_stderr 0e000002
fastcgi_connect_timeout 0e000002
fastcgi_force_ranges 0e000200
fastcgi_hide_header 0e000002
fastcgi_ignore_client_abort 0e000200
fastcgi_ignore_headers 0e000800
fastcgi_index 0e000002
fastcgi_intercept_errors 0e000200
fastcgi_keep_conn 0e000200
fastcgi_limit_rate 0e000002
fastcgi_max_temp_file_size 0e000002
fastcgi_next_upstream 0e000800
fastcgi_next_upstream_timeout 0e000002
fastcgi_next_upstream_tries 0e000002
fastcgi_no_cache 0e000800
fastcgi_param 0e00000c
fastcgi_pass 48000002
fastcgi_pass_header 0e000002
fastcgi_pass_request_body 0e000200
fastcgi_pass_request_headers 0e000200
fastcgi_read_timeout 0e000002
fastcgi_request_buffering 0e000200
fastcgi_send_lowat 0e000002
fastcgi_send_timeout 0e000002
fastcgi_socket_keepalive 0e000200
fastcgi_split_path_info 0e000002
fastcgi_store 0e000002
fastcgi_store_access 0e00000e
fastcgi_temp_file_write_size 0e000002
fastcgi_temp_path 0e00001e
flv 08000001
geo 02000106 00400106
geoip_city 02000006 00400006
geoip_country 02000006 00400006
geoip_org 02000006 00400006
geoip_proxy 02000002
geoip_proxy_recursive 02000200
google_perftools_profiles 00050002
grpc_bind 0e000006
grpc_buffer_size 0e000002
grpc_connect_timeout 0e000002
grpc_hide_header 0e000002
grpc_ignore_headers 0e000800
grpc_intercept_errors 0e000200
grpc_next_upstream 0e000800
grpc_next_upstream_timeout 0e000002
grpc_next_upstream_tries 0e000002
grpc_pass 48000002
grpc_pass_header 0e000002
grpc_read_timeout 0e000002
grpc_send_timeout 0e000002
grpc_set_header 0e000004
grpc_socket_keepalive 0e000200
grpc_ssl_certificate 0e000002
grpc_ssl_certificate_key 0e000002
grpc_ssl_ciphers 0e000002
grpc_ssl_crl 0e000002
grpc_ssl_name 0e000002
grpc_ssl_password_file 0e000002
grpc_ssl_protocols 0e000800
grpc_ssl_server_name 0e000200
grpc_ssl_session_reuse 0e000200
grpc_ssl_trusted_certificate 0e000002
grpc_ssl_verify 0e000200
grpc_ssl_verify_depth 0e000002
gunzip 0e000200
gunzip_buffers 0e000004
gzip 4e000200
gzip_buffers 0e000004
gzip_comp_level 0e000002
gzip_disable 0e000800
gzip_http_version 0e000002
gzip_min_length 0e000002
gzip_proxied 0e000800
gzip_static 0e000002
gzip_types 0e000800
gzip_vary 0e000200
hash 10000006 01000006
health_check 08000400 00800400
health_check_timeout 00c00002
hls 08000001
hls_buffers 0e000004
hls_forward_args 0e000200
hls_fragment 0e000002
hls_mp4_buffer_size 0e000002
hls_mp4_max_buffer_size 0e000002
http 00040101
http2_body_preread_size 06000002
http2_chunk_size 0e000002
http2_idle_timeout 06000002
http2_max_concurrent_pushes 06000002
http2_max_concurrent_streams 06000002
http2_max_field_size 06000002
http2_max_header_size 06000002
http2_max_requests 06000002
http2_push 0e000002
http2_push_preload 0e000200
http2_recv_buffer_size 02000002
http2_recv_timeout 06000002
if 0c000900
if_modified_since 0e000002
ignore_invalid_headers 06000200
image_filter 0800000e
image_filter_buffer 0e000002
image_filter_interlace 0e000200
image_filter_jpeg_quality 0e000002
image_filter_sharpen 0e000002
image_filter_transparency 0e000200
image_filter_webp_quality 0e000002
imap_auth 00300800
imap_capabilities 00300800
imap_client_buffer 00300002
include 1ffc0002
index 0e000800
internal 08000001
ip_hash 10000001
keepalive 10000002
keepalive_disable 0e000006
keepalive_requests 0e000002 10000002
keepalive_timeout 0e000006 10000002
keyval 02000008 00400008
keyval_zone 02000800 00400800
large_client_header_buffers 06000004
least_conn 10000001 01000001
least_time 10000006 01000006
limit_conn 0e000004 00c00004
limit_conn_dry_run 0e000002 00c00002
limit_conn_log_level 0e000002 00c00002
limit_conn_status 0e000002
limit_conn_zone 02000004 00400004
limit_except 08000900
limit_rate 4e000002
limit_rate_after 4e000002
limit_req 0e00000e
limit_req_dry_run 0e000002
limit_req_log_level 0e000002
limit_req_status 0e000002
limit_req_zone 02000018
limit_zone 02000008
lingering_close 0e000002
lingering_time 0e000002
lingering_timeout 0e000002
listen 04000800 00200800 00800800
load_module 00050002
location 0c000106
lock_file 00050002
log_format 02001000 00401000
log_not_found 0e000200
log_subrequest 0e000200
mail 00040101
map 02000104 00400104
map_hash_bucket_size 02000002 00400002
map_hash_max_size 02000002 00400002
master_process 00050200
match 02000102 00400102
max_ranges 0e000002
memcached_bind 0e000006
memcached_buffer_size 0e000002
memcached_connect_timeout 0e000002
memcached_force_ranges 0e000200
memcached_gzip_flag 0e000002
memcached_next_upstream 0e000800
memcached_next_upstream_timeout 0e000002
memcached_next_upstream_tries 0e000002
memcached_pass 48000002
memcached_read_timeout 0e000002
memcached_send_timeout 0e000002
memcached_socket_keepalive 0e000200
merge_slashes 06000200
min_delete_depth 0e000002
mirror 0e000002
mirror_request_body 0e000200
modern_browser 0e000006
modern_browser_value 0e000002
mp4 08000001
mp4_buffer_size 0e000002
mp4_limit_rate 0e000002
mp4_limit_rate_after 0e000002
mp4_max_buffer_size 0e000002
msie_padding 0e000200
msie_refresh 0e000200
multi_accept 00080200
ntlm 10000001
open_file_cache 0e000006
open_file_cache_errors 0e000200
open_file_cache_min_uses 0e000002
open_file_cache_valid 0e000002
open_log_file_cache 0e00001e 00c0001e
output_buffers 0e000004
override_charset 4e000200
pcre_jit 00050200
perl 88000002
perl_modules 02000002
perl_require 02000002
perl_set 02000004
pid 00050002
pop3_auth 00300800
pop3_capabilities 00300800
port_in_redirect 0e000200
postpone_output 0e000002
preread_buffer_size 00c00002
preread_timeout 00c00002
protocol 00200002
proxy_bind 0e000006 00c00006
proxy_buffer 00300002
proxy_buffer_size 0e000002 00c00002
proxy_buffering 0e000200
proxy_buffers 0e000004
proxy_busy_buffers_size 0e000002
proxy_cache 0e000002
proxy_cache_background_update 0e000200
proxy_cache_bypass 0e000800
proxy_cache_convert_head 0e000200
proxy_cache_key 0e000002
proxy_cache_lock 0e000200
proxy_cache_lock_age 0e000002
proxy_cache_lock_timeout 0e000002
proxy_cache_max_range_offset 0e000002
proxy_cache_methods 0e000800
proxy_cache_min_uses 0e000002
proxy_cache_path 02001000
proxy_cache_revalidate 0e000200
proxy_cache_use_stale 0e000800
proxy_cache_valid 0e000800
proxy_connect_timeout 0e000002 00c00002
proxy_cookie_domain 0e000006
proxy_cookie_path 0e000006
proxy_download_rate 00c00002
proxy_force_ranges 0e000200
proxy_headers_hash_bucket_size 0e000002
proxy_headers_hash_max_size 0e000002
proxy_hide_header 0e000002
proxy_http_version 0e000002
proxy_ignore_client_abort 0e000200
proxy_ignore_headers 0e000800
proxy_intercept_errors 0e000200
proxy_limit_rate 0e000002
proxy_max_temp_file_size 0e000002
proxy_method 0e000002
proxy_next_upstream 0e000800 00c00200
proxy_next_upstream_timeout 0e000002 00c00002
proxy_next_upstream_tries 0e000002 00c00002
proxy_no_cache 0e000800
proxy_pass c8000002 00800002
proxy_pass_error_message 00300200
proxy_pass_header 0e000002
proxy_pass_request_body 0e000200
proxy_pass_request_headers 0e000200
proxy_protocol 00c00200
proxy_protocol_timeout 00c00002
proxy_read_timeout 0e000002
proxy_redirect 0e000006
proxy_request_buffering 0e000200
proxy_requests 00c00002
proxy_responses 00c00002
proxy_send_lowat 0e000002
proxy_send_timeout 0e000002
proxy_set_body 0e000002
proxy_set_header 0e000004
proxy_socket_keepalive 0e000200 00c00200
proxy_ssl 00c00200
proxy_ssl_certificate 0e000002 00c00002
proxy_ssl_certificate_key 0e000002 00c00002
proxy_ssl_ciphers 0e000002 00c00002
proxy_ssl_crl 0e000002 00c00002
proxy_ssl_name 0e000002 00c00002
proxy_ssl_password_file 0e000002 00c00002
proxy_ssl_protocols 0e000800 00c00800
proxy_ssl_server_name 0e000200 00c00200
proxy_ssl_session_reuse 0e000200 00c00200
proxy_ssl_trusted_certificate 0e000002 00c00002
proxy_ssl_verify 0e000200 00c00200
proxy_ssl_verify_depth 0e000002 00c00002
proxy_store 0e000002
proxy_store_access 0e00000e
proxy_temp_file_write_size 0e000002
proxy_temp_path 0e00001e
proxy_timeout 00300002 00c00002
proxy_upload_rate 00c00002
queue 10000006
random 10000007 01000007
random_index 08000200
read_ahead 0e000002
real_ip_header 0e000002
real_ip_recursive 0e000200
recursive_error_pages 0e000200
referer_hash_bucket_size 0c000002
referer_hash_max_size 0c000002
request_pool_size 06000002
reset_timedout_connection 0e000200
resolver 0e000800 10000800 00300800 00c00800
resolver_timeout 0e000002 00300002 00c00002
return 6c000006 00800002
rewrite 6c00000c
rewrite_log 6e000200
root 4e000002
satisfy 0e000002
scgi_bind 0e000006
scgi_buffer_size 0e000002
scgi_buffering 0e000200
scgi_buffers 0e000004
scgi_busy_buffers_size 0e000002
scgi_cache 0e000002
scgi_cache_background_update 0e000200
scgi_cache_bypass 0e000800
scgi_cache_key 0e000002
scgi_cache_lock 0e000200
scgi_cache_lock_age 0e000002
scgi_cache_lock_timeout 0e000002
scgi_cache_max_range_offset 0e000002
scgi_cache_methods 0e000800
scgi_cache_min_uses 0e000002
scgi_cache_path 02001000
scgi_cache_revalidate 0e000200
scgi_cache_use_stale 0e000800
scgi_cache_valid 0e000800
scgi_connect_timeout 0e000002
scgi_force_ranges 0e000200
scgi_hide_header 0e000002
scgi_ignore_client_abort 0e000200
scgi_ignore_headers 0e000800
scgi_intercept_errors 0e000200
scgi_limit_rate 0e000002
scgi_max_temp_file_size 0e000002
scgi_next_upstream 0e000800
scgi_next_upstream_timeout 0e000002
scgi_next_upstream_tries 0e000002
scgi_no_cache 0e000800
scgi_param 0e00000c
scgi_pass 48000002
scgi_pass_header 0e000002
scgi_pass_request_body 0e000200
scgi_pass_request_headers 0e000200
scgi_read_timeout 0e000002
scgi_request_buffering 0e000200
scgi_send_timeout 0e000002
scgi_socket_keepalive 0e000200
scgi_store 0e000002
scgi_store_access 0e00000e
scgi_temp_file_write_size 0e000002
scgi_temp_path 0e00001e
secure_link 0e000002
secure_link_md5 0e000002
secure_link_secret 0e000002
send_lowat 0e000002
send_timeout 0e000002
sendfile 4e000200
sendfile_max_chunk 0e000002
server 02000101 10000800 00100101 00400101 01000800
server_name 04000800 00300002
server_name_in_redirect 0e000200
server_names_hash_bucket_size 02000002
server_names_hash_max_size 02000002
server_tokens 0e000002
session_log 0e000002
session_log_format 02001000
session_log_zone 0200007c
set 6c000004
set_real_ip_from 0e000002 00c00002
slice 0e000002
smtp_auth 00300800
smtp_capabilities 00300800
smtp_client_buffer 00300002
smtp_greeting_delay 00300002
source_charset 4e000002
spdy_chunk_size 0e000002
spdy_headers_comp 06000002
split_clients 02000104 00400104
ssi 4e000200
ssi_last_modified 0e000200
ssi_min_file_chunk 0e000002
ssi_silent_errors 0e000200
ssi_types 0e000800
ssi_value_length 0e000002
ssl 06000200 00300200
ssl_buffer_size 06000002
ssl_certificate 06000002 00300002 00c00002
ssl_certificate_key 06000002 00300002 00c00002
ssl_ciphers 06000002 00300002 00c00002
ssl_client_certificate 06000002 00300002 00c00002
ssl_crl 06000002 00300002 00c00002
ssl_dhparam 06000002 00300002 00c00002
ssl_early_data 06000200
ssl_ecdh_curve 06000002 00300002 00c00002
ssl_engine 00050002
ssl_handshake_timeout 00c00002
ssl_password_file 06000002 00300002 00c00002
ssl_prefer_server_ciphers 06000200 00300200 00c00200
ssl_preread 00c00200
ssl_protocols 06000800 00300800 00c00800
ssl_session_cache 06000006 00300006 00c00006
ssl_session_ticket_key 06000002 00300002 00c00002
ssl_session_tickets 06000200 00300200 00c00200
ssl_session_timeout 06000002 00300002 00c00002
ssl_stapling 06000200
ssl_stapling_file 06000002
ssl_stapling_responder 06000002
ssl_stapling_verify 06000200
ssl_trusted_certificate 06000002 00300002 00c00002
ssl_verify_client 06000002 00300002 00c00002
ssl_verify_depth 06000002 00300002 00c00002
starttls 00300002
state 10000002 01000002
status 08000001
status_format 0e000006
status_zone 04000002 00800002 08000002 40000002
sticky_cookie_insert 1000001e
stream 00040101
stub_status 0c000003
sub_filter 0e000004
sub_filter_last_modified 0e000200
sub_filter_once 0e000200
sub_filter_types 0e000800
subrequest_output_buffer_size 0e000002
tcp_nodelay 0e000200 00c00200
tcp_nopush 0e000200
thread_pool 0005000c
timeout 00300002
timer_resolution 00050002
try_files 0c001000
types 0e000101
types_hash_bucket_size 0e000002
types_hash_max_size 0e000002
underscores_in_headers 06000200
uninitialized_variable_warn 6e000200
upstream 02000102 00400102
upstream_conf 08000001
use 00080002
user 00050006
userid 0e000002
userid_domain 0e000002
userid_expires 0e000002
userid_mark 0e000002
userid_name 0e000002
userid_p3p 0e000002
userid_path 0e000002
userid_service 0e000002
uwsgi_bind 0e000006
uwsgi_buffer_size 0e000002
uwsgi_buffering 0e000200
uwsgi_buffers 0e000004
uwsgi_busy_buffers_size 0e000002
uwsgi_cache 0e000002
uwsgi_cache_background_update 0e000002
uwsgi_cache_bypass 0e000800
uwsgi_cache_key 0e000002
uwsgi_cache_lock 0e000200
uwsgi_cache_lock_age 0e000002
uwsgi_cache_lock_timeout 0e000002
uwsgi_cache_max_range_offset 0e000002
uwsgi_cache_methods 0e000800
uwsgi_cache_min_uses 0e000002
uwsgi_cache_path 02001000
uwsgi_cache_revalidate 0e000200
uwsgi_cache_use_stale 0e000800
uwsgi_cache_valid 0e000800
uwsgi_connect_timeout 0e000002
uwsgi_force_ranges 0e000200
uwsgi_hide_header 0e000002
uwsgi_ignore_client_abort 0e000200
uwsgi_ignore_headers 0e000800
uwsgi_intercept_errors 0e000200
uwsgi_limit_rate 0e000002
uwsgi_max_temp_file_size 0e000002
uwsgi_modifier1 0e000002
uwsgi_modifier2 0e000002
uwsgi_next_upstream 0e000800
uwsgi_next_upstream_timeout 0e000002
uwsgi_next_upstream_tries 0e000002
uwsgi_no_cache 0e000800
uwsgi_param 0e00000c
uwsgi_pass 48000002
uwsgi_pass_header 0e000002
uwsgi_pass_request_body 0e000200
uwsgi_pass_request_headers 0e000200
uwsgi_read_timeout 0e000002
uwsgi_request_buffering 0e000200
uwsgi_send_timeout 0e000002
uwsgi_socket_keepalive 0e000200
uwsgi_ssl_certificate 0e000002
uwsgi_ssl_certificate_key 0e000002
uwsgi_ssl_ciphers 0e000002
uwsgi_ssl_crl 0e000002
uwsgi_ssl_name 0e000002
uwsgi_ssl_password_file 0e000002
uwsgi_ssl_protocols 0e000800
uwsgi_ssl_server_name 0e000200
uwsgi_ssl_session_reuse 0e000200
uwsgi_ssl_trusted_certificate 0e000002
uwsgi_ssl_verify 0e000200
uwsgi_ssl_verify_depth 0e000002
uwsgi_store 0e000002
uwsgi_store_access 0e00000e
uwsgi_temp_file_write_size 0e000002
uwsgi_temp_path 0e00001e
valid_referers 0c000800
variables_hash_bucket_size 02000002 00400002
variables_hash_max_size 02000002 00400002
worker_aio_requests 00080002
worker_connections 00080002
worker_cpu_affinity 00050800
worker_priority 00050002
worker_processes 00050002
worker_rlimit_core 00050002
worker_rlimit_nofile 00050002
worker_shutdown_timeout 00050002
working_directory 00050002
xclient 00300200
xml_entities 0e000002
xslt_last_modified 0e000200
xslt_param 0e000004
xslt_string_param 0e000004
xslt_stylesheet 08000800
xslt_types 0e000800
zone 10000006 01000006
zone_sync 00800001
zone_sync_buffers 00c00004
zone_sync_connect_retry_interval 00c00002
zone_sync_connect_timeout 00c00002
zone_sync_interval 00c00002
zone_sync_recv_buffer_size 00c00002
zone_sync_server 00800006
zone_sync_ssl 00c00200
zone_sync_ssl_certificate 00c00002
zone_sync_ssl_certificate_key 00c00002
zone_sync_ssl_ciphers 00c00002
zone_sync_ssl_crl 00c00002
zone_sync_ssl_name 00c00002
zone_sync_ssl_password_file 00c00002
zone_sync_ssl_protocols 00c00800
zone_sync_ssl_server_name 00c00200
zone_sync_ssl_trusted_certificate 00c00002
zone_sync_ssl_verify 00c00200
zone_sync_ssl_verify_depth 00c00002
zone_sync_timeout 00c00002
";

/// A directive's name and its masks, one per module that defines it.
type Entry = (&'static str, Box<[u32]>);

/// [`TABLE`] read once, in name order.
fn table() -> &'static [Entry] {
    static PARSED: std::sync::OnceLock<Vec<Entry>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| read_table(TABLE, 0).into_iter().map(|(name, _, masks)| (name, masks)).collect())
}

/// One line of a directive table: the name, the words before the masks, the masks.
pub(crate) type TableLine = (&'static str, Vec<&'static str>, Box<[u32]>);

/// Reads a table of `name word... mask...` lines (`words` words before the hex masks): the
/// name, those words, the masks. Shared with [`crate::modules`].
pub(crate) fn read_table(text: &'static str, words: usize) -> Vec<TableLine> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split(' ');
            let name = parts.next()?;
            let tags = parts.by_ref().take(words).collect();
            Some((name, tags, parts.filter_map(|w| u32::from_str_radix(w, 16).ok()).collect()))
        })
        .collect()
}

/// Variables nginx's open-source http modules define (sorted), for `unknown "x" variable`. One
/// per line: a string, not a table of pointers, in the page's wasm.
static VARIABLES: &str = "\
ancient_browser
args
binary_remote_addr
body_bytes_sent
bytes_sent
connection
connection_requests
connection_time
connections_active
connections_reading
connections_waiting
connections_writing
content_length
content_type
date_gmt
date_local
document_root
document_uri
fastcgi_path_info
fastcgi_script_name
gzip_ratio
host
hostname
http2
https
invalid_referer
is_args
limit_conn_status
limit_rate
limit_req_status
memcached_key
modern_browser
msec
msie
nginx_version
pid
pipe
proxy_add_x_forwarded_for
proxy_host
proxy_port
proxy_protocol_addr
proxy_protocol_port
proxy_protocol_server_addr
proxy_protocol_server_port
query_string
realip_remote_addr
realip_remote_port
realpath_root
remote_addr
remote_port
remote_user
request
request_body
request_body_file
request_completion
request_filename
request_id
request_length
request_method
request_time
request_uri
scheme
secure_link
secure_link_expires
sent_http_
server_addr
server_name
server_port
server_protocol
slice_range
spdy
spdy_request_priority
ssl_alpn_protocol
ssl_cipher
ssl_ciphers
ssl_client_cert
ssl_client_escaped_cert
ssl_client_fingerprint
ssl_client_i_dn
ssl_client_i_dn_legacy
ssl_client_raw_cert
ssl_client_s_dn
ssl_client_s_dn_legacy
ssl_client_serial
ssl_client_v_end
ssl_client_v_remain
ssl_client_v_start
ssl_client_verify
ssl_curve
ssl_curves
ssl_early_data
ssl_protocol
ssl_server_name
ssl_session_id
ssl_session_reused
status
tcpinfo_rcv_space
tcpinfo_rtt
tcpinfo_rttvar
tcpinfo_snd_cwnd
time_iso8601
time_local
uid_got
uid_reset
uid_set
upstream_addr
upstream_bytes_received
upstream_bytes_sent
upstream_cache_status
upstream_connect_time
upstream_header_time
upstream_queue_time
upstream_response_length
upstream_response_time
upstream_status
uri
";

/// Variable families defined by prefix (`$http_user_agent`, `$arg_id`...).
static VARIABLE_PREFIXES: &[&str] = &[
    "arg_",
    "cookie_",
    "http_",
    "sent_http_",
    "sent_trailer_",
    "upstream_http_",
    "upstream_trailer_",
    "upstream_cookie_",
    "geoip_",
    "proxy_protocol_tlv_",
    "ssl_preread_",
    "jwt_",
    "otel_",
];

/// Whether nginx itself defines `$name` (numbered captures included).
pub fn is_builtin_variable(name: &[u8]) -> bool {
    // Read once into a sorted list: scanning the text's lines on every call was 13% of
    // parsing a 100k-line dump (thousands of distinct variable names).
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| VARIABLES.lines().collect());
    name.iter().all(u8::is_ascii_digit)
        || names.binary_search_by(|v| v.as_bytes().cmp(name)).is_ok()
        || VARIABLE_PREFIXES.iter().any(|p| name.starts_with(p.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_line_reads_and_the_names_are_sorted() {
        assert_eq!(table().len(), TABLE.lines().count());
        for line in TABLE.lines() {
            let words: Vec<&str> = line.split(' ').collect();
            assert!(words.len() >= 2, "{line}");
            for w in words.iter().skip(1) {
                assert!(w.len() == 8 && u32::from_str_radix(w, 16).is_ok(), "{line}");
            }
        }
        assert!(table().is_sorted_by(|a, b| a.0 < b.0));
        let vars: Vec<&str> = VARIABLES.lines().collect();
        assert!(vars.is_sorted_by(|a, b| a < b) && !vars.contains(&""));
        assert_eq!(lookup(b"access_log"), Some(&[0xce00_0800, 0x00c0_0800][..]));
        assert_eq!(lookup(b"zone_sync_timeout"), Some(&[0x00c0_0002][..]));
        assert_eq!(lookup(b"proxy_passs"), None);
        assert!(is_builtin_variable(b"upstream_status") && !is_builtin_variable(b"upstream_statu"));
        for v in &vars {
            assert!(is_builtin_variable(v.as_bytes()), "{v}");
        }
        assert!(
            is_builtin_variable(b"1")
                && is_builtin_variable(b"http_x_real_ip")
                && !is_builtin_variable(b"zzz")
        );
    }
}
