//! Unit tests of the log parser on hand-typed corner cases (marked) and lines from
//! the reference files (real nginx 1.31.5 output).

use super::*;
