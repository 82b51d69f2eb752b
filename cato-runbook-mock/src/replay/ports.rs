//! [`ReplayPort`]: every recorded port, answered from the trace.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use cato_runbook_core::ports::{Chat, IncidentStore, Mail, ModelEndpoint, Pager};
use cato_runbook_core::trace::{Traceable, to_value};
use cato_runbook_core::{Error, ErrorKind, Result};
use serde_json::{Map, Value};

use super::Replay;
use crate::fakes::FakePorts;
use crate::world::World;

/// One port of a [`Replay`]: implements every port of the trace table
/// (`cato_runbook_core::traced_ports!`), each call answered with the trace's next answer to it.
#[derive(Debug, Clone)]
pub struct ReplayPort {
    replay: Replay,
    port: String,
}

impl ReplayPort {
    /// The port `port` (as the trace names it) of `replay`.
    pub fn new(replay: &Replay, port: impl Into<String>) -> Self {
        ReplayPort {
            replay: replay.clone(),
            port: port.into(),
        }
    }

    fn answer<T: serde::de::DeserializeOwned>(
        &self,
        op: &str,
        args: Map<String, Value>,
    ) -> Result<T> {
        let args = Value::Object(args);
        let answer = self.replay.answer(&self.port, op, &args)?;
        serde_json::from_value(answer).map_err(|e| {
            Error::new(
                ErrorKind::MalformedResponse,
                "replay",
                format!(
                    "the trace's answer to {} does not read: {e}",
                    cato_runbook_core::trace::call_name(&self.port, op, &args)
                ),
            )
            .with_provider("replay")
        })
    }
}

impl fmt::Display for ReplayPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "replay of {}", self.port)
    }
}

/// A port trait object a replay can stand in for (the incident store stays as it is: the
/// engine's own state is rebuilt, not read back).
trait Replayable: Traceable {
    fn replayed(original: Arc<Self>, replay: &Replay, name: &str) -> Arc<Self>;
}

impl Replayable for dyn IncidentStore {
    fn replayed(original: Arc<Self>, _: &Replay, _: &str) -> Arc<Self> {
        original
    }
}

macro_rules! replay_impls {
    ($(
        $field:ident: $trait:ident, $port:literal {
            $( fn $method:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty ; )*
        }
    )*) => {$(
        #[async_trait]
        impl cato_runbook_core::ports::$trait for ReplayPort {
            $(
                async fn $method(&self $(, $arg: $ty)*) -> Result<$ret> {
                    #[allow(unused_mut)]
                    let mut args = Map::new();
                    $( args.insert(stringify!($arg).to_owned(), to_value(&$arg)); )*
                    self.answer(stringify!($method), args)
                }
            )*
        }

        impl Replayable for dyn cato_runbook_core::ports::$trait {
            fn replayed(_: Arc<Self>, replay: &Replay, name: &str) -> Arc<Self> {
                Arc::new(ReplayPort::new(replay, name))
            }
        }
    )*};
}

cato_runbook_core::traced_ports!(replay_impls);

macro_rules! replayed_ports {
    ([] $($field:ident: $trait:ident => $name:ident, $config:literal, $doc:literal;)*) => {
        impl Replay {
            /// `world`'s ports as replica `replica`, with every recorded port (the catalog's,
            /// the pager, chat and mail, other regions' endpoints) answered from this trace;
            /// the incident store and the lease stay the world's.
            pub fn ports(&self, world: &World, replica: &str) -> FakePorts {
                let mut ports = world.ports(replica);
                $(
                    ports.$field = <dyn cato_runbook_core::ports::$trait as Replayable>::replayed(
                        ports.$field.clone(),
                        self,
                        <dyn cato_runbook_core::ports::$trait as Traceable>::PORT,
                    );
                )*
                ports.pager = Arc::new(ReplayPort::new(self, <dyn Pager as Traceable>::PORT));
                ports.chat = Arc::new(ReplayPort::new(self, <dyn Chat as Traceable>::PORT));
                ports.mail = Arc::new(ReplayPort::new(self, <dyn Mail as Traceable>::PORT));
                ports.region_endpoints = ports
                    .region_endpoints
                    .keys()
                    .map(|region| {
                        let name = format!("{}@{region}", <dyn ModelEndpoint as Traceable>::PORT);
                        let port: Arc<dyn ModelEndpoint> = Arc::new(ReplayPort::new(self, name));
                        (region.clone(), port)
                    })
                    .collect::<BTreeMap<_, _>>();
                ports
            }
        }
    };
}

cato_runbook_core::catalog_ports!(replayed_ports);
