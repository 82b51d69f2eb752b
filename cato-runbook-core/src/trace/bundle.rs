//! Every catalog port of a bundle, recorded.

use crate::catalog::Providers;
use crate::ports::ModelEndpoint;

use super::Recorder;
use super::ports::Traceable;

macro_rules! trace_bundle {
    ([] $($field:ident: $trait:ident => $name:ident, $config:literal, $doc:literal;)*) => {
        /// `providers` with every port wrapped to record through `recorder` (the incident
        /// store passed through as it is); another region's endpoint records as
        /// `endpoint@<region>`.
        pub fn trace_providers(providers: &Providers, recorder: &Recorder) -> Providers {
            let mut out = providers.clone();
            $(
                out.$field = providers
                    .$field
                    .clone()
                    .map(|p| <dyn crate::ports::$trait as Traceable>::traced(p, recorder));
            )*
            out.region_endpoints = providers
                .region_endpoints
                .iter()
                .map(|(region, p)| {
                    let name = format!("{}@{region}", <dyn ModelEndpoint as Traceable>::PORT);
                    let p = <dyn ModelEndpoint as Traceable>::traced_as(p.clone(), recorder, &name);
                    (region.clone(), p)
                })
                .collect();
            out
        }
    };
}

crate::catalog_ports!(trace_bundle);
