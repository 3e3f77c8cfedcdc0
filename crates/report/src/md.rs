//! Markdown: the same blocks as the HTML report; each chart is represented
//! by the table of its numbers that follows it.

use crate::doc::{Block, Cell};
use crate::fmt::md_cell;

pub fn render(blocks: &[Block]) -> String {
    let mut s = String::new();
    for b in blocks {
        match b {
            Block::Heading(level, text, _) => {
                s.push_str(&format!("{} {}\n\n", "#".repeat(*level as usize), text));
            }
            Block::Para(text) => s.push_str(&format!("{text}\n\n")),
            Block::Note(text) => s.push_str(&format!("_{}_\n\n", text.replace('_', "\\_"))),
            Block::Chart(title, _) => s.push_str(&format!("**{title}** (chart in the HTML report; numbers below)\n\n")),
            Block::Table(tb) => {
                s.push_str(&format!("| {} |\n", tb.header.iter().map(|h| md_cell(h)).collect::<Vec<_>>().join(" | ")));
                let first = tb.rows.first();
                let aligns: Vec<&str> = (0..tb.header.len())
                    .map(|i| match first.and_then(|r| r.get(i)) {
                        Some(Cell::Num(..)) => "---:",
                        _ => "---",
                    })
                    .collect();
                s.push_str(&format!("| {} |\n", aligns.join(" | ")));
                for r in &tb.rows {
                    s.push_str(&format!("| {} |\n", r.iter().map(|c| md_cell(c.shown())).collect::<Vec<_>>().join(" | ")));
                }
                s.push('\n');
            }
        }
    }
    s
}
