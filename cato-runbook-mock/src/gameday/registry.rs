//! Which runbooks a game day can run: ids mapped to how each is built from the world's ports.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use cato_runbook_core::catalog::{self, CatalogConfig, Providers};
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{Error, Result};

/// Builds a runbook from the ports of a world.
pub type RunbookFactory = Arc<dyn Fn(&Providers) -> Result<Runbook> + Send + Sync>;

/// Runbooks by id.
#[derive(Clone, Default)]
pub struct RunbookRegistry {
    factories: BTreeMap<String, RunbookFactory>,
}

impl RunbookRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every runbook of the catalog, with `config`.
    pub fn catalog(config: CatalogConfig) -> Self {
        let config = Arc::new(config);
        let mut registry = Self::new();
        for entry in catalog::entries() {
            let config = Arc::clone(&config);
            registry.register(entry.id, move |providers| (entry.build)(providers, &config));
        }
        registry
    }

    /// Registers (or replaces) the runbook `id`.
    pub fn register(
        &mut self,
        id: impl Into<String>,
        factory: impl Fn(&Providers) -> Result<Runbook> + Send + Sync + 'static,
    ) -> &mut Self {
        self.factories.insert(id.into(), Arc::new(factory));
        self
    }

    /// The registered ids, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.factories.keys().map(String::as_str)
    }

    /// Builds the runbook `id` over `providers`.
    ///
    /// # Errors
    ///
    /// An unknown id (naming the known ones), or the factory's own error.
    pub fn build(&self, id: &str, providers: &Providers) -> Result<Runbook> {
        let factory = self.factories.get(id).ok_or_else(|| {
            let known: Vec<_> = self.ids().collect();
            Error::invalid_input(
                "gameday.runbook",
                format!("unknown runbook {id:?}; known: {}", known.join(", ")),
            )
        })?;
        factory(providers)
    }
}

impl fmt::Debug for RunbookRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.factories.keys()).finish()
    }
}
