//! Slack's Web API as the [`Chat`] port: `chat.postMessage` with a bot token.
//!
//! `POST /api/chat.postMessage` with `Authorization: Bearer xoxb-…` and
//! `{"channel": "#cato-incident", "text": "…", "thread_ts": "…"}` (`thread_ts` only for a reply).
//! Slack answers 200 with `{"ok": true, "channel": "C…", "ts": "1712345678.000100"}`; a new
//! message's `ts` is its thread, so one incident keeps one thread: the first post starts it
//! and every update passes that [`Posted::thread`] back. Failures come as
//! `{"ok": false, "error": "channel_not_found"}` (mapped below) or as HTTP 429 with
//! `Retry-After` (retried).

pub(crate) mod auth;
mod errors;
pub(crate) mod history;

use std::fmt;

use async_trait::async_trait;
use cato_runbook_core::ports::{Chat, ChatMessage, Posted};
use cato_runbook_core::{Error, ErrorKind, Result};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::http::Transport;
use cato_runbook_core::call::Failure;

const PROVIDER: &str = "slack";
const POST_MESSAGE: &str = "/api/chat.postMessage";
/// Slack's Web API.
pub const DEFAULT_BASE_URL: &str = crate::defaults::SLACK_BASE_URL;

/// Slack, posting as a bot.
///
/// # Examples
///
/// ```
/// use cato_runbook_aws::slack::{DEFAULT_BASE_URL, Slack};
/// use cato_runbook_aws::secrecy::SecretString;
///
/// let slack = Slack::new(reqwest::Client::new(), DEFAULT_BASE_URL, SecretString::from("xoxb-secret"))?;
/// assert_eq!(slack.to_string(), "slack (https://slack.com/)");
/// assert!(!format!("{slack:?}").contains("xoxb-secret"));
/// # Ok::<(), cato_runbook_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Slack {
    transport: Transport,
    token: SecretString,
}

impl Slack {
    /// Slack's Web API at `base_url` ([`DEFAULT_BASE_URL`]), posting with the bot `token`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` when `base_url` is not an absolute `http(s)` URL.
    pub fn new(client: reqwest::Client, base_url: &str, token: SecretString) -> Result<Self> {
        Ok(Slack {
            transport: Transport::new(PROVIDER, client, base_url)?,
            token,
        })
    }
}

#[derive(Serialize)]
struct PostMessage<'a> {
    channel: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    thread_ts: Option<&'a str>,
    /// The message's idempotency key, as Slack message metadata: a post whose answer was
    /// lost can be found in the channel's history by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<Metadata<'a>>,
}

/// Slack's message metadata: an event type and a payload.
#[derive(Serialize)]
struct Metadata<'a> {
    event_type: &'static str,
    event_payload: KeyPayload<'a>,
}

#[derive(Serialize)]
struct KeyPayload<'a> {
    key: &'a str,
}

/// The metadata event type of the posts this provider makes.
const NOTICE_EVENT: &str = "cato_runbook_notice";

/// `chat.postMessage`'s answer.
#[derive(Deserialize)]
pub(crate) struct Answer {
    ok: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    ts: Option<String>,
}

/// The longest message `ts` taken: Slack's are epoch seconds, a dot and six digits.
const MAX_TS: usize = 32;

impl Answer {
    /// The posted message's `ts`, or the error the answer says: Slack's error code as a core
    /// error, an ok answer without a `ts`, or a `ts` that is not `digits.digits` (at most
    /// [`MAX_TS`] characters), which would become the incident's thread.
    pub(crate) fn posted(
        self,
        operation: &'static str,
        channel: &str,
        credential: &str,
    ) -> Result<String> {
        if !self.ok {
            return Err(errors::refusal(
                PROVIDER, operation, channel, self.error, credential,
            ));
        }
        let malformed = |why: String| {
            Error::new(ErrorKind::MalformedResponse, operation, why)
                .with_provider(PROVIDER)
                .with_resource(channel)
        };
        let ts = self
            .ts
            .filter(|ts| !ts.is_empty())
            .ok_or_else(|| malformed("an ok answer without a message ts".to_owned()))?;
        checked_ts(ts).map_err(malformed)
    }
}

/// `ts` when it is a Slack message ts (`digits.digits`, at most [`MAX_TS`] characters), else
/// why not, naming the field and at most [`MAX_TS`] characters of it.
fn checked_ts(ts: String) -> std::result::Result<String, String> {
    let sound = ts.len() <= MAX_TS
        && ts.split_once('.').is_some_and(|(secs, frac)| {
            !secs.is_empty()
                && !frac.is_empty()
                && secs.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        });
    if sound {
        Ok(ts)
    } else {
        let shown: String = ts.chars().take(MAX_TS).collect();
        Err(format!(
            "ts {shown:?} is not a Slack message ts (seconds.digits)"
        ))
    }
}

#[async_trait]
impl Chat for Slack {
    async fn post(&self, message: &ChatMessage) -> Result<Posted> {
        const OP: &str = "chat.postMessage";
        let channel = message.channel.as_str();
        if message.text.trim().is_empty() {
            return Err(Error::invalid_input(OP, "a message needs text")
                .with_provider(PROVIDER)
                .with_resource(channel));
        }
        let body = PostMessage {
            channel,
            text: &message.text,
            thread_ts: message.thread.as_deref(),
            metadata: message.key.as_ref().map(|key| Metadata {
                event_type: NOTICE_EVENT,
                event_payload: KeyPayload { key: key.as_str() },
            }),
        };
        tracing::info!(provider = PROVIDER, channel, thread = ?message.thread, "posting to Slack");
        let t = &self.transport;
        let build = || {
            Ok(t.request(Method::POST, POST_MESSAGE)?
                .bearer_auth(self.token.expose_secret())
                .json(&body))
        };
        let posted = t
            .post_once(OP, channel, build, |reply| {
                let answer: Answer = t.json(OP, channel, &reply)?;
                answer
                    .posted(OP, channel, t.credential())
                    .map_err(Failure::from)
            })
            .await;
        let ts = match posted {
            Ok(ts) => ts,
            // Sent, answer lost: Slack's history says whether it landed.
            Err(err) if err.kind() == ErrorKind::DeliveryUnknown => {
                match self.find_posted(message).await {
                    Some(ts) => {
                        tracing::info!(
                            provider = PROVIDER,
                            channel,
                            "the lost post is in the channel"
                        );
                        ts
                    }
                    None => return Err(err),
                }
            }
            Err(err) => return Err(err),
        };
        Ok(Posted {
            channel: message.channel.clone(),
            thread: message.thread.clone().unwrap_or(ts),
        })
    }
}

crate::http::http_options!(Slack);

impl fmt::Display for Slack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PROVIDER} ({})", self.transport.base_str())
    }
}
