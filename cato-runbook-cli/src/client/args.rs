//! The client subcommands' command line: where the service is, and what to ask it.

use clap::{Args, Subcommand};

/// Where the service runs, and where its bearer token is.
#[derive(Debug, Args)]
pub(crate) struct ServerArgs {
    /// The service's base URL (its operator API is under `/api`).
    #[arg(long, global = true, env = "CATO_RUNBOOK_SERVER", value_name = "URL")]
    #[arg(default_value = "http://127.0.0.1:8080")]
    pub(crate) server: String,
    /// The environment variable that holds the bearer token (its name, not the token).
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        default_value = "CATO_RUNBOOK_TOKEN"
    )]
    pub(crate) token_env: String,
}

/// The subcommands that talk to the running service.
#[derive(Debug, Subcommand)]
pub(crate) enum ClientCommand {
    /// The service's status: replica, leadership, mode, kill switch, open incidents.
    Status,
    /// List the open incidents.
    Incidents,
    /// Show one incident with its timeline.
    Show {
        /// The incident's id.
        id: String,
    },
    /// Acknowledge an incident (you are on it).
    Ack {
        /// The incident's id.
        id: String,
    },
    /// Approve a mitigation step that waits for approval.
    Approve {
        /// The incident's id.
        id: String,
        /// The step (the mitigation's name).
        step: String,
    },
    /// Deny a mitigation step that waits for approval.
    Deny {
        /// The incident's id.
        id: String,
        /// The step (the mitigation's name).
        step: String,
        /// Why not.
        #[arg(long)]
        reason: String,
    },
    /// Add a note to an incident's timeline.
    Note {
        /// The incident's id.
        id: String,
        /// The note.
        text: String,
    },
    /// Resolve an incident.
    Resolve {
        /// The incident's id.
        id: String,
        /// How it was resolved.
        #[arg(long)]
        reason: String,
    },
    /// Declare an incident by hand: on a runbook, or with a title for one no runbook covers.
    Declare(DeclareArgs),
    /// Halt all automation (the kill switch): nothing is applied until `resume`.
    Halt {
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Lift the kill switch.
    Resume,
    /// Escalate an incident to the technical account manager (the cloud provider's support).
    Tam {
        /// The incident's id.
        id: String,
        /// Why the provider is needed.
        #[arg(long)]
        reason: String,
    },
    /// Close a resolved incident with its postmortem.
    Close {
        /// The incident's id.
        id: String,
        /// The postmortem: its URL, or a local file (sent as the `file://` URL of its absolute
        /// path).
        #[arg(long, value_name = "URL|FILE")]
        postmortem: String,
    },
}

/// What `declare` takes: what is broken, and how badly (the impact sets the severity).
#[derive(Debug, Args)]
pub(crate) struct DeclareArgs {
    /// The runbook's id (see `cato-runbook runbooks`); without one, --title is required.
    pub(crate) runbook: Option<String>,
    /// The affected resource; the runbook's own by default.
    #[arg(long)]
    pub(crate) resource: Option<String>,
    /// A title; the runbook's by default.
    #[arg(long)]
    pub(crate) title: Option<String>,
    /// Share of users affected, from 0 to 1.
    #[arg(long, value_name = "SHARE", default_value_t = 1.0)]
    pub(crate) share: f64,
    /// A complete outage.
    #[arg(long)]
    pub(crate) outage: bool,
    /// Users can see it.
    #[arg(long)]
    pub(crate) user_visible: bool,
    /// How many users are affected, if known.
    #[arg(long, value_name = "N")]
    pub(crate) users: Option<u64>,
    /// How it was noticed, e.g. "user report", "dashboard anomaly".
    #[arg(long)]
    pub(crate) source: Option<String>,
}
