//! The corpus gazetteer: names the analysts listed in advance, each with its
//! label and, optionally, the canonical id to give it.
//!
//! The file (`gazetteer.tsv` in the corpus root) has one entry a line:
//! `text<TAB>label[<TAB>canonical id]`. Blank lines and lines starting with
//! `#` are skipped, so the file can carry its own notes.

use compact_str::CompactString;

/// One name of the gazetteer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GazetteerEntry {
    /// The text to find, matched at word boundaries.
    pub text: String,
    /// The label to propose.
    pub label: CompactString,
    /// The canonical id to give the entity, if the file names one.
    pub canonical: Option<String>,
    /// Line of the file it came from (1-based), for messages.
    pub line: usize,
}

/// A corpus's gazetteer.
#[derive(Default, Clone, Debug, PartialEq)]
pub struct Gazetteer {
    /// Entries in file order.
    pub entries: Vec<GazetteerEntry>,
}

/// A gazetteer line that cannot be read: its number and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GazetteerError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong, in plain words.
    pub message: String,
}

impl Gazetteer {
    /// Reads the TSV text of a gazetteer. The first bad line is an error
    /// naming the line; a file that is fine but empty is an empty gazetteer.
    pub fn parse(src: &str) -> Result<Gazetteer, GazetteerError> {
        let src = src.strip_prefix('\u{feff}').unwrap_or(src);
        let mut entries = Vec::new();
        for (i, raw) in src.lines().enumerate() {
            let line = i + 1;
            let l = raw.trim_end_matches('\r');
            if l.trim().is_empty() || l.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = l.split('\t').collect();
            let err = |message: String| GazetteerError { line, message };
            if fields.len() < 2 {
                return Err(err(
                    "expected the text, a tab, then the label (and optionally a tab and a canonical id)"
                        .into(),
                ));
            }
            if fields.len() > 3 {
                return Err(err(format!(
                    "found {} tab-separated fields; give at most three: text, label, canonical id",
                    fields.len()
                )));
            }
            let text = fields[0].trim();
            let label = fields[1].trim();
            if text.is_empty() {
                return Err(err("the text (before the first tab) is empty".into()));
            }
            if !text.chars().any(char::is_alphanumeric) {
                return Err(err(format!(
                    "\"{text}\" has no letter or digit, so it can never be found as a word"
                )));
            }
            if label.is_empty() {
                return Err(err("the label (after the first tab) is empty".into()));
            }
            let canonical = fields.get(2).map(|c| c.trim()).filter(|c| !c.is_empty());
            entries.push(GazetteerEntry {
                text: text.to_owned(),
                label: label.into(),
                canonical: canonical.map(str::to_owned),
                line,
            });
        }
        Ok(Gazetteer { entries })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_and_names_the_bad_line() {
        let g = Gazetteer::parse("# people\nHillary Clinton\tPERSON\tQ6294\n\nUNHCR\tORG\r\n").unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(g.entries[0].canonical.as_deref(), Some("Q6294"));
        assert_eq!(g.entries[1].label, "ORG");
        assert_eq!(g.entries[1].line, 4);
        let e = Gazetteer::parse("ok\tORG\nno label here\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("tab"), "{}", e.message);
        assert_eq!(Gazetteer::parse("a\tb\tc\td").unwrap_err().line, 1);
        assert_eq!(Gazetteer::parse("...\tORG").unwrap_err().line, 1);
        assert!(Gazetteer::parse("").unwrap().is_empty());
    }
}
