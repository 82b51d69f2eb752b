//! The tables as markdown, each kept in the README between two markers.

use std::path::Path;

/// A table's markers in the README.
pub(crate) struct Section {
    name: &'static str,
    start: &'static str,
    end: &'static str,
}

/// The fault matrix.
pub(crate) const FAULT_MATRIX: Section = Section {
    name: "fault matrix",
    start: "<!-- fault-matrix:start (written by cato-runbook-mock/tests/fault_matrix) -->",
    end: "<!-- fault-matrix:end -->",
};

/// The step faults beside another incident.
pub(crate) const STEP_FAULTS: Section = Section {
    name: "step faults",
    start: "<!-- step-faults:start (written by cato-runbook-mock/tests/fault_matrix/steps.rs) -->",
    end: "<!-- step-faults:end -->",
};

/// One row: a runbook, what its second column names (a port, a phase), and a cell per column.
pub(crate) struct Row {
    pub(crate) runbook: String,
    pub(crate) port: String,
    pub(crate) cells: Vec<String>,
}

/// The table with the fault matrix's first two columns.
pub(crate) fn render(rows: &[Row], faults: &[&str]) -> String {
    let columns: Vec<String> = faults.iter().map(|f| (*f).to_owned()).collect();
    render_with(&["runbook", "port"], &columns, rows)
}

/// The table: `first` names the two leading columns, the second of which is code.
pub(crate) fn render_with(first: &[&str; 2], columns: &[String], rows: &[Row]) -> String {
    let mut out = format!(
        "| {} | {} | {} |\n",
        first[0],
        first[1],
        columns.join(" | ")
    );
    out.push_str(&format!(
        "| --- | --- |{}\n",
        " --- |".repeat(columns.len())
    ));
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

/// Checks the README's table of `section` against `table`; rewrites it with `UPDATE_GOLDEN=1`.
pub(crate) fn check_section(section: Section, table: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let Section { name, start, end } = section;
    let (Some(from), Some(to)) = (readme.find(start), readme.find(end)) else {
        panic!("README.md has no {name} markers ({start} … {end})");
    };
    let current = &readme[from + start.len()..to];
    let wanted = format!("\n{table}");
    if current == wanted {
        return;
    }
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let updated = format!("{}{start}{wanted}{}", &readme[..from], &readme[to..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    panic!(
        "README.md's {name} table is stale; run with UPDATE_GOLDEN=1 to rewrite it. Now:\n{table}"
    );
}

/// Checks the README's fault matrix against `rows`.
pub(crate) fn check_readme(rows: &[Row], faults: &[&str]) {
    check_section(FAULT_MATRIX, &render(rows, faults));
}
