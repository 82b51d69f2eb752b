//! Recording a world's ports: [`FakePorts::traced`].

use std::sync::Arc;

use cato_runbook_core::ports::{Chat, Mail, ModelEndpoint, Pager};
use cato_runbook_core::trace::{Recorder, Traceable};

use crate::fakes::FakePorts;

macro_rules! traced_fake_ports {
    ([] $($field:ident: $trait:ident => $name:ident, $config:literal, $doc:literal;)*) => {
        impl FakePorts {
            /// These ports with every recorded one (the catalog's, the pager, chat and mail,
            /// other regions' endpoints) wrapped to record through `recorder`; the incident
            /// store and the lease are not recorded.
            pub fn traced(&self, recorder: &Recorder) -> FakePorts {
                let mut ports = self.clone();
                $(
                    ports.$field = <dyn cato_runbook_core::ports::$trait as Traceable>::traced(
                        self.$field.clone(),
                        recorder,
                    );
                )*
                ports.pager = <dyn Pager as Traceable>::traced(self.pager.clone(), recorder);
                ports.chat = <dyn Chat as Traceable>::traced(self.chat.clone(), recorder);
                ports.mail = <dyn Mail as Traceable>::traced(self.mail.clone(), recorder);
                ports.region_endpoints = self
                    .region_endpoints
                    .iter()
                    .map(|(region, port)| {
                        let name = format!("{}@{region}", <dyn ModelEndpoint as Traceable>::PORT);
                        let port: Arc<dyn ModelEndpoint> =
                            <dyn ModelEndpoint as Traceable>::traced_as(port.clone(), recorder, &name);
                        (region.clone(), port)
                    })
                    .collect();
                ports
            }
        }
    };
}

cato_runbook_core::catalog_ports!(traced_fake_ports);
