//! The status page in Debian's headless Chromium: it loads, shows the live incident, and its
//! screenshot is not blank.

use std::path::Path;
use std::process::Command;

use cato_runbook_mock::peers;

const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,900",
];

fn chromium(dir: &Path, args: &[String]) -> Option<std::process::Output> {
    let browser = peers::find_or_skip("CATO_TEST_CHROMIUM")?;
    let profile = tempfile::tempdir_in(dir).unwrap();
    Some(
        Command::new(browser)
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(args)
            .output()
            .unwrap(),
    )
}

/// Loads the page at `url`: its DOM names `incident`, and its screenshot has more than one
/// colour.
pub(crate) fn shows(url: &str, incident: &str, dir: &Path) {
    let Some(dom) = chromium(dir, &["--dump-dom".into(), format!("{url}/")]) else {
        return;
    };
    let html = String::from_utf8_lossy(&dom.stdout);
    assert!(
        html.contains(incident),
        "the page does not show {incident}: {html}"
    );
    assert!(html.contains("users report blank answers"), "{html}");

    let shot = dir.join("status.png");
    let Some(out) = chromium(
        dir,
        &[
            format!("--screenshot={}", shot.display()),
            format!("{url}/"),
        ],
    ) else {
        return;
    };
    assert!(
        shot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let pixels = &pixels[..frame.buffer_size()];
    let step = frame.color_type.samples();
    let first = &pixels[..step];
    let differing = pixels.chunks(step).filter(|p| *p != first).count();
    assert!(
        differing > pixels.len() / step / 100,
        "the screenshot is blank: {differing} pixels differ from the first"
    );
}
