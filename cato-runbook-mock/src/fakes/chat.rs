//! The chat fake (Slack).

use async_trait::async_trait;
use cato_runbook_core::ports::{Chat, ChatMessage, Posted};
use cato_runbook_core::{Error, Result};
use serde_json::json;

use super::FakeChat;
use crate::ops::Op;
use crate::world::{ChatRecord, Reply};

const PROVIDER: &str = "fake-slack";
/// Slack truncates messages beyond this many characters.
const MAX_TEXT: usize = 40_000;

/// `#name` for `name` or `#name`.
fn channel_name(channel: &str) -> String {
    format!("#{}", channel.trim_start_matches('#'))
}

#[async_trait]
impl Chat for FakeChat {
    async fn post(&self, message: &ChatMessage) -> Result<Posted> {
        let op = Op::ChatPost;
        let args =
            json!({ "channel": message.channel, "text": message.text, "thread": message.thread });
        // The key is recorded, never used to drop a repeat: Slack posts a repeat again.
        self.world
            .call(op, PROVIDER, args, message.key.as_ref(), |sim, now| {
                let channel = channel_name(&message.channel);
                let known = &sim.config.chat.channels;
                if message.channel.trim_start_matches('#').is_empty()
                    || (!known.is_empty() && !known.iter().any(|c| channel_name(c) == channel))
                {
                    return Err(Error::not_found(op.as_str(), channel)
                        .with_source(std::io::Error::other("channel_not_found")));
                }
                if message.text.trim().is_empty() {
                    return Err(Error::invalid_input(
                        op.as_str(),
                        "no_text: the message is empty",
                    ));
                }
                if let Some(thread) = &message.thread
                    && !sim
                        .records
                        .chat
                        .iter()
                        .any(|m| &m.ts == thread && m.channel == channel)
                {
                    return Err(Error::not_found(
                        op.as_str(),
                        format!("{channel} thread {thread}"),
                    )
                    .with_source(std::io::Error::other("thread_not_found")));
                }
                sim.records.chat_seq += 1;
                let ts = format!(
                    "{}.{:06}",
                    now.timestamp(),
                    sim.records.chat_seq % 1_000_000
                );
                let thread = message.thread.clone().unwrap_or_else(|| ts.clone());
                sim.records.chat.push(ChatRecord {
                    channel: channel.clone(),
                    thread: thread.clone(),
                    ts,
                    text: message.text.chars().take(MAX_TEXT).collect(),
                    at: now,
                });
                Ok(Reply::new(Posted { channel, thread }))
            })
            .await
    }
}
