//! CloudWatch Logs filter patterns for unstructured events.

use std::fmt;

use cato_runbook_core::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    /// Must appear.
    Required(String),
    /// At least one of the optional terms must appear (`?ERROR ?WARN`).
    Optional(String),
    /// Must not appear (`-DEBUG`).
    Excluded(String),
}

/// A parsed filter pattern: terms (`ERROR`), quoted phrases (`"out of memory"`), `?term`
/// alternatives and `-term` exclusions, matched case-sensitively as substrings of the message.
/// The empty pattern matches every event.
///
/// ```
/// use cato_runbook_mock::fakes::FilterPattern;
///
/// let p = FilterPattern::parse(r#"ERROR "out of memory" -retrying"#)?;
/// assert!(p.matches("ERROR CUDA out of memory"));
/// assert!(!p.matches("ERROR CUDA out of memory, retrying"));
/// assert!(!p.matches("error: out of memory"));
/// let any = FilterPattern::parse("?ThrottlingException ?ProvisionedThroughputExceededException")?;
/// assert!(any.matches("WARN ThrottlingException: slow down"));
/// assert!(FilterPattern::parse("").unwrap().matches("anything"));
/// # Ok::<(), cato_runbook_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterPattern {
    text: String,
    terms: Vec<Term>,
}

impl FilterPattern {
    /// Parses `pattern`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](cato_runbook_core::ErrorKind::InvalidInput) for an
    /// unterminated quote, an empty term, or a JSON (`{ … }`) or space-delimited (`[ … ]`)
    /// pattern, which this filter does not understand.
    pub fn parse(pattern: &str) -> Result<FilterPattern> {
        let op = "logs.filter";
        let trimmed = pattern.trim();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            return Err(Error::invalid_input(
                op,
                format!("{pattern:?}: JSON and space-delimited filter patterns are not supported"),
            ));
        }
        let mut terms = Vec::new();
        let mut chars = trimmed.chars().peekable();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
                continue;
            }
            let prefix = match c {
                '?' | '-' => {
                    chars.next();
                    Some(c)
                }
                _ => None,
            };
            let mut word = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(escaped) = chars.next() {
                                word.push(escaped);
                            }
                        }
                        '"' => {
                            closed = true;
                            break;
                        }
                        other => word.push(other),
                    }
                }
                if !closed {
                    return Err(Error::invalid_input(
                        op,
                        format!("{pattern:?}: unterminated quoted phrase"),
                    ));
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
            }
            if word.is_empty() {
                return Err(Error::invalid_input(op, format!("{pattern:?}: empty term")));
            }
            terms.push(match prefix {
                Some('?') => Term::Optional(word),
                Some(_) => Term::Excluded(word),
                None => Term::Required(word),
            });
        }
        Ok(FilterPattern {
            text: pattern.to_owned(),
            terms,
        })
    }

    /// Whether `message` matches.
    pub fn matches(&self, message: &str) -> bool {
        let mut any_optional = false;
        let mut optional_hit = false;
        for term in &self.terms {
            match term {
                Term::Required(t) if !message.contains(t.as_str()) => return false,
                Term::Excluded(t) if message.contains(t.as_str()) => return false,
                Term::Optional(t) => {
                    any_optional = true;
                    optional_hit |= message.contains(t.as_str());
                }
                _ => {}
            }
        }
        !any_optional || optional_hit
    }
}

impl fmt::Display for FilterPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_anded_and_case_sensitive() {
        let p = FilterPattern::parse("ERROR Exception").unwrap();
        assert!(p.matches("ERROR: Exception in thread"));
        assert!(!p.matches("ERROR only"));
        assert!(!FilterPattern::parse("ERROR").unwrap().matches("error"));
    }

    #[test]
    fn quoted_phrases_keep_spaces_and_escapes() {
        let p = FilterPattern::parse(r#""out of memory""#).unwrap();
        assert!(p.matches("CUDA out of memory."));
        assert!(!p.matches("out of  memory"));
        let q = FilterPattern::parse(r#""say \"hi\"""#).unwrap();
        assert!(q.matches(r#"they say "hi""#));
    }

    #[test]
    fn alternatives_and_exclusions() {
        let p = FilterPattern::parse("?ERROR ?WARN -healthcheck").unwrap();
        assert!(p.matches("WARN slow"));
        assert!(!p.matches("INFO fine"));
        assert!(!p.matches("ERROR healthcheck failed"));
        let q = FilterPattern::parse(r#"-"ping ok""#).unwrap();
        assert!(q.matches("anything"));
        assert!(!q.matches("ping ok"));
    }

    #[test]
    fn bad_patterns() {
        assert!(FilterPattern::parse(r#""open"#).is_err());
        assert!(FilterPattern::parse("{ $.level = \"ERROR\" }").is_err());
        assert!(FilterPattern::parse("[ip, user]").is_err());
        assert!(FilterPattern::parse("- ERROR").is_err());
        assert!(FilterPattern::parse("   ").unwrap().matches(""));
    }
}
