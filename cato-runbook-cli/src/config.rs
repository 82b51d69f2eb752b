//! The configuration file: the library's schema (`cato_runbook_aws::config`), read as the
//! command reads it: `--config FILE` or `CATO_RUNBOOK_CONFIG`, the defaults without one, and
//! the fakes' world file.

use std::path::Path;

pub(crate) use cato_runbook_aws::config::Config;
use cato_runbook_aws::config::ConfigError;
use cato_runbook_mock::WorldConfig;

use crate::exit::Failure;

impl From<ConfigError> for Failure {
    fn from(err: ConfigError) -> Self {
        match err {
            ConfigError::Invalid(message) => Failure::usage(message),
            ConfigError::Unavailable(message) => Failure::runtime(message),
        }
    }
}

/// Reads `path`, or the defaults when there is none.
pub(crate) fn load(path: Option<&Path>) -> Result<Config, Failure> {
    match path {
        Some(path) => Ok(Config::load(path)?),
        None => Ok(Config::default()),
    }
}

/// The fakes' world: the configured file, or the default world.
pub(crate) fn world(config: &Config) -> Result<WorldConfig, Failure> {
    let Some(world) = &config.providers.world else {
        return Ok(WorldConfig::default());
    };
    let path = config.relative(world);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Failure::usage(format!("{}: cannot read the world: {e}", path.display())))?;
    let config: WorldConfig = toml::from_str(&text)
        .map_err(|e| Failure::usage(format!("{}: {}", path.display(), e.message().trim())))?;
    config
        .validate()
        .map_err(|e| Failure::usage(format!("{}: {}", path.display(), e.message())))?;
    Ok(config)
}
