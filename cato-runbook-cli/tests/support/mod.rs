//! What every test binary of the command shares: the command run from the workspace root with
//! no configuration from the environment, and its output read as a success or a given failure.

#![allow(dead_code, clippy::unwrap_used)] // Each binary uses some; a test that cannot set up fails loudly.

use std::path::Path;

use assert_cmd::Command;

/// `cato-runbook`, run in the workspace root, with no `CATO_RUNBOOK_CONFIG` from the outside.
pub(crate) fn cmd() -> Command {
    let mut cmd = Command::cargo_bin("cato-runbook").unwrap();
    cmd.env_remove("CATO_RUNBOOK_CONFIG");
    cmd.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    cmd
}

/// Runs `cmd`, expects success and returns stdout.
pub(crate) fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `cmd`, expects exit code `code` and returns stderr.
pub(crate) fn fails(cmd: &mut Command, code: i32) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).unwrap()
}
