//! Finding a post whose answer was lost: the channel's id (`conversations.list`), then its
//! recent messages (`conversations.history`, or a thread's `conversations.replies`), matched by
//! the idempotency key the post carried as metadata.

use cato_runbook_core::ports::ChatMessage;
use cato_runbook_core::{Error, ErrorKind, Result};
use reqwest::Method;
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::{NOTICE_EVENT, PROVIDER, Slack, checked_ts, errors};

/// At most this many pages of channels are read to find a channel's id.
const MAX_PAGES: usize = 10;
/// The longest channel id taken (Slack's are 9 to 11 characters).
const MAX_ID: usize = 32;
/// The longest page cursor taken (Slack's are a few dozen characters of base64).
const MAX_CURSOR: usize = 1_000;

/// `conversations.list`'s answer: a page of the workspace's channels.
#[derive(Deserialize)]
pub(crate) struct Channels {
    ok: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    channels: Vec<Channel>,
    #[serde(default)]
    response_metadata: Option<Cursor>,
}

/// What a page of channels says of the one looked for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// Its id.
    Found(String),
    /// Not on this page: the cursor of the next one.
    Next(String),
    /// Not among the channels the bot can see.
    Absent,
}

#[derive(Deserialize)]
struct Channel {
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct Cursor {
    #[serde(default)]
    next_cursor: String,
}

/// `conversations.history`'s (or a thread's `conversations.replies`') answer: the newest
/// messages first.
#[derive(Deserialize)]
pub(crate) struct Messages {
    ok: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    messages: Vec<Message>,
}

#[derive(Deserialize)]
struct Message {
    ts: String,
    #[serde(default)]
    metadata: Option<serde_json::Value>,
}

impl Messages {
    /// The `ts` of the newest message that carries `key` in the notice's metadata, `None` when
    /// no message does (a message whose metadata is anything else is not the post); or the
    /// error the answer says: Slack's error code as a core error, or a `ts` of that message
    /// that is not a Slack message ts (it would become the incident's thread).
    pub(crate) fn posted(
        self,
        operation: &'static str,
        channel: &str,
        key: &str,
        credential: &str,
    ) -> Result<Option<String>> {
        if !self.ok {
            return Err(errors::refusal(
                PROVIDER, operation, channel, self.error, credential,
            ));
        }
        let Some(found) = self.messages.into_iter().find(|m| {
            m.metadata.as_ref().is_some_and(|meta| {
                meta["event_type"] == NOTICE_EVENT && meta["event_payload"]["key"] == key
            })
        }) else {
            return Ok(None);
        };
        checked_ts(found.ts).map(Some).map_err(|why| {
            Error::new(ErrorKind::MalformedResponse, operation, why)
                .with_provider(PROVIDER)
                .with_resource(channel)
        })
    }
}

impl Channels {
    /// The id of the channel named `name` (without its `#`) if this page has it, else where
    /// the next page is; or Slack's refusal as a core error, or an id that is not a channel
    /// id or a cursor that is not one (each becomes part of the next request's query).
    pub(crate) fn lookup(self, name: &str, credential: &str) -> Result<Lookup> {
        const OP: &str = "conversations.list";
        let malformed = |why: String| {
            Error::new(ErrorKind::MalformedResponse, OP, why)
                .with_provider(PROVIDER)
                .with_resource(name)
        };
        if !self.ok {
            return Err(errors::refusal(PROVIDER, OP, name, self.error, credential));
        }
        if let Some(channel) = self.channels.into_iter().find(|c| c.name == name) {
            let sound = (1..=MAX_ID).contains(&channel.id.len())
                && channel.id.starts_with(['C', 'G'])
                && channel
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            if !sound {
                let shown: String = channel.id.chars().take(MAX_ID).collect();
                return Err(malformed(format!(
                    "channel id {shown:?} is not a Slack channel id (C or G, then capitals \
                     and digits)"
                )));
            }
            return Ok(Lookup::Found(channel.id));
        }
        let cursor = self
            .response_metadata
            .map(|m| m.next_cursor)
            .unwrap_or_default();
        if cursor.is_empty() {
            return Ok(Lookup::Absent);
        }
        let sound = cursor.len() <= MAX_CURSOR
            && cursor
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b));
        if !sound {
            let shown: String = cursor.chars().take(40).collect();
            return Err(malformed(format!(
                "next_cursor {shown:?} is not a Slack cursor (base64, at most {MAX_CURSOR} \
                 characters)"
            )));
        }
        Ok(Lookup::Next(cursor))
    }
}

/// A cursor or id in a query string (Slack's cursors are base64).
fn encoded(value: &str) -> String {
    value
        .replace('%', "%25")
        .replace('=', "%3D")
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('&', "%26")
}

impl Slack {
    /// The `ts` of `message` if Slack holds it (a post carrying its key as metadata); `None`
    /// when it is not there or cannot be looked up (logged with why).
    pub(super) async fn find_posted(&self, message: &ChatMessage) -> Option<String> {
        let key = message.key.as_ref()?;
        match self.look_for(message, key.as_str()).await {
            Ok(ts) => ts,
            Err(error) => {
                tracing::warn!(
                    provider = PROVIDER,
                    %error,
                    "the channel's messages could not be read"
                );
                None
            }
        }
    }

    async fn look_for(&self, message: &ChatMessage, key: &str) -> Result<Option<String>> {
        let Some(channel) = self.channel_id(&message.channel).await? else {
            return Ok(None);
        };
        let (operation, path) = match &message.thread {
            Some(thread) => (
                "conversations.replies",
                format!(
                    "/api/conversations.replies?channel={}&ts={}&limit=200\
                     &include_all_metadata=true",
                    encoded(&channel),
                    encoded(thread)
                ),
            ),
            None => (
                "conversations.history",
                format!(
                    "/api/conversations.history?channel={}&limit=100&include_all_metadata=true",
                    encoded(&channel)
                ),
            ),
        };
        self.read::<Messages>(operation, &path).await?.posted(
            operation,
            &channel,
            key,
            self.transport.credential(),
        )
    }

    /// A channel's id: itself when it is one, else looked up by name.
    async fn channel_id(&self, channel: &str) -> Result<Option<String>> {
        let name = channel.trim_start_matches('#');
        if !channel.starts_with('#') && name.starts_with(['C', 'G']) && !name.contains('-') {
            return Ok(Some(name.to_owned()));
        }
        let mut cursor = String::new();
        for _ in 0..MAX_PAGES {
            let path = format!(
                "/api/conversations.list?types=public_channel,private_channel&limit=1000\
                 &exclude_archived=true&cursor={}",
                encoded(&cursor)
            );
            let page: Channels = self.read("conversations.list", &path).await?;
            match page.lookup(name, self.transport.credential())? {
                Lookup::Found(id) => return Ok(Some(id)),
                Lookup::Next(next) => cursor = next,
                Lookup::Absent => break,
            }
        }
        Ok(None)
    }

    /// One read of the Web API (a `GET`, retried as any read).
    async fn read<T: serde::de::DeserializeOwned>(
        &self,
        operation: &'static str,
        path: &str,
    ) -> Result<T> {
        let t = &self.transport;
        let build = || {
            Ok(t.request(Method::GET, path)?
                .bearer_auth(self.token.expose_secret()))
        };
        t.call_json(operation, "history", build).await
    }
}
