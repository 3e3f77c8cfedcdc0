//! One self-contained HTML file: inline CSS and SVG, no scripts, no
//! external references (it opens offline), every chart followed by its
//! table and a CSV download (a `data:` link, which needs no network either).

use crate::doc::{Block, Cell, Table};
use crate::fmt::{esc, exact};

const CSS: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a;max-width:1100px;margin:0 auto;padding:16px 24px}
h1{font-size:24px;margin:8px 0}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #ccc;padding-bottom:4px}
nav a{margin-right:12px}p.note{color:#555;font-size:12.5px;margin:4px 0}
svg.chart{max-width:100%;height:auto;display:block;margin:8px 0}svg text{font-size:12px;fill:#1a1a1a}svg text.title{font-size:13px;font-weight:600}
svg text.tick,svg text.ref-label{font-size:11px;fill:#555}
table.data{border-collapse:collapse;margin:6px 0 2px;font-size:12.5px}
table.data th,table.data td{border:1px solid #ddd;padding:3px 7px;text-align:left}
table.data td.num{text-align:right;font-variant-numeric:tabular-nums}table.data th{background:#f3f3f3}
a.csv{font-size:12px}.wrap{overflow-x:auto}
@media print{nav,a.csv{display:none}}
";

fn pct_encode(s: &str) -> String {
    let mut o = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~ ".contains(&b) {
            o.push(if b == b' ' { ' ' } else { b as char });
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o.replace(' ', "%20")
}

fn table(tb: &Table) -> String {
    let mut s = format!("<div class=\"wrap\"><table class=\"data\" id=\"{}\"><thead><tr>", esc(&tb.id));
    for h in &tb.header {
        s.push_str(&format!("<th>{}</th>", esc(h)));
    }
    s.push_str("</tr></thead><tbody>");
    for r in &tb.rows {
        s.push_str("<tr>");
        for c in r {
            match c {
                Cell::Text(x) => s.push_str(&format!("<td>{}</td>", esc(x))),
                Cell::Num(v, x) => s.push_str(&format!("<td class=\"num\" data-value=\"{}\">{}</td>", exact(*v), esc(x))),
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    s.push_str(&format!(
        "<a class=\"csv\" download=\"{}.csv\" href=\"data:text/csv;charset=utf-8,{}\">Download CSV</a>",
        esc(&tb.id),
        pct_encode(&tb.csv())
    ));
    s
}

pub fn render(title: &str, blocks: &[Block]) -> String {
    let mut s = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
    s.push_str(&format!("<title>{}</title><style>{CSS}</style></head><body>", esc(title)));
    let toc: Vec<(String, String)> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading(2, text, id) => Some((text.clone(), id.clone())),
            _ => None,
        })
        .collect();
    let mut nav_done = false;
    for b in blocks {
        match b {
            Block::Heading(level, text, id) => {
                s.push_str(&format!("<h{level} id=\"{}\">{}</h{level}>", esc(id), esc(text)));
            }
            Block::Para(text) => {
                s.push_str(&format!("<p>{}</p>", esc(text)));
                if !nav_done {
                    nav_done = true;
                    s.push_str("<nav>");
                    for (text, id) in &toc {
                        s.push_str(&format!("<a href=\"#{}\">{}</a>", esc(id), esc(text)));
                    }
                    s.push_str("</nav>");
                }
            }
            Block::Note(text) => s.push_str(&format!("<p class=\"note\">{}</p>", esc(text))),
            Block::Chart(_, svg) => s.push_str(svg),
            Block::Table(tb) => s.push_str(&table(tb)),
        }
    }
    s.push_str("</body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_links_are_percent_encoded() {
        assert_eq!(super::pct_encode("a b,\"c\"\n"), "a%20b%2C%22c%22%0A");
    }
}
