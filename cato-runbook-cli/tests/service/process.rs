//! Starting `cato-runbook run`, waiting for its ready line, scraping it, and stopping it.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub(crate) const VIEWER: &str = "viewer-token-1";
pub(crate) const RESPONDER: &str = "responder-token-1";
pub(crate) const ADMIN: &str = "admin-token-1";
pub(crate) const WEBHOOK_SECRET: &str = "pd-webhook-secret";

/// The service, running.
pub(crate) struct Running {
    child: Child,
    stdout: BufReader<std::process::ChildStdout>,
    pub(crate) url: String,
    pub(crate) banner: String,
}

fn sha256(token: &str) -> String {
    cato_runbook_aws::service::hash_token(token)
}

fn config(dir: &Path) -> String {
    format!(
        r#"
[engine]
tick_interval = "1h"
lease_ttl = "3h"
open_after = 1

[policy]
mode = "auto"

[store]
path = "{store}"

[lease]
replica = "orchestrator-0"

[service]
public_status = true
[service.pagerduty]
secrets_env = ["TEST_PD_WEBHOOK_SECRET"]
[[service.tokens]]
name = "vera"
role = "viewer"
sha256 = "{viewer}"
[[service.tokens]]
name = "rosa"
role = "responder"
sha256 = "{responder}"
[[service.tokens]]
name = "ada"
role = "admin"
sha256 = "{admin}"
"#,
        store = dir.join("incidents.db").display(),
        viewer = sha256(VIEWER),
        responder = sha256(RESPONDER),
        admin = sha256(ADMIN),
    )
}

impl Running {
    /// Starts the service on a free port with the store in `dir`; returns once it says ready
    /// (its first tick finished).
    pub(crate) fn start(dir: &Path) -> Running {
        Self::start_with(dir, "", &[], &[])
    }

    /// As [`start`](Self::start), with more configuration, `run` flags and environment.
    pub(crate) fn start_with(
        dir: &Path,
        more: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Running {
        let path = dir.join("cato.toml");
        std::fs::write(&path, format!("{}\n{more}", config(dir))).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_cato-runbook"))
            .arg("--config")
            .arg(&path)
            .args(["run", "--listen", "127.0.0.1:0"])
            .args(args)
            .env("TEST_PD_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .envs(env.iter().copied())
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().map(BufReader::new);
        // From here on a panic kills the child (Drop).
        let mut running = Running {
            child,
            stdout: stdout.unwrap(),
            url: String::new(),
            banner: String::new(),
        };
        loop {
            let mut line = String::new();
            let read = running.stdout.read_line(&mut line).unwrap();
            assert!(
                read > 0,
                "the service ended before it was ready: {}",
                running.banner
            );
            running.banner.push_str(&line);
            if let Some(rest) = line.strip_prefix("ready: listening on ") {
                running.url = rest.split_whitespace().next().unwrap().to_owned();
                return running;
            }
        }
    }

    /// SIGTERM; waits for a clean exit and returns what it printed after ready.
    pub(crate) fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "exit {status}: {rest}");
        rest
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// `GET path` over plain HTTP/1.0; the body.
pub(crate) fn scrape(url: &str, path: &str) -> String {
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
        "{head}"
    );
    if path == "/metrics" {
        // Prometheus text: every sample line is `name{labels} value` with a number.
        for line in body
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "not a sample: {line}");
        }
    }
    body.to_owned()
}

/// `POST path` with `body` and extra headers over plain HTTP/1.0; the status code.
pub(crate) fn post(url: &str, path: &str, body: &str, headers: &[(&str, &str)]) -> u16 {
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    write!(
        stream,
        "POST {path} HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply.split(' ').nth(1).unwrap().parse().unwrap()
}
