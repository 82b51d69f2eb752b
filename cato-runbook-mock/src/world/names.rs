//! Where each endpoint, cache and table of a [`State`](super::state::State) is, by name: a read
//! of one of 1,000 endpoints finds it at once instead of comparing names down the list (the
//! fakes' reads of a tick of 1,000 endpoints made about two million comparisons).

use std::collections::HashMap;

/// Positions by name in the state's lists, which are fixed once the state is made (a change
/// edits their members, never their order). A lookup checks the member it finds, and a miss
/// falls back to the list, so that a stale position could never answer wrong.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Names {
    /// An endpoint's region (`None`: the home region) and position, by its name.
    endpoints: HashMap<String, Vec<(Option<String>, usize)>>,
    caches: HashMap<String, usize>,
    tables: HashMap<String, usize>,
}

impl Names {
    pub(crate) fn of<'a>(
        endpoints: impl Iterator<Item = (Option<&'a str>, &'a str)>,
        caches: impl Iterator<Item = &'a str>,
        tables: impl Iterator<Item = &'a str>,
    ) -> Names {
        let mut names = Names::default();
        for (at, (region, name)) in endpoints.enumerate() {
            names
                .endpoints
                .entry(name.to_owned())
                .or_default()
                .push((region.map(str::to_owned), at));
        }
        // The first of a name wins, as a search down the list finds it.
        for (at, id) in caches.enumerate() {
            names.caches.entry(id.to_owned()).or_insert(at);
        }
        for (at, name) in tables.enumerate() {
            names.tables.entry(name.to_owned()).or_insert(at);
        }
        names
    }

    /// Where the endpoint `name` of `region` is, if it is known.
    pub(crate) fn endpoint(&self, region: Option<&str>, name: &str) -> Option<usize> {
        self.endpoints
            .get(name)?
            .iter()
            .find(|(r, _)| r.as_deref() == region)
            .map(|(_, at)| *at)
    }

    pub(crate) fn cache(&self, id: &str) -> Option<usize> {
        self.caches.get(id).copied()
    }

    pub(crate) fn table(&self, name: &str) -> Option<usize> {
        self.tables.get(name).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_found_in_its_region_and_the_first_of_a_name_wins() {
        let names = Names::of(
            [(None, "ep"), (Some("us-west-2"), "ep"), (None, "other")].into_iter(),
            ["c", "d", "c"].into_iter(),
            ["t"].into_iter(),
        );
        assert_eq!(names.endpoint(None, "ep"), Some(0));
        assert_eq!(names.endpoint(Some("us-west-2"), "ep"), Some(1));
        assert_eq!(names.endpoint(Some("eu-west-1"), "ep"), None);
        assert_eq!(names.endpoint(None, "other"), Some(2));
        assert_eq!(names.endpoint(None, "nope"), None);
        assert_eq!(names.cache("c"), Some(0));
        assert_eq!(names.cache("d"), Some(1));
        assert_eq!(names.table("t"), Some(0));
        assert_eq!(names.table("u"), None);
    }
}
