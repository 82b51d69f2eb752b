//! The Cato admin API: the LLM budget ([`Budget`](cato_runbook_core::ports::Budget)) and the
//! traffic controls ([`TrafficControl`](cato_runbook_core::ports::TrafficControl)).
//!
//! Every call carries `Authorization: Bearer <token>`; every change carries the step's
//! `Idempotency-Key`. The routes (all JSON, camelCase):
//!
//! | method and path | body | answer |
//! | --- | --- | --- |
//! | `GET /api/admin/cato/budget/status` | | `{"mode": "NORMAL"\|"WARNING"\|"EMERGENCY", "spent": 812.5, "monthlyLimit": 1000, "nextReset": "2026-04-01T00:00:00Z", "curiosityEnabled": true}` |
//! | `PUT /api/admin/cato/budget/config` | `{"monthlyLimit": 1500}` | 200 or 204 |
//! | `GET /api/admin/cato/traffic/status` | | `{"shadowSelfShare": 0.3, "cacheSimilarityThreshold": 0.92, "emergencyMode": false}` |
//! | `PUT /api/admin/cato/traffic/config` | one or more of `{"shadowSelfShare": 0.5}`, `{"cacheSimilarityThreshold": 0.85}`, `{"emergencyMode": true}` (fields left out keep their value) | 200 or 204 |
//! | `PUT /api/admin/cato/traffic/regions` | `{"weights": {"us-east-1": 0.0, "us-west-2": 1.0}}`: the whole split of Shadow Self traffic between regions, shares summing to 1 | 200 or 204 |
//!
//! `shadowSelfShare` is the share of LLM traffic served by the self-hosted Shadow Self rather
//! than Bedrock; `cacheSimilarityThreshold` is the semantic cache's match threshold (lower
//! serves more from cache); `emergencyMode` limits responses and stops curiosity exploration.
//! Where Shadow Self traffic is split by region, the status also answers `"regions":
//! {"us-east-1": 1.0, "us-west-2": 0.0}` (absent: not split), which the regions route sets —
//! the failover to a healthy region.

mod budget;
mod traffic;
pub(crate) mod wire;

use std::fmt;

use cato_runbook_core::Result;
use reqwest::{Method, RequestBuilder};
use secrecy::{ExposeSecret, SecretString};

use crate::http::Transport;

const PROVIDER: &str = "cato-admin-api";

/// The Cato admin API, as the budget and traffic-control ports.
///
/// # Examples
///
/// ```
/// use cato_runbook_aws::cato_api::CatoAdminApi;
/// use cato_runbook_aws::http::HttpOptions;
/// use cato_runbook_aws::secrecy::SecretString;
///
/// let api = CatoAdminApi::new(
///     reqwest::Client::new(),
///     "https://api.cato.thinktank.ai",
///     SecretString::from("token"),
/// )?
/// .with_options(HttpOptions::default());
/// assert_eq!(api.to_string(), "cato-admin-api (https://api.cato.thinktank.ai/)");
/// assert!(!format!("{api:?}").contains("token\""));
/// # Ok::<(), cato_runbook_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CatoAdminApi {
    transport: Transport,
    token: SecretString,
}

impl CatoAdminApi {
    /// The API at `base_url` (e.g. `https://api.cato.thinktank.ai`), authorised by `token`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` when `base_url` is not an absolute `http(s)` URL.
    pub fn new(client: reqwest::Client, base_url: &str, token: SecretString) -> Result<Self> {
        Ok(CatoAdminApi {
            transport: Transport::new(PROVIDER, client, base_url)?,
            token,
        })
    }

    fn request(&self, method: Method, path: &str) -> Result<RequestBuilder> {
        Ok(self
            .transport
            .request(method, path)?
            .bearer_auth(self.token.expose_secret()))
    }
}

crate::http::http_options!(CatoAdminApi);

impl fmt::Display for CatoAdminApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PROVIDER} ({})", self.transport.base_str())
    }
}
