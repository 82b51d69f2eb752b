//! Errors of a scenario file: which file, which line, which field.

use std::fmt;
use std::path::{Path, PathBuf};

use cato_runbook_core::{Error, ErrorKind};

/// A scenario file that cannot be used.
///
/// Its `Display` reads like a compiler's: `scenarios/x.toml:12:1: field `at`: …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    file: PathBuf,
    line: Option<usize>,
    column: Option<usize>,
    field: Option<String>,
    message: String,
}

impl ScenarioError {
    /// An error in `file` with no known position.
    pub fn new(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        ScenarioError {
            file: file.into(),
            line: None,
            column: None,
            field: None,
            message: message.into(),
        }
    }

    /// The error of parsing `text` (the contents of `file`) as TOML into a scenario.
    pub(crate) fn from_toml(file: &Path, text: &str, err: &toml::de::Error) -> Self {
        let message = err.message().trim().to_owned();
        let mut error = ScenarioError::new(file, message.clone());
        if let Some(span) = err.span() {
            let (line, column) = line_column(text, span.start);
            error.line = Some(line);
            error.column = Some(column);
            error.field = backticked(&message).or_else(|| key_on_line(text, span.start));
        } else {
            error.field = backticked(&message);
        }
        error
    }

    /// Places the error at byte `offset` of `text`, naming `field`.
    pub(crate) fn at(mut self, text: &str, offset: usize, field: impl Into<String>) -> Self {
        let (line, column) = line_column(text, offset);
        self.line = Some(line);
        self.column = Some(column);
        self.field = Some(field.into());
        self
    }

    /// Names `field` without placing the error on a line (a field that is missing).
    pub(crate) fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The file.
    pub fn file(&self) -> &Path {
        &self.file
    }
    /// The line (1-based), when known.
    pub fn line(&self) -> Option<usize> {
        self.line
    }
    /// The column (1-based), when known.
    pub fn column(&self) -> Option<usize> {
        self.column
    }
    /// The field at fault, when known.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }
    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

impl From<ScenarioError> for Error {
    fn from(err: ScenarioError) -> Error {
        Error::new(ErrorKind::InvalidInput, "scenario.load", err.to_string())
            .with_resource(err.file.display().to_string())
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |nl| before.len() - nl - 1)
        + 1;
    (line, column)
}

fn backticked(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message.get(start..)?.find('`')?;
    message.get(start..start + len).map(str::to_owned)
}

fn key_on_line(text: &str, offset: usize) -> Option<String> {
    let start = text
        .get(..offset.min(text.len()))?
        .rfind('\n')
        .map_or(0, |nl| nl + 1);
    let line = text.get(start..)?.lines().next()?;
    let key = line.split('=').next()?.trim();
    (!key.is_empty() && !key.starts_with('[') && line.contains('=')).then(|| key.to_owned())
}
