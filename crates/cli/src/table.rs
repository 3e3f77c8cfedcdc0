//! Plain-text tables and number formatting for the terminal.

/// A table with a header; numeric-looking cells are right-aligned.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    right: Vec<bool>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: vec![],
            right: header.iter().map(|_| false).collect(),
        }
    }

    /// Marks columns (by index) as right-aligned.
    pub fn right(mut self, cols: &[usize]) -> Table {
        for &c in cols {
            if c < self.right.len() {
                self.right[c] = true;
            }
        }
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self, indent: usize) -> String {
        let n = self.header.len();
        let mut w: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let pad = " ".repeat(indent);
        let line = |cells: &[String], out: &mut String| {
            out.push_str(&pad);
            for (i, c) in cells.iter().enumerate().take(n) {
                let fill = w[i] - c.chars().count();
                if i > 0 {
                    out.push_str("  ");
                }
                if self.right[i] {
                    out.push_str(&" ".repeat(fill));
                    out.push_str(c);
                } else {
                    out.push_str(c);
                    if i + 1 < n {
                        out.push_str(&" ".repeat(fill));
                    }
                }
            }
            out.push('\n');
        };
        let mut out = String::new();
        line(&self.header, &mut out);
        let rule: Vec<String> = w.iter().map(|&k| "-".repeat(k)).collect();
        line(&rule, &mut out);
        for r in &self.rows {
            line(r, &mut out);
        }
        out
    }
}

// Quantities and shares are formatted as the reports format them.
pub use lodestone_report::fmt::{pct, qty};

/// CSV text from a header and rows.
pub fn csv_text(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(vec![]);
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(qty(270000.0), "270,000");
        assert_eq!(qty(1234567.4), "1,234,567");
        assert_eq!(qty(-1500.0), "-1,500");
        assert_eq!(qty(12.345), "12.3");
        assert_eq!(qty(0.5), "0.500");
        assert_eq!(qty(0.0), "0");
        assert_eq!(pct(0.6923), "69.2%");
        assert_eq!(pct(-1e-6), "0.0%");
    }

    #[test]
    fn renders_aligned() {
        let mut t = Table::new(&["a", "n"]).right(&[1]);
        t.row(vec!["xx".into(), "1".into()]);
        t.row(vec!["y".into(), "100".into()]);
        assert_eq!(t.render(0), "a     n\n--  ---\nxx    1\ny   100\n");
    }
}
