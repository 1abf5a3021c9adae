use crate::diagnose::Findings;

use crate::finding::{Command, Finding, Label, Severity};
use crate::input::{InputKind, TextRange};
use crate::sniff::{self, Verdict};

use super::super::Facts;

declare_rule! {
    /// ## What it detects
    /// A box (or a file given to the CLI) that holds no text: gzip, zstd, xz or bzip2
    /// data (a rotated `error.log.2.gz`, a journal file), a zip archive, a program, UTF-16
    /// text (what Windows tools and PowerShell's `>` write), or other binary bytes.
    ///
    /// ## Why it causes a 502
    /// It does not: it is about the evidence. Nothing in such a box can be read, so it
    /// is not read at all (no flood of "syntax errors" on bytes that were never a
    /// config), and this one finding says what it is and how to turn it into text.
    ///
    /// ## Example
    /// ```text
    /// $ badgateway diagnose --log /var/log/nginx/error.log.2.gz
    /// ```
    ///
    /// ## Fix
    /// Give the text instead: `zcat error.log.2.gz` (or `zstdcat`, `xzcat`, `bzcat`,
    /// `unzip -p`), and for UTF-16 `iconv -f UTF-16 -t UTF-8 FILE` (the CLI and the
    /// page decode UTF-16 files themselves).
    ///
    /// ## References
    /// - https://www.gnu.org/software/gzip/manual/gzip.html
    /// - https://man7.org/linux/man-pages/man1/iconv.1.html
    code: BG601,
    name: "input-is-not-text",
    title: "an input is not text",
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    for input in InputKind::ALL {
        // An input that was read passed the sniff already: only an unread one is sniffed again.
        if !facts.unread(input) {
            continue;
        }
        let text = facts.inputs.text(input);
        let Verdict::NotText { what, at } = sniff::sniff(text, input) else { continue };
        let end = at.saturating_add(1).min(u32::try_from(text.len()).unwrap_or(u32::MAX));
        let next = match what.remedy() {
            Some(remedy) => Command::new(
                "write it out as text, then give that file",
                remedy.replace("FILE", &format!("FILE > {}.txt", input.as_str())),
            ),
            None => Command::new("see what the file is (the wrong file given?)", "file FILE"),
        };
        out.push(
            Finding::new(
                INFO.code,
                Severity::Warning,
                format!("the {} input is {}", input.as_str(), what.describe()),
            )
            .message(format!(
                "The {} input holds {}, so nothing in it was read. Turn it into text and give that instead.",
                input.as_str(),
                what.describe()
            ))
            .confidence(99)
            .label(Label::primary(input, TextRange::new(at, end), "not text from here on"))
            .next_step(next),
        );
    }
}

#[cfg(test)]
mod tests {
    /// Hand-written: the first bytes of a gzip file (a rotated `error.log.2.gz`).
    const GZIP: &[u8] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xed\x5d\x6b\x73";

    super::super::verify::rule_tests! {
        written: (log: GZIP, "gzip-log"),
        not: [("healthy", All), ("wrong-port", All), ("unix-socket-permission", All)],
    }
}
