//! The one table of public codes (ShellCheck's families, ruff's `Rule` enum): every code a
//! finding can carry, live or retired. Code names a code by this type, never by a string; the
//! rule catalog (`diagnose::rules::RULES`) is checked at compile time to give every live code
//! exactly one rule, in this order, and none to a retired one.

use serde::{Serialize, Serializer};

/// Whether a code still has a rule. A retired code is never reused: it stays in the table as a
/// tombstone, so an old report or link that names it still means the same thing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Live,
    /// Why the rule went, for whoever looks the code up.
    Retired(&'static str),
}

macro_rules! codes {
    ($( $code:ident => $status:expr ),* $(,)?) => {
        /// A stable public code such as `BG202`: `BG` + family digit + number. Ordered as the
        /// strings are; serialized as the string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $code, )*
        }

        impl Code {
            /// Every code, live and retired, in order.
            pub const ALL: &'static [Code] = &[$( Code::$code, )*];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Code::$code => stringify!($code), )*
                }
            }

            pub const fn status(self) -> Status {
                match self {
                    $( Code::$code => $status, )*
                }
            }
        }
    };
}

use Status::Live;

codes! {
    // BG1xx: the config does not load.
    BG101 => Live,
    BG102 => Live,
    BG103 => Live,
    BG104 => Live,
    BG105 => Live,
    BG106 => Live,
    // BG2xx: nginx cannot connect.
    BG201 => Live,
    BG202 => Live,
    BG203 => Live,
    BG204 => Live,
    BG205 => Live,
    BG206 => Live,
    BG207 => Live,
    BG208 => Live,
    BG209 => Live,
    BG210 => Live,
    BG211 => Live,
    BG212 => Live,
    BG213 => Live,
    BG214 => Live,
    BG215 => Live,
    BG216 => Live,
    BG217 => Live,
    // BG3xx: connected, but the response is bad.
    BG301 => Live,
    BG302 => Live,
    BG303 => Live,
    BG304 => Live,
    BG305 => Live,
    BG306 => Live,
    BG307 => Live,
    BG308 => Live,
    // BG4xx: timeouts (504).
    BG401 => Live,
    BG402 => Live,
    // BG5xx: risks.
    BG501 => Live,
    // BG6xx: the evidence itself (not text, or in the wrong box).
    BG601 => Live,
    BG602 => Live,
}

impl Code {
    pub const fn is_live(self) -> bool {
        matches!(self.status(), Status::Live)
    }

    /// The code a user typed (`bg202`, `BG202`), live or retired.
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str().eq_ignore_ascii_case(text))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_well_formed_and_the_enum_orders_them_as_strings() {
        let strings: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = strings.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(strings, sorted, "codes must be unique and in order");
        for c in strings {
            assert!(c.len() == 5 && c.starts_with("BG") && c[2..].chars().all(|d| d.is_ascii_digit()), "{c}");
        }
        let mut by_enum = Code::ALL.to_vec();
        by_enum.sort();
        assert_eq!(by_enum, Code::ALL);
    }

    #[test]
    fn parses_any_case_and_serializes_as_the_string() {
        assert_eq!(Code::parse("bg202"), Some(Code::BG202));
        assert_eq!(Code::parse("BG999"), None);
        assert_eq!(serde_json::to_string(&Code::BG202).ok().as_deref(), Some("\"BG202\""));
    }
}
