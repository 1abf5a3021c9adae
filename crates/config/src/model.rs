//! The model the rules query: upstreams, servers, locations, every `*_pass` target and the
//! settings nginx would use for it after inheritance. Indices point into the model's `Vec`s.

use crate::range::TextRange;
use serde::Serialize;

/// A value and where it was set (`None` = nginx's default).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Setting<T> {
    pub value: T,
    pub range: Option<TextRange>,
}

impl<T> Setting<T> {
    pub fn default_value(value: T) -> Self {
        Self { value, range: None }
    }
    pub fn is_default(&self) -> bool {
        self.range.is_none()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Model {
    /// `user` (worker user; None = nginx's default).
    pub user: Option<Setting<String>>,
    pub worker_processes: Option<Setting<String>>,
    pub worker_connections: Option<Setting<u32>>,
    pub worker_rlimit_nofile: Option<Setting<u32>>,
    pub error_logs: Vec<ErrorLog>,
    pub resolvers: Vec<Resolver>,
    pub upstreams: Vec<Upstream>,
    pub servers: Vec<Server>,
    pub locations: Vec<Location>,
    pub targets: Vec<Target>,
    pub maps: Vec<MapBlock>,
    pub sets: Vec<SetVar>,
    pub ifs: Vec<IfBlock>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorLog {
    pub path: String,
    pub level: Option<String>,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resolver {
    pub addresses: Vec<String>,
    pub range: TextRange,
    pub server: Option<usize>,
    pub location: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Upstream {
    pub name: String,
    pub range: TextRange,
    pub name_range: TextRange,
    pub servers: Vec<UpstreamServer>,
    pub keepalive: Option<Setting<u32>>,
    pub zone: Option<String>,
    /// `stream { upstream ... }` rather than `http { upstream ... }`.
    pub stream: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UpstreamServer {
    pub address: Address,
    /// The whole directive.
    pub range: TextRange,
    pub address_range: TextRange,
    pub weight: Option<u32>,
    pub max_fails: Option<u32>,
    pub fail_timeout: Option<String>,
    pub backup: bool,
    pub down: bool,
    pub resolve: bool,
    pub service: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Address {
    Inet { host: String, port: Option<u16> },
    Unix { path: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Server {
    pub range: TextRange,
    pub listens: Vec<Listen>,
    pub names: Vec<String>,
    /// `stream { server ... }` rather than `http { server ... }`.
    pub stream: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Listen {
    /// The address as written without the port ("*" when only a port was given).
    pub addr: String,
    pub port: Option<u16>,
    pub unix: Option<String>,
    pub default_server: bool,
    pub ssl: bool,
    pub http2: bool,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub server: Option<usize>,
    /// The enclosing location, for nested ones.
    pub parent: Option<usize>,
    /// `=`, `~`, `~*`, `^~`, or `@` for a named location.
    pub modifier: Option<String>,
    pub pattern: String,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MapBlock {
    pub source: String,
    pub variable: String,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SetVar {
    pub variable: String,
    pub value: String,
    pub range: TextRange,
    pub server: Option<usize>,
    pub location: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IfBlock {
    pub condition: String,
    pub range: TextRange,
    pub server: Option<usize>,
    pub location: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum PassKind {
    Proxy,
    FastCgi,
    Uwsgi,
    Scgi,
    Grpc,
    Memcached,
}

impl PassKind {
    pub fn from_directive(name: &[u8]) -> Option<Self> {
        Some(match name {
            b"proxy_pass" => Self::Proxy,
            b"fastcgi_pass" => Self::FastCgi,
            b"uwsgi_pass" => Self::Uwsgi,
            b"scgi_pass" => Self::Scgi,
            b"grpc_pass" => Self::Grpc,
            b"memcached_pass" => Self::Memcached,
            _ => return None,
        })
    }

    /// The directive prefix of the module: `proxy`, `fastcgi`...
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Proxy => "proxy",
            Self::FastCgi => "fastcgi",
            Self::Uwsgi => "uwsgi",
            Self::Scgi => "scgi",
            Self::Grpc => "grpc",
            Self::Memcached => "memcached",
        }
    }

    pub fn directive(self) -> &'static str {
        match self {
            Self::Proxy => "proxy_pass",
            Self::FastCgi => "fastcgi_pass",
            Self::Uwsgi => "uwsgi_pass",
            Self::Scgi => "scgi_pass",
            Self::Grpc => "grpc_pass",
            Self::Memcached => "memcached_pass",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum TargetHost {
    Inet {
        host: String,
        /// Explicit, or the scheme's default (0 when the module has none: fastcgi, scgi, memcached).
        port: u16,
        port_explicit: bool,
        host_range: TextRange,
        port_range: Option<TextRange>,
    },
    Unix {
        path: String,
        path_range: TextRange,
    },
    /// Names an `upstream {}` block.
    Upstream {
        index: usize,
    },
    /// Decided at run time (variables in the host part).
    Variable,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Target {
    pub kind: PassKind,
    /// The whole directive (name .. `;`).
    pub range: TextRange,
    /// The URL argument (inside quotes if quoted).
    pub arg_range: TextRange,
    /// The argument as written.
    pub raw: String,
    /// `http`, `https`, `grpc`, `grpcs`, `uwsgi`, `suwsgi`; None when missing.
    pub scheme: Option<String>,
    pub host: TargetHost,
    /// The URI part (`/api/` in `http://b/api/`).
    pub uri: Option<String>,
    pub has_variables: bool,
    pub server: Option<usize>,
    pub location: Option<usize>,
    pub effective: Effective,
}

/// The settings of the target's module after http → server → location (→ if) inheritance.
/// Times in milliseconds, sizes in bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Effective {
    pub connect_timeout: Setting<u64>,
    pub read_timeout: Setting<u64>,
    pub send_timeout: Setting<u64>,
    pub buffer_size: Setting<u64>,
    /// `proxy_buffers` number and size (grpc and memcached have none: the default is reported).
    pub buffers: Setting<(u32, u64)>,
    /// None for modules without it (grpc, memcached). The default is `2 * max(buffer_size, buffers.1)`.
    pub busy_buffers_size: Option<Setting<u64>>,
    /// `proxy_http_version` ("1.0" by default); "2" for grpc; "" for the other modules.
    pub http_version: Setting<String>,
    /// `proxy_set_header` / `grpc_set_header` / `fastcgi_param` / `uwsgi_param` / `scgi_param` of the
    /// one level that defines any (a level with one replaces all inherited). nginx's implicit
    /// defaults (`Host $proxy_host`, `Connection close`) are not listed.
    pub set_headers: Vec<(String, String, TextRange)>,
    pub ssl_server_name: Setting<bool>,
    pub ssl_verify: Setting<bool>,
    pub next_upstream: Setting<Vec<String>>,
    pub buffering: Setting<bool>,
}
