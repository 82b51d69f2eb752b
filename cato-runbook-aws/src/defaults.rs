//! Addresses the providers and the configuration's defaults share, each written once: a
//! provider reads its own, the configuration all of them, whichever of the two is built.

#![allow(dead_code)] // A build with only some providers, or none, reads only some.

/// PagerDuty's Events API.
pub(crate) const PAGERDUTY_BASE_URL: &str = "https://events.pagerduty.com";
/// Slack's Web API.
pub(crate) const SLACK_BASE_URL: &str = "https://slack.com";
/// SendGrid's Mail Send API.
pub(crate) const SENDGRID_BASE_URL: &str = "https://api.sendgrid.com";
/// AWS Health's global endpoint's region.
pub(crate) const HEALTH_GLOBAL_REGION: &str = "us-east-1";
