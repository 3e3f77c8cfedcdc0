//! Reading raw files and cells: text normalisation and strict number parsing.
//!
//! Publishers' CSVs carry byte-order marks, non-breaking spaces, trailing
//! spaces and thousands separators. Everything here is tolerant of those
//! and strict about everything else: a cell that is not one of the forms we
//! know is an error, never a silent zero.

use crate::ImportError;
use lodestone_model::Bound;
use std::path::Path;

/// Reads a file as UTF-8 text without its byte-order mark.
pub(crate) fn read_text(path: &Path) -> Result<String, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::file(path, format!("cannot be read: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| ImportError::file(path, format!("is not valid UTF-8 (byte {})", e.utf8_error().valid_up_to())))?;
    Ok(strip_bom(&text).to_string())
}

pub(crate) fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Collapses every run of whitespace (including U+00A0, the non-breaking
/// space USGS puts in "United States and Canada") to one space and trims.
pub(crate) fn normalize(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{a0}').filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A CSV reader over text with no header handling and no width check: the
/// importers check headers and widths themselves to report them precisely.
pub(crate) fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes())
}

/// Physical line numbers for records of one text.
///
/// The csv crate's own `Position::line` lags by one after a CRLF line end
/// (the `\n` of `\r\n` is counted when the next record starts), and
/// USGS files use CRLF. So lines are counted from the record's byte
/// offset instead: skip the line-end bytes it may point at, then count the
/// newlines before it.
pub(crate) struct Lines<'a> {
    text: &'a [u8],
    newlines: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Lines<'a> {
        let text = text.as_bytes();
        let newlines = text.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect();
        Lines { text, newlines }
    }

    /// The 1-based line where a record (or an error) starts; 0 if unknown.
    pub(crate) fn at(&self, pos: Option<&csv::Position>) -> u64 {
        let Some(pos) = pos else { return 0 };
        let mut b = usize::try_from(pos.byte()).unwrap_or(usize::MAX).min(self.text.len());
        while b < self.text.len() && matches!(self.text[b], b'\r' | b'\n') {
            b += 1;
        }
        self.newlines.partition_point(|&i| i < b) as u64 + 1
    }

    pub(crate) fn of(&self, rec: &csv::StringRecord) -> u64 {
        self.at(rec.position())
    }

    /// A record as read, with its line, checked to have `width` fields (as
    /// many as the header): a read failure or a ragged row is an error
    /// naming the file and line.
    pub(crate) fn record(
        &self,
        file: &str,
        rec: csv::Result<csv::StringRecord>,
        width: usize,
    ) -> Result<(csv::StringRecord, u64), crate::ImportError> {
        let rec = rec.map_err(|e| {
            crate::ImportError::at(file, self.at(e.position()), None, format!("cannot be read as CSV: {e}"))
        })?;
        let line = self.of(&rec);
        if rec.len() != width {
            return Err(crate::ImportError::at(
                file,
                line,
                None,
                format!("expected {width} fields (as in the header), found {}", rec.len()),
            ));
        }
        Ok((rec, line))
    }
}

/// Parses a published number: optional `>`/`<` bound, optional sign
/// (ASCII `-` or U+2212, only when `allow_negative`), digits with optional
/// thousands commas in groups of three, optional decimals. `None` for an
/// empty cell. The error is the description of what was expected.
pub(crate) fn parse_number(raw: &str, allow_negative: bool) -> Result<Option<(f64, Bound)>, String> {
    let t = normalize(raw);
    if t.is_empty() {
        return Ok(None);
    }
    let expected = || {
        format!(
            "expected a number{} (digits, optional thousands commas and decimals, optionally after `>` or `<`), found `{}`",
            if allow_negative { "" } else { " >= 0" },
            raw.trim()
        )
    };
    let (bound, rest) = match t.chars().next() {
        Some('>') => (Bound::AtLeast, t[1..].trim_start()),
        Some('<') => (Bound::AtMost, t[1..].trim_start()),
        _ => (Bound::Exact, t.as_str()),
    };
    let (negative, rest) = if let Some(r) = rest.strip_prefix('-') {
        (true, r)
    } else if let Some(r) = rest.strip_prefix('\u{2212}') {
        (true, r)
    } else {
        (false, rest)
    };
    if negative && !allow_negative {
        return Err(expected());
    }
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return Err(expected());
        }
    }
    // Integer part: plain digits, or 1-3 digits then groups of exactly 3.
    let groups: Vec<&str> = int.split(',').collect();
    let ok_int = match groups.as_slice() {
        [] => false,
        [one] => !one.is_empty() && one.bytes().all(|b| b.is_ascii_digit()),
        [first, rest @ ..] => {
            (1..=3).contains(&first.len())
                && first.bytes().all(|b| b.is_ascii_digit())
                && rest.iter().all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
        }
    };
    if !ok_int {
        return Err(expected());
    }
    let mut cleaned: String = groups.concat();
    if let Some(f) = frac {
        cleaned.push('.');
        cleaned.push_str(f);
    }
    let x: f64 = cleaned.parse().map_err(|_| expected())?;
    if !x.is_finite() {
        return Err(expected());
    }
    Ok(Some((if negative { -x } else { x }, bound)))
}

/// Checks a raw file's header against the expected column names (any
/// order, each exactly once, no others) and returns each expected column's
/// index, in the order of `expected`.
pub(crate) fn named_columns(
    file: &str,
    header: &csv::StringRecord,
    expected: &[&str],
) -> Result<Vec<usize>, ImportError> {
    let mut pos: Vec<Option<usize>> = vec![None; expected.len()];
    for (j, h) in header.iter().enumerate() {
        let h = strip_bom(h).trim();
        let Some(k) = expected.iter().position(|e| *e == h) else {
            return Err(ImportError::at(
                file,
                1,
                Some(h),
                format!("malformed header: unknown column; expected the columns {}", expected.join(",")),
            ));
        };
        if pos[k].replace(j).is_some() {
            return Err(ImportError::at(file, 1, Some(h), "malformed header: column appears twice".into()));
        }
    }
    expected
        .iter()
        .zip(&pos)
        .map(|(e, p)| {
            p.ok_or_else(|| {
                ImportError::at(
                    file,
                    1,
                    Some(e),
                    format!(
                        "malformed header: required column is missing; expected the columns {}",
                        expected.join(",")
                    ),
                )
            })
        })
        .collect()
}

/// Parses a year cell (four digits, 1900-2200).
pub(crate) fn parse_year(raw: &str) -> Result<i32, String> {
    let t = raw.trim();
    t.parse::<i32>()
        .ok()
        .filter(|y| t.len() == 4 && (1900..=2200).contains(y))
        .ok_or_else(|| format!("expected a year (1900-2200), found `{t}`"))
}

/// Parses a conversion factor: a positive number, or a product and quotient
/// of positive numbers (`2*6.94/29.88`), so mappings can show the arithmetic.
pub(crate) fn parse_factor(raw: &str) -> Result<f64, String> {
    let t: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let expected = || {
        format!("expected a positive number or a product/quotient of numbers (`2*6.94/29.88`), found `{}`", raw.trim())
    };
    let mut value = 1.0;
    let mut op = '*';
    let mut rest = t.as_str();
    loop {
        let end = rest.find(['*', '/']).unwrap_or(rest.len());
        let (num, tail) = rest.split_at(end);
        let x = match parse_number(num, false) {
            Ok(Some((x, Bound::Exact))) if x > 0.0 && !num.contains(',') => x,
            _ => return Err(expected()),
        };
        value = if op == '*' { value * x } else { value / x };
        match tail.chars().next() {
            None => break,
            Some(c) => {
                op = c;
                rest = &tail[1..];
            }
        }
    }
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(expected())
    }
}

/// Joins the non-empty parts with "; ".
pub(crate) fn join_notes<S: AsRef<str>>(parts: &[S]) -> String {
    parts.iter().map(|s| s.as_ref().trim()).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let p = |s: &str| parse_number(s, false);
        assert_eq!(p(""), Ok(None));
        assert_eq!(p("  "), Ok(None));
        assert_eq!(p("270000"), Ok(Some((270000.0, Bound::Exact))));
        assert_eq!(p(" 1.5 "), Ok(Some((1.5, Bound::Exact))));
        assert_eq!(p(">90000000"), Ok(Some((90000000.0, Bound::AtLeast))));
        assert_eq!(p(">17,000,000"), Ok(Some((17000000.0, Bound::AtLeast))));
        assert_eq!(p("<1"), Ok(Some((1.0, Bound::AtMost))));
        assert_eq!(p("1,900"), Ok(Some((1900.0, Bound::Exact))));
        for bad in ["W", "NA", "1,90", "12,3456", ",100", "1.", ".5", "1e5", "inf", "NaN", "-5", "5 t", "1.2.3", ">"] {
            assert!(p(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_number("\u{2212}16", true), Ok(Some((-16.0, Bound::Exact))));
        assert_eq!(parse_number("-4", true), Ok(Some((-4.0, Bound::Exact))));
    }

    #[test]
    fn line_numbers() {
        // (text, the physical line each record starts on)
        let cases: [(&str, [u64; 3]); 3] = [
            ("a,b\r\n1,2\r\n\r\n3,4\r\n", [1, 2, 4]),
            ("a,b\n1,2\n\n3,4\n", [1, 2, 4]),
            ("\"a\nx\",b\n1,2\n\n3,4", [1, 3, 5]),
        ];
        for (text, want) in cases {
            let lines = Lines::new(text);
            let got: Vec<u64> = csv_reader(text).records().filter_map(Result::ok).map(|r| lines.of(&r)).collect();
            assert_eq!(got, want.to_vec(), "{text:?}");
        }
    }

    #[test]
    fn factors_and_years() {
        assert_eq!(parse_factor("1"), Ok(1.0));
        assert_eq!(parse_factor("2*6.94/29.88"), Ok(2.0 * 6.94 / 29.88));
        assert_eq!(parse_factor(" 2 * 92.906 / 265.807 "), Ok(2.0 * 92.906 / 265.807));
        for bad in ["", "0", "-1", "2*", "/3", "2**3", "1,000", "x", "2/0"] {
            assert!(parse_factor(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_year("2023"), Ok(2023));
        for bad in ["", "23", "2O23", "1899", "02023", "2023.0"] {
            assert!(parse_year(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn normalizing() {
        assert_eq!(normalize("United\u{a0}States and Canada"), "United States and Canada");
        assert_eq!(normalize("  Russia "), "Russia");
        assert_eq!(normalize("Barite  "), "Barite");
    }
}
