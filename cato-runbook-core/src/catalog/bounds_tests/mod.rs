//! Every number of `[runbooks.*]` held to its range: NaN, the infinities, zero, negative and
//! huge values refused naming the key, the defaults and the ends of each range taken.

use std::time::Duration;

use super::CatalogConfig;

mod ranges;
mod reals;

type Real = (&'static str, fn(&mut CatalogConfig, f64));
type Count = (&'static str, u64, u64, fn(&mut CatalogConfig, u64));
type Lasting = (
    &'static str,
    Duration,
    Duration,
    fn(&mut CatalogConfig, Duration),
);

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

fn checked(edit: impl FnOnce(&mut CatalogConfig)) -> Result<(), String> {
    let mut config = CatalogConfig::default();
    config.failover.region = Some("us-west-2".into());
    edit(&mut config);
    config.validate().map_err(|e| {
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{e}");
        e.message().to_owned()
    })
}

fn refused(key: &str, edit: impl FnOnce(&mut CatalogConfig), shown: impl std::fmt::Debug) {
    let err = checked(edit).err();
    assert!(
        err.as_deref()
            .is_some_and(|m| m.starts_with(&format!("{key}: "))),
        "{key} = {shown:?}: {err:?}"
    );
}

fn taken(key: &str, edit: impl FnOnce(&mut CatalogConfig), shown: impl std::fmt::Debug) {
    assert_eq!(checked(edit), Ok(()), "{key} = {shown:?}");
}

/// Refused: `bad` and NaN, both infinities and 1e300; taken: `good`.
fn reals(table: &[Real], bad: &[f64], good: &[f64]) {
    for (key, set) in table {
        let nonsense = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300];
        for &value in nonsense.iter().chain(bad) {
            refused(key, |c| set(c, value), value);
        }
        for &value in good {
            taken(key, |c| set(c, value), value);
        }
    }
}

#[test]
fn the_defaults_pass() {
    assert!(CatalogConfig::default().validate().is_ok());
    assert_eq!(checked(|_| {}), Ok(()));
}
