//! Number and text formatting shared by the renderers.

/// A quantity with thousands separators: 0 decimals from 100, 1 from 1, 3 below.
pub fn qty(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let a = x.abs();
    let s = if a >= 100.0 || a == 0.0 {
        format!("{x:.0}")
    } else if a >= 1.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    };
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d.to_string()),
        None => ("", int),
    };
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let out = match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    };
    if out.trim_start_matches('-').chars().all(|c| c == '0' || c == ',' || c == '.') {
        out.trim_start_matches('-').to_string()
    } else {
        out
    }
}

/// A fraction as a percentage with one decimal.
pub fn pct(x: f64) -> String {
    let s = format!("{:.1}%", x * 100.0);
    if s == "-0.0%" {
        "0.0%".into()
    } else {
        s
    }
}

/// Money: 4.76e9 -> "4.76 bn".
pub fn money(x: f64) -> String {
    let a = x.abs();
    if a >= 1e9 {
        format!("{:.2} bn", x / 1e9)
    } else if a >= 1e6 {
        format!("{:.2} m", x / 1e6)
    } else {
        qty(x)
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// Escapes a Markdown table cell.
pub fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A number for a machine-readable attribute or CSV cell: shortest
/// round-trip form (what serde_json prints), so a reader gets the exact value.
pub fn exact(x: f64) -> String {
    if x.is_finite() {
        serde_json::Number::from_f64(x).map_or_else(|| x.to_string(), |n| n.to_string())
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_group_thousands() {
        assert_eq!(qty(1234567.4), "1,234,567");
        assert_eq!(qty(-1234.0), "-1,234");
        assert_eq!(qty(12.34), "12.3");
        assert_eq!(qty(0.01234), "0.012");
        assert_eq!(qty(-0.0001), "0.000");
        assert_eq!(qty(999.6), "1,000");
        assert_eq!(pct(0.6994), "69.9%");
        assert_eq!(pct(-0.00001), "0.0%");
        assert_eq!(money(4_763_623_235.9), "4.76 bn");
        assert_eq!(money(450_000_000.0), "450.00 m");
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(exact(0.1), "0.1");
        assert_eq!(exact(f64::NAN), "");
    }
}
