//! Judging `chat_posts`: the messages chat took, from the call record.

use super::judge::verdict;
use super::{Expectation, Outcome, Verdict};
use crate::calls::CallRecord;
use crate::ops::Op;

/// `#name` for `name` or `#name`.
fn channel_name(channel: &str) -> String {
    format!("#{}", channel.trim_start_matches('#'))
}

impl Expectation {
    /// The `chat_posts` verdict (any other expectation is judged elsewhere: it fails here).
    pub(super) fn chat_posts(&self, outcome: &Outcome<'_>) -> Verdict {
        let Expectation::ChatPosts {
            channel,
            count,
            contains,
            in_thread,
            after,
            by,
        } = self
        else {
            return verdict(self, false, "not a chat_posts expectation");
        };
        let channel = channel_name(channel);
        let text = |c: &CallRecord| {
            c.arg("text")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let in_channel: Vec<&CallRecord> = outcome
            .calls
            .iter()
            .filter(|c| c.op == Op::ChatPost && c.applied())
            .filter(|c| {
                c.arg("channel")
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|ch| channel_name(ch) == channel)
            })
            .collect();
        let matching: Vec<&CallRecord> = in_channel
            .iter()
            .copied()
            .filter(|c| {
                contains
                    .as_ref()
                    .is_none_or(|want| text(c).to_lowercase().contains(&want.to_lowercase()))
            })
            .filter(|c| {
                let threaded = c.arg("thread").is_some_and(|t| !t.is_null());
                in_thread.is_none_or(|want| want == threaded)
            })
            .filter(|c| {
                let at = outcome.offset(c.at);
                after.is_none_or(|after| at >= after) && by.is_none_or(|by| at <= by)
            })
            .collect();
        let shown: Vec<String> = matching
            .iter()
            .map(|c| format!("{} {:?}", outcome.offset(c.at), text(c)))
            .collect();
        verdict(
            self,
            matching.len() == *count,
            format!(
                "{} of {} post(s) in {channel} match: [{}]",
                matching.len(),
                in_channel.len(),
                shown.join("; ")
            ),
        )
    }
}
