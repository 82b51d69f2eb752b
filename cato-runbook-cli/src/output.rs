//! Terminal output: tables, colour only on a terminal, JSON on request.

use std::io::{IsTerminal, Write};

use anstyle::{AnsiColor, Style};
use comfy_table::{Table, presets};
use serde::Serialize;

use crate::exit::Failure;

/// Where a command writes: stdout, coloured only when it is a terminal.
pub(crate) struct Out {
    stream: anstream::AutoStream<std::io::Stdout>,
    tty: bool,
    pub(crate) json: bool,
}

pub(crate) const PASS: Style = AnsiColor::Green.on_default().bold();
pub(crate) const FAIL: Style = AnsiColor::Red.on_default().bold();
pub(crate) const HEADING: Style = Style::new().bold();

impl Out {
    pub(crate) fn new(json: bool) -> Out {
        Out {
            tty: std::io::stdout().is_terminal(),
            stream: anstream::AutoStream::auto(std::io::stdout()),
            json,
        }
    }

    /// A line of text (ANSI styles are stripped when stdout is not a terminal).
    pub(crate) fn line(&mut self, text: impl AsRef<str>) -> Result<(), Failure> {
        writeln!(self.stream, "{}", text.as_ref())?;
        Ok(())
    }

    /// `text` in `style`.
    pub(crate) fn styled(style: Style, text: impl std::fmt::Display) -> String {
        format!("{style}{text}{style:#}")
    }

    /// A value as pretty JSON.
    pub(crate) fn json(&mut self, value: &impl Serialize) -> Result<(), Failure> {
        let text = serde_json::to_string_pretty(value)?;
        self.line(text)
    }

    /// A table with a header row.
    pub(crate) fn table(&mut self, header: &[&str], rows: Vec<Vec<String>>) -> Result<(), Failure> {
        let mut table = Table::new();
        table
            .load_style(if self.tty {
                presets::UTF8_FULL_CONDENSED
            } else {
                presets::ASCII_MARKDOWN
            })
            .set_header(header.iter().copied());
        for row in rows {
            table.add_row(row);
        }
        self.line(table.to_string())
    }
}
