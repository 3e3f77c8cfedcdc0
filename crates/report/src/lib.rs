//! `lodestone-report`: one report, three forms — a self-contained HTML file
//! (inline SVG charts, no scripts, opens offline), Markdown, and JSON — from
//! the dataset's concentration analyses, an optional stress run and an
//! optional plan. No I/O: the caller runs the scenario and the plan and
//! writes the output.
//!
//! Pipeline: [`build`] gathers the numbers into a [`Report`] (what `--format
//! json` prints); [`doc::document`] lays it out as blocks (headings,
//! paragraphs, charts, tables); [`html`] and [`markdown`] render the blocks.

pub mod content;
pub mod doc;
pub mod fmt;
mod html;
mod md;
pub mod svg;

pub use content::{build, Options, Report};

/// The report as one self-contained HTML page.
pub fn html(r: &Report) -> String {
    html::render(&r.title, &doc::document(r))
}

/// The report as Markdown (tables in place of charts).
pub fn markdown(r: &Report) -> String {
    md::render(&doc::document(r))
}
