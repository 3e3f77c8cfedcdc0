//! What an import did: rows read, rows made per commodity, and every
//! published cell that did not become a row, with the reason.

use std::collections::BTreeMap;
use std::fmt;

/// Rows made for one key (a `commodity/stage`, or a commodity id for the
/// tables that have no stage).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub production: usize,
    pub capacity: usize,
    pub reserves: usize,
    pub salient: usize,
    pub import_reliance: usize,
    pub ownership: usize,
    pub groups: usize,
    pub trade: usize,
    pub production_other: usize,
    pub governance: usize,
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = [
            ("production", self.production),
            ("capacity", self.capacity),
            ("reserves", self.reserves),
            ("salient", self.salient),
            ("import reliance", self.import_reliance),
            ("ownership", self.ownership),
            ("group members", self.groups),
            ("trade flows", self.trade),
            ("production (other sources)", self.production_other),
            ("governance", self.governance),
        ]
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
        if parts.is_empty() {
            f.write_str("declared, no rows")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// A published cell (or row) that was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    /// The file, as given to the importer.
    pub file: String,
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    /// The column as published (empty for a whole row).
    pub column: String,
    /// The cell as published (trimmed).
    pub value: String,
    /// Why it was not imported; a short fixed phrase, so skips can be counted
    /// by reason (`blank`, `withheld (W)`, `aggregate: world total`, ...).
    pub reason: String,
    /// Specifics: the publisher's note, or the mapping's explanation.
    pub detail: String,
}

/// The report of one importer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Data rows read (header lines not counted).
    pub rows_read: usize,
    /// Published value cells that became rows (several cells may become one
    /// row when parts are summed).
    pub cells_imported: usize,
    /// Rows made, per `commodity/stage` (or commodity id).
    pub imported_per_key: BTreeMap<String, Counts>,
    pub skipped: Vec<Skip>,
    /// Things a user should know: sums of parts, unattributed aggregates,
    /// unit corrections applied from the mapping files.
    pub notes: Vec<String>,
}

impl Report {
    pub(crate) fn count(&mut self, key: impl Into<String>) -> &mut Counts {
        self.imported_per_key.entry(key.into()).or_default()
    }

    pub(crate) fn skip(&mut self, file: &str, line: u64, column: &str, value: &str, reason: &str, detail: &str) {
        self.skipped.push(Skip {
            file: file.to_string(),
            line,
            column: column.to_string(),
            value: value.trim().to_string(),
            reason: reason.to_string(),
            detail: detail.trim().to_string(),
        });
    }

    pub(crate) fn note(&mut self, note: impl Into<String>) {
        let n = note.into();
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }

    /// Number of skipped cells per reason.
    pub fn skip_counts(&self) -> BTreeMap<&str, usize> {
        let mut m = BTreeMap::new();
        for s in &self.skipped {
            *m.entry(s.reason.as_str()).or_insert(0) += 1;
        }
        m
    }

    /// Every skipped cell, one per line (`file:line: column: value: reason (detail)`).
    pub fn details(&self) -> String {
        let mut s = String::new();
        for k in &self.skipped {
            s.push_str(&format!("{}:{}: {}: `{}`: {}", k.file, k.line, k.column, k.value, k.reason));
            if !k.detail.is_empty() {
                s.push_str(&format!(" ({})", k.detail));
            }
            s.push('\n');
        }
        s
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "rows read: {}", self.rows_read)?;
        writeln!(f, "cells imported: {}", self.cells_imported)?;
        writeln!(f, "rows made per key ({}):", self.imported_per_key.len())?;
        for (k, c) in &self.imported_per_key {
            writeln!(f, "  {k}: {c}")?;
        }
        writeln!(f, "cells skipped: {} (`--verbose` lists each one)", self.skipped.len())?;
        for (reason, n) in self.skip_counts() {
            writeln!(f, "  {n:>6}  {reason}")?;
        }
        if !self.notes.is_empty() {
            writeln!(f, "notes:")?;
            for n in &self.notes {
                writeln!(f, "  - {n}")?;
            }
        }
        Ok(())
    }
}
