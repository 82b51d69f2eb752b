//! One request to the operator API at `--server`, its reply printed.

use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use serde_json::{Map, Value, json};

use super::args::{ClientCommand, DeclareArgs, ServerArgs};
use super::render::{self, Reply, chain};
use crate::exit::Failure;
use crate::output::Out;

/// How long one request may take, from connecting to the reply's last byte.
const TIMEOUT: Duration = Duration::from_secs(30);

/// One request to the operator API.
#[derive(Debug, PartialEq)]
struct Request {
    /// GET, or POST with a JSON body.
    method: Method,
    /// The path's segments after the base URL, not yet encoded.
    path: Vec<String>,
    /// The JSON body of a POST.
    body: Option<Value>,
    /// What the reply holds.
    reply: Reply,
}

impl Request {
    /// A GET of `path`.
    fn get(path: &[&str], reply: Reply) -> Self {
        let path = path.iter().map(|s| (*s).to_owned()).collect();
        Request {
            method: Method::GET,
            path,
            body: None,
            reply,
        }
    }

    /// A POST of `body` to `path`.
    fn post(path: &[&str], body: Value, reply: Reply) -> Self {
        Request {
            method: Method::POST,
            body: Some(body),
            ..Request::get(path, reply)
        }
    }

    /// A POST of `body` to `/api/incidents/{id}/{action}`.
    fn action(id: &str, action: &str, body: Value) -> Result<Self, Failure> {
        let path = ["api", "incidents", segment("incident id", id)?, action];
        Ok(Request::post(&path, body, Reply::Incident))
    }
}

/// Runs a client subcommand: one request, its reply printed.
pub(crate) fn run(
    out: &mut Out,
    server: &ServerArgs,
    command: &ClientCommand,
) -> Result<(), Failure> {
    let request = request(command)?;
    let url = url(&server.server, &request.path)?;
    let token = token(&server.token_env)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start a runtime: {e}")))?;
    let (status, value) = runtime.block_on(send(server, &token, url, &request))?;
    if out.json {
        return out.json(&value);
    }
    if matches!(command, ClientCommand::Declare(_)) && status == StatusCode::OK {
        out.line("An incident was already open on this runbook and resource; it is shown.")?;
    }
    render::reply(out, request.reply, &value)
}

/// The bearer token in the environment variable `var`.
fn token(var: &str) -> Result<String, Failure> {
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => Ok(value.trim().to_owned()),
        _ => Err(Failure::usage(format!(
            "the environment variable {var} does not hold the service's bearer token \
             (set it, or name another variable with --token-env)"
        ))),
    }
}

/// The request a subcommand makes.
fn request(command: &ClientCommand) -> Result<Request, Failure> {
    use ClientCommand as C;
    Ok(match command {
        C::Status => Request::get(&["api", "status"], Reply::Status),
        C::Incidents => Request::get(&["api", "incidents"], Reply::Incidents),
        C::Show { id } => Request::get(
            &["api", "incidents", segment("incident id", id)?],
            Reply::Incident,
        ),
        C::Ack { id } => Request::action(id, "ack", json!({}))?,
        C::Approve { id, step } => {
            Request::action(id, "approve", json!({ "step": segment("step", step)? }))?
        }
        C::Deny { id, step, reason } => {
            let body = json!({ "step": segment("step", step)?, "reason": reason });
            Request::action(id, "deny", body)?
        }
        C::Note { id, text } => Request::action(id, "notes", json!({ "text": text }))?,
        C::Resolve { id, reason } => Request::action(id, "resolve", json!({ "reason": reason }))?,
        C::Tam { id, reason } => Request::action(id, "tam", json!({ "reason": reason }))?,
        C::Close { id, postmortem } => {
            let url = postmortem_url(postmortem)?;
            Request::action(id, "postmortem", json!({ "url": url }))?
        }
        C::Declare(args) => {
            Request::post(&["api", "incidents"], declare_body(args)?, Reply::Incident)
        }
        C::Halt { reason } => {
            Request::post(&["api", "halt"], json!({ "reason": reason }), Reply::Status)
        }
        C::Resume => Request::post(&["api", "resume"], json!({}), Reply::Status),
    })
}

/// Where the postmortem is: a URL as given; a local file (no `scheme://`) as the `file://` URL
/// of its absolute path, which must exist.
fn postmortem_url(given: &str) -> Result<String, Failure> {
    if given.contains("://") {
        return Ok(given.to_owned());
    }
    let path = std::path::Path::new(given);
    let absolute = std::fs::canonicalize(path).map_err(|e| {
        Failure::usage(format!(
            "--postmortem {given}: neither a URL nor a readable file: {e}"
        ))
    })?;
    if !absolute.is_file() {
        return Err(Failure::usage(format!("--postmortem {given}: not a file")));
    }
    Ok(format!("file://{}", absolute.display()))
}

/// `value` as one path segment: not blank, and not `.` or `..` (which URLs drop).
fn segment<'a>(what: &str, value: &'a str) -> Result<&'a str, Failure> {
    if value.trim().is_empty() || value == "." || value == ".." {
        return Err(Failure::usage(format!("{value:?} is not a valid {what}")));
    }
    Ok(value)
}

/// The body of `POST /api/incidents`; blank strings count as not given.
fn declare_body(args: &DeclareArgs) -> Result<Value, Failure> {
    /// The trimmed text, unless blank.
    fn given(value: Option<&str>) -> Option<&str> {
        value.map(str::trim).filter(|s| !s.is_empty())
    }
    let (runbook, title) = (given(args.runbook.as_deref()), given(args.title.as_deref()));
    if runbook.is_none() && title.is_none() {
        return Err(Failure::usage(
            "declare needs a runbook (see `cato-runbook runbooks`) or a --title",
        ));
    }
    if !(0.0..=1.0).contains(&args.share) {
        return Err(Failure::usage(format!(
            "--share is the share of users affected, from 0 to 1, not {}",
            args.share
        )));
    }
    let mut impact = Map::new();
    impact.insert("affected_share".into(), json!(args.share));
    impact.insert("complete_outage".into(), json!(args.outage));
    impact.insert("user_visible".into(), json!(args.user_visible));
    if let Some(users) = args.users {
        impact.insert("users_affected".into(), json!(users));
    }
    let mut body = Map::new();
    let fields = [
        ("runbook", runbook),
        ("resource", given(args.resource.as_deref())),
        ("title", title),
        ("source", given(args.source.as_deref())),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            body.insert(key.into(), json!(value));
        }
    }
    body.insert("impact".into(), Value::Object(impact));
    Ok(Value::Object(body))
}

/// The request's URL: the base, then each segment percent-encoded (a `/` in an id included).
fn url(base: &str, segments: &[String]) -> Result<Url, Failure> {
    let mut url = Url::parse(base.trim())
        .map_err(|e| Failure::usage(format!("--server {base} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Failure::usage(format!(
            "--server {base} is not an http(s) URL"
        )));
    }
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|()| Failure::usage(format!("--server {base} cannot be a base URL")))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

/// Sends the request: a 2xx reply's status and JSON (`null` when empty), or the failure.
async fn send(
    server: &ServerArgs,
    token: &str,
    url: Url,
    request: &Request,
) -> Result<(StatusCode, Value), Failure> {
    let base = &server.server;
    let client = reqwest::Client::builder()
        .user_agent(concat!("cato-runbook/", env!("CARGO_PKG_VERSION")))
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| Failure::runtime(format!("cannot make an HTTP client: {}", chain(&e))))?;
    let mut builder = client
        .request(request.method.clone(), url)
        .bearer_auth(token);
    if let Some(body) = &request.body {
        builder = builder.json(body);
    }
    let response = builder.send().await.map_err(|e| {
        if e.is_builder() {
            Failure::usage(format!("cannot make the request: {}", chain(&e)))
        } else if e.is_timeout() {
            let secs = TIMEOUT.as_secs();
            Failure::runtime(format!(
                "the service at {base} did not answer within {secs} s"
            ))
        } else {
            Failure::runtime(format!("cannot reach the service at {base}: {}", chain(&e)))
        }
    })?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| Failure::runtime(format!("cannot read the reply of {base}: {}", chain(&e))))?;
    if !status.is_success() {
        let mut failure = render::failure(status, &text);
        if status == StatusCode::UNAUTHORIZED {
            let var = &server.token_env;
            failure
                .message
                .push_str(&format!(" (the token is read from ${var})"));
        }
        return Err(failure);
    }
    if text.trim().is_empty() {
        return Ok((status, Value::Null));
    }
    let value = serde_json::from_str(&text).map_err(|e| {
        Failure::runtime(format!(
            "the service at {base} sent a reply that is not JSON: {e}"
        ))
    })?;
    Ok((status, value))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    /// The client subcommands as a command line of their own.
    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        server: ServerArgs,
        #[command(subcommand)]
        command: ClientCommand,
    }

    /// The request a command line makes.
    fn parse(args: &[&str]) -> Result<Request, Failure> {
        let line = std::iter::once("cato-runbook").chain(args.iter().copied());
        let cli = Cli::try_parse_from(line).map_err(|e| Failure::usage(e.to_string()))?;
        request(&cli.command)
    }

    #[test]
    fn the_command_line_is_consistent() -> Result<(), clap::Error> {
        <Cli as clap::CommandFactory>::command().debug_assert();
        let cli = Cli::try_parse_from(["cato-runbook", "status", "--server", "http://ops:1"])?;
        assert_eq!(cli.server.server, "http://ops:1");
        assert_eq!(cli.server.token_env, "CATO_RUNBOOK_TOKEN");
        Ok(())
    }

    #[test]
    fn declare_sends_the_impact_and_only_what_was_given() -> Result<(), Failure> {
        let request = parse(&[
            "declare",
            "api-latency",
            "--share",
            "0.25",
            "--user-visible",
            "--users",
            "1200",
            "--source",
            "user report",
        ])?;
        assert_eq!(request.method, Method::POST);
        assert_eq!(request.path, ["api", "incidents"]);
        let expected = json!({
            "runbook": "api-latency",
            "source": "user report",
            "impact": {"affected_share": 0.25, "complete_outage": false, "user_visible": true,
                "users_affected": 1200},
        });
        assert_eq!(request.body, Some(expected));
        let titled = parse(&["declare", "--title", "checkout fails", "--outage"])?;
        let expected = json!({
            "title": "checkout fails",
            "impact": {"affected_share": 1.0, "complete_outage": true, "user_visible": false},
        });
        assert_eq!(titled.body, Some(expected));
        Ok(())
    }

    #[test]
    fn close_takes_a_url_or_a_local_file() -> Result<(), Failure> {
        let request = parse(&["close", "INC-1", "--postmortem", "https://wiki/pm/1"])?;
        assert_eq!(request.body, Some(json!({"url": "https://wiki/pm/1"})));
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("pm.md");
        std::fs::write(&file, "# Incident Post-Mortem: x\n")?;
        let shown = file.display().to_string();
        let request = parse(&["close", "INC-1", "--postmortem", &shown])?;
        let url = format!("file://{}", std::fs::canonicalize(&file)?.display());
        assert_eq!(request.body, Some(json!({ "url": url })));
        let missing = parse(&["close", "INC-1", "--postmortem", "no/such/pm.md"]).err();
        assert_eq!(missing.map(|f| f.code), Some(crate::exit::USAGE));
        Ok(())
    }

    #[test]
    fn declare_needs_a_runbook_or_a_title_and_a_share_in_range() {
        let cases: [&[&str]; 3] = [
            &["declare"],
            &["declare", "--title", "  "],
            &["declare", "x", "--share", "1.5"],
        ];
        for args in cases {
            let failure = parse(args).err();
            assert_eq!(
                failure.map(|f| f.code),
                Some(crate::exit::USAGE),
                "{args:?}"
            );
        }
    }

    #[test]
    fn path_segments_are_encoded() -> Result<(), Failure> {
        let request = parse(&["approve", "INC 1/2", "scale-up?now"])?;
        assert_eq!(request.body, Some(json!({"step": "scale-up?now"})));
        let approve = url("https://ops.example.com/cato/", &request.path)?;
        let expected = "https://ops.example.com/cato/api/incidents/INC%201%2F2/approve";
        assert_eq!(approve.as_str(), expected);
        let request = parse(&["deny", "INC-7", "failover", "--reason", "risky"])?;
        assert_eq!(
            request.body,
            Some(json!({"step": "failover", "reason": "risky"}))
        );
        let deny = url("http://127.0.0.1:8080", &request.path)?;
        assert_eq!(
            deny.as_str(),
            "http://127.0.0.1:8080/api/incidents/INC-7/deny"
        );
        assert!(parse(&["show", ".."]).is_err());
        assert!(url("ftp://example.com", &[]).is_err());
        Ok(())
    }
}
