//! The page around a report: the document head with its inline style sheet (screen and
//! print), the header and the section links; escaping; the tables of the inputs.

use std::fmt::Write as _;

use crate::inputs::{Block, Cell};

/// The style sheet, inline in every page (no external files).
const STYLE: &str = include_str!("style.css");

/// `text` safe inside HTML elements and double- or single-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page: `title` (escaped here) and `subtitle` (escaped here) in the header,
/// links to the `sections` (id, label), then `body` (already HTML).
pub fn document(title: &str, subtitle: &str, sections: &[(&str, &str)], body: &str) -> String {
    let mut nav = String::new();
    for (id, label) in sections {
        let _ = write!(nav, "<a href=\"#{id}\">{label}</a>");
    }
    let title = escape(title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"dcrisk {}\">\n<title>{title}</title>\n\
         <style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n<header><h1>{title}</h1>\
         <p class=\"sub\">{}</p><nav>{nav}</nav></header>\n{body}\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        escape(subtitle),
    )
}

/// One block of inputs as a table: `field | value` rows, or a list with a column per field.
pub fn block(b: &Block) -> String {
    match b {
        Block::Fields(name, cells) => {
            let heading = match name.is_empty() {
                true => "Settings".to_string(),
                false => format!("[{}]", escape(name)),
            };
            let mut out = format!("<h3>{heading}</h3><table>");
            for c in cells {
                let _ = write!(
                    out,
                    "<tr><th>{}</th>{}</tr>",
                    escape(c.field),
                    cell(Some(c))
                );
            }
            out + "</table>"
        }
        Block::List(name, columns, rows) => {
            let mut out = format!(
                "<h3>[[{}]] <span class=\"muted\">({} entries)</span></h3><div class=\"wide\"><table><tr>",
                escape(name),
                rows.len()
            );
            for c in columns {
                let _ = write!(out, "<th>{}</th>", escape(c));
            }
            out.push_str("</tr>");
            for row in rows {
                out.push_str("<tr>");
                for c in row {
                    out.push_str(&cell(c.as_ref()));
                }
                out.push_str("</tr>");
            }
            out + "</table></div>"
        }
    }
}

/// A value's cell, shaded and marked when an override set it; empty when absent.
fn cell(c: Option<&Cell>) -> String {
    match c {
        None => "<td></td>".to_string(),
        Some(c) if c.overridden => format!(
            "<td class=\"override\" title=\"set on the command line\">{}</td>",
            escape(&c.text)
        ),
        Some(c) => format!("<td>{}</td>", escape(&c.text)),
    }
}
