//! What CloudWatch Logs would refuse in a filter pattern, found before the call.

/// Checks that quoted phrases are terminated and brackets balance outside them.
pub(super) fn validate(pattern: &str) -> Result<(), String> {
    let mut closers = Vec::new();
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in pattern.char_indices() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '{' => closers.push('}'),
            '[' => closers.push(']'),
            '(' => closers.push(')'),
            '}' | ']' | ')' if closers.pop() != Some(c) => {
                return Err(format!("unbalanced {c:?} at byte {i}"));
            }
            _ => {}
        }
    }
    if quoted {
        return Err("a quoted phrase is not terminated".into());
    }
    if let Some(c) = closers.last() {
        return Err(format!("a {c:?} is missing"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn patterns_cloudwatch_takes() {
        for ok in [
            "",
            "ERROR",
            "\"out of memory\"",
            "ERROR 137",
            "?ERROR ?WARN",
            "{ $.level = \"error\" }",
            "[ip, user, ..., status_code = 5*, size]",
            "\"a \\\"quoted\\\" word\"",
        ] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn patterns_cloudwatch_refuses() {
        for bad in ["\"unterminated", "{ $.a = 1", "[a, b", "a ]", "{ ]"] {
            assert!(validate(bad).is_err(), "{bad}");
        }
    }
}
