//! One classification of a failed connection or response: the log event's kind, errno and
//! phase, refined by what the listener table says of its endpoint, become a typed
//! [`Failure`]. Rules declare which failures they explain (`RuleInfo::explains`); a rule
//! that reports a consequence (BG210's "no live upstreams") looks the cause up there instead
//! of keeping its own errno table.

use super::{Endpoint, EndpointAddr, Facts, TcpReach, UnixReach};
use crate::log::{EventGroup, EventKind, Phase};

/// Why nginx could not get a response from an upstream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Failure {
    /// Refused (111), or the listener table shows nothing on the address; a stale socket file.
    NothingListens,
    /// Nothing on the port, but the backend listens on another port of the host.
    ListensOnAnotherPort,
    /// The port is bound, but on another address than the one nginx connects to.
    BoundToAnotherAddress,
    /// The backend listens on the other address family (IPv4 vs IPv6).
    OtherAddressFamily,
    /// The unix socket file does not exist (2: No such file or directory).
    SocketMissing,
    /// The worker may not open the unix socket (13 on a unix socket).
    SocketPermissionDenied,
    /// The connection never reached a listener: a firewall, a route, SELinux (13, 101, 110, 113).
    ConnectionBlocked,
    /// The backend's listen queue is full (11: Resource temporarily unavailable).
    ListenQueueFull,
    /// nginx ran out of local ports or addresses (99: Cannot assign requested address).
    OutOfLocalAddresses,
    /// Timed out while connecting.
    ConnectTimedOut,
    /// Timed out waiting for (or reading) the response.
    ResponseTimedOut,
    /// The upstream closed the connection before a full response.
    ClosedBeforeResponse,
    /// The upstream reset the connection.
    ConnectionReset,
}

impl Failure {
    /// Every failure, for the check that each has exactly one rule explaining it.
    #[rustfmt::skip]
    pub const ALL: &'static [Failure] = {
        use Failure::*;
        &[
            NothingListens, ListensOnAnotherPort, BoundToAnotherAddress, OtherAddressFamily, SocketMissing,
            SocketPermissionDenied, ConnectionBlocked, ListenQueueFull, OutOfLocalAddresses, ConnectTimedOut,
            ResponseTimedOut, ClosedBeforeResponse, ConnectionReset,
        ]
    };
}

impl Facts<'_> {
    /// The failure one log group shows; a refusal is refined by the listener table
    /// (refused because the backend listens on another port is BG202's, not BG201's).
    pub fn failure_of(&self, group: &EventGroup) -> Option<Failure> {
        let e = &group.event;
        let unix = e.peer().is_some_and(|p| p.starts_with("unix:"))
            || e.upstream.as_ref().is_some_and(|u| u.is_unix());
        Some(match (&e.kind, e.errno) {
            (EventKind::ConnectRefused, _) => {
                return Some(
                    self.endpoint_of(group)
                        .and_then(|ep| self.endpoint_failure(ep))
                        .unwrap_or(Failure::NothingListens),
                );
            }
            (EventKind::ConnectFailed, Some(2)) => Failure::SocketMissing,
            (EventKind::ConnectFailed, Some(13)) if unix => Failure::SocketPermissionDenied,
            (EventKind::ConnectFailed, Some(13 | 113 | 101 | 110)) => Failure::ConnectionBlocked,
            (EventKind::ConnectFailed, Some(11)) => Failure::ListenQueueFull,
            (EventKind::ConnectFailed, Some(99)) => Failure::OutOfLocalAddresses,
            (EventKind::UpstreamTimedOut, _) if e.phase == Some(Phase::Connecting) => {
                Failure::ConnectTimedOut
            }
            (EventKind::UpstreamTimedOut, _) => Failure::ResponseTimedOut,
            (EventKind::PrematurelyClosed, _) => Failure::ClosedBeforeResponse,
            (EventKind::ConnectionReset, _) => Failure::ConnectionReset,
            _ => return None,
        })
    }

    /// Why the listener table says an endpoint cannot be reached, if it says so.
    pub fn endpoint_failure(&self, endpoint: &Endpoint) -> Option<Failure> {
        match &endpoint.addr {
            EndpointAddr::Tcp { .. } => match self.tcp_reach(endpoint) {
                TcpReach::Nothing => Some(Failure::NothingListens),
                TcpReach::OtherPort(_) => Some(Failure::ListensOnAnotherPort),
                TcpReach::OtherAddress(_) => Some(Failure::BoundToAnotherAddress),
                TcpReach::OtherFamily(_) => Some(Failure::OtherAddressFamily),
                TcpReach::Listening(_) | TcpReach::NotLocal | TcpReach::Unknown => None,
            },
            EndpointAddr::Unix { .. } => match self.unix_reach(endpoint) {
                UnixReach::Stale(_) => Some(Failure::NothingListens),
                UnixReach::Missing { .. } => Some(Failure::SocketMissing),
                _ => None,
            },
        }
    }
}
