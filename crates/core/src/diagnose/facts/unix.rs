//! Unix-socket reach: which socket files the paste lists, which one an endpoint names,
//! what else listens beside it, and whether nginx's worker user may connect.

use super::*;

/// How many other sockets `UnixReach::Missing` offers, best first.
pub(super) const MAX_SOCKET_CANDIDATES: usize = 4;

/// What the listener paste says about a unix-socket endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnixReach {
    /// A process listens on the path (indices into `listeners`).
    Listening(Vec<usize>),
    /// The socket file exists (`ls -l`, index into `socket_files`) but nothing listens on it.
    Stale(usize),
    /// Nothing listens on the path. `listeners`: unix listeners of plausible backends,
    /// best first (same directory, then same backend kind, then the closest name), at most
    /// `MAX_SOCKET_CANDIDATES`, and how many more sockets there are (`more`);
    /// `files`: socket files seen by `ls -l` in the same directory.
    Missing { listeners: Vec<usize>, more: usize, files: Vec<usize> },
    /// No unix listing and no `ls -l` of the socket's directory.
    Unknown,
}

/// Can the nginx worker user connect to a socket file?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketAccess {
    Allowed,
    /// The mode bits that apply to this user lack `w`.
    Denied,
    /// Only the group's bits allow it, and group membership is not known.
    DependsOnGroup,
}

/// Who nginx's workers run as, and where that was learnt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerUser {
    pub name: String,
    /// Group from `user NAME GROUP;`, when written.
    pub group: Option<String>,
    pub source: WorkerUserSource,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerUserSource {
    /// `user` in the config (its range).
    Config(TextRange),
    /// A `ps` row of an nginx worker process (the row's range).
    Ps(TextRange),
    /// nginx's built-in default (`nobody`), when the master runs as root.
    Default,
}

impl<'a> Facts<'a> {
    /// Did the paste list unix sockets at all (`ss -xlp`, `netstat -xlp`, `lsof -U`, even with no rows)?
    pub fn unix_listed(&self) -> bool {
        self.listeners.is_some_and(|l| {
            l.sections
                .iter()
                .any(|s| matches!(s.format, Format::SsUnix | Format::NetstatUnix | Format::LsofUnix))
                || l.listeners.iter().any(|x| x.kind == SocketKind::Unix)
        })
    }

    /// The `ls -l` entry for a path, if listed.
    pub fn socket_file(&self, path: &str) -> Option<(usize, &'a SocketFile)> {
        self.listeners?.socket_files.iter().enumerate().find(|(_, f)| f.path == path)
    }

    /// Was the directory of `path` listed by `ls -l` (some entry in it, or the directory itself)?
    pub(super) fn dir_listed(&self, path: &str) -> bool {
        let dir = parent_dir(path);
        self.listeners.is_some_and(|l| {
            l.socket_files.iter().any(|f| parent_dir(&f.path) == dir || (f.is_dir && f.path == dir))
        })
    }

    pub fn unix_reach(&self, endpoint: &Endpoint) -> UnixReach {
        let EndpointAddr::Unix { path } = &endpoint.addr else { return UnixReach::Unknown };
        if self.listeners.is_none() {
            return UnixReach::Unknown;
        }
        let key = (path.clone(), endpoint.kind == PassKind::FastCgi);
        if let Some(known) = self.unix_cache.borrow().get(&key) {
            return known.clone();
        }
        let reach = self.unix_reach_uncached(path, endpoint.kind);
        self.unix_cache.borrow_mut().insert(key, reach.clone());
        reach
    }

    pub(super) fn unix_reach_uncached(&self, path: &str, kind: PassKind) -> UnixReach {
        let Some(report) = self.listeners else { return UnixReach::Unknown };
        let listening: Vec<usize> = self
            .unix_by_path
            .get(path)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| report.listeners.get(i).is_some_and(|l| l.serves_path(path) && l.is_listening()))
            .collect();
        if !listening.is_empty() {
            return UnixReach::Listening(listening);
        }
        let file = self.socket_file(path);
        if !self.unix_listed() {
            // Without a unix listing, only a directory listing without the file proves it missing.
            return if file.is_none() && self.dir_listed(path) {
                UnixReach::Missing { listeners: Vec::new(), more: 0, files: self.files_beside(path) }
            } else {
                UnixReach::Unknown
            };
        }
        if let Some((i, f)) = file
            && f.is_socket
        {
            return UnixReach::Stale(i);
        }
        let dir = parent_dir(path);
        let wanted = match kind {
            PassKind::FastCgi => Some(crate::listeners::AppServer::PhpFpm),
            _ => None,
        };
        // Rank: same directory (100), then the backend kind the pass wants (50), then the
        // closest file name (0-40, never enough to cross a class). Only the best few are
        // used: classes are taken best first, and within the classes that fill the places
        // the best names are picked one by one (no sort: hundreds of sockets share a class
        // in a big paste, for each of hundreds of missing paths).
        let matcher = NameMatcher::new(file_name(path));
        let class_of = |b: &UnixBackend| {
            u32::from(b.dir == dir) * 100 + u32::from(wanted.is_some() && b.app == wanted) * 50
        };
        // One row per socket: lsof lists a socket once per process.
        let mut listeners: Vec<usize> = Vec::new();
        // By `first_on_path`: a set of paths without a hash set type of its own (~1 KB of page).
        let mut seen = vec![false; self.unix_backends.len()];
        let mut first_sight = |b: usize| seen.get_mut(b).is_some_and(|s| !std::mem::replace(s, true));
        let mut more = 0;
        for class in [150, 100, 50, 0] {
            let members = self.unix_backends.iter().filter(|b| class_of(b) == class);
            if listeners.len() >= MAX_SOCKET_CANDIDATES {
                more += members.filter(|b| first_sight(b.first_on_path)).count();
                continue;
            }
            let mut ranked: Vec<(u32, usize, usize)> = members
                .map(|b| {
                    let similarity = matcher.similarity(file_name(&b.path));
                    ((similarity * 40.0) as u32, b.index, b.first_on_path)
                })
                .collect();
            while listeners.len() < MAX_SOCKET_CANDIDATES {
                let best = ranked
                    .iter()
                    .enumerate()
                    .min_by(|(_, x), (_, y)| best_first(&(x.0, x.1), &(y.0, y.1)))
                    .map(|(at, _)| at);
                let Some(at) = best else { break };
                let (_, i, p) = ranked.swap_remove(at);
                if first_sight(p) {
                    listeners.push(i);
                }
            }
            more += ranked.iter().filter(|&&(_, _, p)| first_sight(p)).count();
        }
        UnixReach::Missing { listeners, more, files: self.files_beside(path) }
    }

    pub(super) fn files_beside(&self, path: &str) -> Vec<usize> {
        let dir = parent_dir(path);
        self.listeners
            .map(|l| {
                l.socket_files
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.is_socket && parent_dir(&f.path) == dir && f.path != path)
                    .map(|(i, _)| i)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Who nginx's workers run as: `ps` rows of nginx workers first (what really runs),
    /// then the config's `user`, then nginx's default `nobody`.
    pub fn worker_user(&self) -> WorkerUser {
        if let Some(l) = self.listeners {
            for fact in &l.facts {
                if let ProbeFact::Process { user, is_nginx_worker: true, range, .. } = fact {
                    return WorkerUser {
                        name: user.clone(),
                        group: None,
                        source: WorkerUserSource::Ps(*range),
                    };
                }
            }
        }
        if let Some(setting) = self.config.and_then(|c| c.model().user.as_ref()) {
            let mut words = setting.value.split_whitespace();
            let name = words.next().unwrap_or("nobody").to_string();
            let group = words.next().map(str::to_string);
            if let Some(range) = setting.range {
                return WorkerUser { name, group, source: WorkerUserSource::Config(range) };
            }
        }
        WorkerUser { name: "nobody".into(), group: None, source: WorkerUserSource::Default }
    }

    /// Unix permission check of a socket file for the worker user (connect needs `w`).
    pub fn socket_access(file: &SocketFile, user: &WorkerUser) -> SocketAccess {
        if user.name == "root" {
            return SocketAccess::Allowed;
        }
        if file.owner == user.name {
            return if file.mode & 0o200 != 0 { SocketAccess::Allowed } else { SocketAccess::Denied };
        }
        let group_w = file.mode & 0o020 != 0;
        let other_w = file.mode & 0o002 != 0;
        if other_w {
            return SocketAccess::Allowed;
        }
        let in_group = user.group.as_deref() == Some(file.group.as_str()) || file.group == user.name;
        // Service users are not members of root's group.
        let privileged_group = matches!(file.group.as_str(), "root" | "wheel");
        match (group_w, in_group) {
            (false, _) => SocketAccess::Denied,
            (true, true) => SocketAccess::Allowed,
            (true, false) if privileged_group => SocketAccess::Denied,
            (true, false) => SocketAccess::DependsOnGroup,
        }
    }
}

/// Highest score first, then lowest index (both sorts of `unix_reach`).
pub(super) fn best_first(a: &(u32, usize), b: &(u32, usize)) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then(a.1.cmp(&b.1))
}

/// `strsim::normalized_levenshtein` against one fixed name, with a bit-parallel distance
/// (Myers 1999) for the usual case of ASCII names of at most 64 bytes: the fixed name's
/// bit masks are built once, and each comparison with one of hundreds of other sockets in
/// a directory then costs a few instructions per byte.
pub(super) struct NameMatcher<'n> {
    pub(super) name: &'n str,
    /// Per ASCII byte, the positions where it occurs in `name`; None when the slow path applies.
    pub(super) peq: Option<Box<[u64; 128]>>,
}

impl<'n> NameMatcher<'n> {
    pub(super) fn new(name: &'n str) -> Self {
        let peq = (name.len() <= 64 && name.is_ascii()).then(|| {
            let mut peq = Box::new([0u64; 128]);
            for (i, &c) in name.as_bytes().iter().enumerate() {
                if let Some(slot) = peq.get_mut(usize::from(c & 0x7f)) {
                    *slot |= 1 << i;
                }
            }
            peq
        });
        NameMatcher { name, peq }
    }

    pub(super) fn similarity(&self, other: &str) -> f64 {
        let Some(peq) = self.peq.as_deref().filter(|_| other.is_ascii()) else {
            return strsim::normalized_levenshtein(self.name, other);
        };
        let longest = self.name.len().max(other.len());
        if longest == 0 {
            return 1.0;
        }
        1.0 - ascii_levenshtein(peq, self.name.len(), other.as_bytes()) as f64 / longest as f64
    }
}

#[cfg(test)]
pub(super) fn name_similarity(a: &str, b: &str) -> f64 {
    NameMatcher::new(a).similarity(b)
}

/// Levenshtein distance between the ASCII name of `m` bytes whose masks are `peq` and `b`.
pub(super) fn ascii_levenshtein(peq: &[u64; 128], m: usize, b: &[u8]) -> usize {
    if m == 0 {
        return b.len();
    }
    let last = 1u64 << (m - 1);
    let (mut pv, mut mv, mut score) = (!0u64, 0u64, m);
    for &c in b {
        let eq = peq.get(usize::from(c & 0x7f)).copied().unwrap_or(0);
        let xv = eq | mv;
        let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
        let mut ph = mv | !(xh | pv);
        let mut mh = pv & xh;
        if ph & last != 0 {
            score += 1;
        }
        if mh & last != 0 {
            score -= 1;
        }
        ph = (ph << 1) | 1;
        mh <<= 1;
        pv = mh | !(xv | ph);
        mv = ph & xv;
    }
    score
}

/// A listening unix socket that could be an app's (see `Facts::unix_backends`).
pub(super) struct UnixBackend {
    pub(super) index: usize,
    /// The position in `unix_backends` of the first backend on the same path.
    pub(super) first_on_path: usize,
    pub(super) path: String,
    pub(super) dir: String,
    pub(super) app: Option<crate::listeners::AppServer>,
}

pub(super) fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

pub(super) fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, f)| f)
}

#[cfg(test)]
mod similarity_tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    /// The bit-parallel distance agrees with strsim's on names of every length up to 64.
    #[test]
    pub(super) fn ascii_levenshtein_matches_strsim() {
        let alphabet = b"ab-._0123php";
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let la = (next() % 65) as usize;
            let lb = (next() % 70) as usize;
            let mut word = |n: usize| -> String {
                (0..n).map(|_| char::from(alphabet[(next() % alphabet.len() as u64) as usize])).collect()
            };
            let (a, b) = (word(la), word(lb));
            let matcher = NameMatcher::new(&a);
            let peq = matcher.peq.as_deref().unwrap();
            assert_eq!(
                ascii_levenshtein(peq, a.len(), b.as_bytes()),
                strsim::levenshtein(&a, &b),
                "{a} / {b}"
            );
            assert!((name_similarity(&a, &b) - strsim::normalized_levenshtein(&a, &b)).abs() < 1e-12);
        }
        assert_eq!(
            name_similarity("php8.2-fpm.sock", "php8.1-fpm.sock"),
            strsim::normalized_levenshtein("php8.2-fpm.sock", "php8.1-fpm.sock")
        );
        assert_eq!(name_similarity("", ""), 1.0);
    }
}
