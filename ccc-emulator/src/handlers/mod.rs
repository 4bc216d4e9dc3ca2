//! The actions the emulator models, as a table from action name to handler, grouped by domain.
//!
//! A handler reads the request's parameters, works on the [`World`] (locked for the whole call),
//! and returns the response's top-level fields (usually just `Data`) or the service's error. It
//! never formats a body: [`crate::respond`] shapes every answer through the spec's response tree.
//! A new domain is a new module with its own `HANDLERS` table, listed in [`TABLES`].

mod agents;
#[cfg(test)]
mod answers_test;
mod calls;
mod directory;
mod kit;
mod records;

pub(crate) use calls::ring_inbound;
pub(crate) use kit::{
    Answer, Failure, HandlerFn, Req, check_references, fail, fail_args, fail_with,
};

/// Every domain's table.
const TABLES: &[&[(&str, HandlerFn)]] = &[
    agents::HANDLERS,
    calls::HANDLERS,
    directory::HANDLERS,
    records::HANDLERS,
];

/// The handler of a modelled action.
pub(crate) fn find(action: &str) -> Option<HandlerFn> {
    TABLES
        .iter()
        .flat_map(|t| t.iter())
        .find(|(name, _)| *name == action)
        .map(|(_, handler)| *handler)
}

/// Names of the modelled actions, sorted.
pub(crate) fn modelled() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = TABLES
        .iter()
        .flat_map(|t| t.iter())
        .map(|(name, _)| *name)
        .collect();
    names.sort_unstable();
    names
}

#[cfg(test)]
mod tests {
    use crate::agent::{UserState, WorkMode};

    /// The wire values the handlers use are the spec's enumerations, not a second list.
    #[test]
    fn state_and_work_mode_values_are_the_specs() {
        let spec = crate::embedded_spec().unwrap_or_else(|e| panic!("{e}"));
        let values = |name: &str| -> Vec<String> {
            let e = spec
                .product
                .enums
                .iter()
                .find(|e| e.name == name)
                .unwrap_or_else(|| panic!("no enumeration {name} in the spec"));
            e.values.iter().map(|v| v.value.clone()).collect()
        };
        let mut ours: Vec<String> = UserState::ALL
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect();
        let mut theirs = values("UserState");
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs);
        let modes = [WorkMode::OnSite, WorkMode::OffSite, WorkMode::OfficePhone];
        let mut ours: Vec<String> = modes.iter().map(|m| m.as_str().to_owned()).collect();
        let mut theirs = values("WorkMode");
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs);
        for mode in modes {
            assert_eq!(crate::world::work_mode(mode.as_str()), Some(mode));
        }
    }
}
