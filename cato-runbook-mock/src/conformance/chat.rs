//! What runbooks rely on from [`Chat`]: a thread per incident.

use cato_runbook_core::ErrorKind;
use cato_runbook_core::ports::{Chat, ChatMessage};

use super::{CheckResult, During, ensure, refused, run_checks};

/// Where the checks post.
#[derive(Debug, Clone)]
pub struct ChatFixture {
    /// A channel that exists, e.g. `#cato-incident`.
    pub channel: String,
    /// A channel that does not.
    pub missing_channel: String,
}

fn message(channel: &str, text: &str, thread: Option<String>) -> ChatMessage {
    ChatMessage {
        channel: channel.into(),
        text: text.into(),
        thread,
        key: None,
    }
}

/// A post without a thread starts one; a reply stays in it; another post starts another.
pub async fn threads(port: &dyn Chat, fixture: &ChatFixture) -> CheckResult {
    const CHECK: &str = "chat.threads";
    let first = port
        .post(&message(
            &fixture.channel,
            "conformance: incident opened",
            None,
        ))
        .await
        .during(CHECK)?;
    ensure(!first.thread.is_empty(), CHECK, || format!("{first:?}"))?;
    ensure(
        first.channel.trim_start_matches('#') == fixture.channel.trim_start_matches('#'),
        CHECK,
        || format!("posted to {:?}", first.channel),
    )?;
    let reply = port
        .post(&message(
            &fixture.channel,
            "conformance: step applied",
            Some(first.thread.clone()),
        ))
        .await
        .during(CHECK)?;
    ensure(reply.thread == first.thread, CHECK, || {
        format!("reply left the thread: {reply:?}")
    })?;
    let other = port
        .post(&message(
            &fixture.channel,
            "conformance: another incident",
            None,
        ))
        .await
        .during(CHECK)?;
    ensure(other.thread != first.thread, CHECK, || {
        "two new posts share a thread".into()
    })
}

/// An unknown channel is `NotFound`; an empty message is invalid input.
pub async fn refuses_bad_posts(port: &dyn Chat, fixture: &ChatFixture) -> CheckResult {
    const CHECK: &str = "chat.refuses_bad_posts";
    refused(
        port.post(&message(&fixture.missing_channel, "hello", None))
            .await,
        CHECK,
        &[ErrorKind::NotFound],
    )?;
    refused(
        port.post(&message(&fixture.channel, "", None)).await,
        CHECK,
        &[ErrorKind::InvalidInput],
    )
}

/// Every check.
pub async fn run_all(port: &dyn Chat, fixture: &ChatFixture) -> CheckResult {
    run_checks!(port, fixture; threads, refuses_bad_posts)
}
