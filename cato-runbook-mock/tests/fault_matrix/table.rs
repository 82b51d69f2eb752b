//! The matrix as a markdown table, kept in the README between two markers.

use std::path::Path;

const START: &str = "<!-- fault-matrix:start (written by cato-runbook-mock/tests/fault_matrix) -->";
const END: &str = "<!-- fault-matrix:end -->";

/// One port of one runbook: what the engine did under each fault.
pub(crate) struct Row {
    pub(crate) runbook: String,
    pub(crate) port: String,
    pub(crate) cells: Vec<String>,
}

fn render(rows: &[Row], faults: &[&str]) -> String {
    let mut out = format!("| runbook | port | {} |\n", faults.join(" | "));
    out.push_str(&format!("| --- | --- |{}\n", " --- |".repeat(faults.len())));
    for row in rows {
        out.push_str(&format!(
            "| {} | `{}` | {} |\n",
            row.runbook,
            row.port,
            row.cells.join(" | ")
        ));
    }
    out
}

/// Checks the README's table against `rows`; rewrites it with `UPDATE_GOLDEN=1`.
pub(crate) fn check_readme(rows: &[Row], faults: &[&str]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let table = render(rows, faults);
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md has no fault-matrix markers ({START} … {END})");
    };
    let current = &readme[start + START.len()..end];
    let wanted = format!("\n{table}");
    if current == wanted {
        return;
    }
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let updated = format!("{}{START}{wanted}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    panic!(
        "README.md's fault matrix is stale; run with UPDATE_GOLDEN=1 to rewrite it. Now:\n{table}"
    );
}
