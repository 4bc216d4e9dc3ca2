//! The actions the emulator models, as a table from action name to handler, grouped by domain.
//!
//! A handler reads the request's parameters, works on the [`World`] (locked for the whole call),
//! and returns the response's top-level fields (usually just `Data`) or the service's error. It
//! never formats a body: [`crate::respond`] shapes every answer through the spec's response tree.
//! A new domain is a new module with its own `HANDLERS` table, listed in [`TABLES`].

mod agents;
mod calls;
mod directory;
mod records;

pub(crate) use calls::ring_inbound;

use serde_json::{Map, Value};

use crate::state::SEED_USER;
use crate::world::{Instance, World};

/// An error answer before it is rendered: a code of the spec (or of the emulator's own list) and
/// the values for its message's `%s`.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: &'static str,
    pub(crate) args: Vec<String>,
}

pub(crate) fn fail(code: &'static str) -> Failure {
    Failure {
        code,
        args: Vec::new(),
    }
}

pub(crate) fn fail_with(code: &'static str, arg: impl Into<String>) -> Failure {
    Failure {
        code,
        args: vec![arg.into()],
    }
}

pub(crate) fn fail_args<const N: usize>(code: &'static str, args: [&str; N]) -> Failure {
    Failure {
        code,
        args: args.iter().map(|a| (*a).to_owned()).collect(),
    }
}

/// A request's parameters, decoded.
pub(crate) struct Req<'a> {
    pub(crate) params: &'a [(String, String)],
}

impl<'a> Req<'a> {
    /// A parameter's value; an empty value counts as absent.
    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        self.params
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// A parameter the action cannot do without.
    pub(crate) fn required(&self, name: &'static str) -> Result<&'a str, Failure> {
        self.get(name)
            .ok_or_else(|| fail_with("MissingParameter", name))
    }

    /// A boolean parameter (already checked to parse by the dispatcher).
    pub(crate) fn flag(&self, name: &str) -> Option<bool> {
        self.get(name)
            .map(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// A list parameter, as the API sends them: JSON array text (`["a","b"]`), comma-separated
    /// text, or flat items (`Name.1`, `Name.2`).
    pub(crate) fn list(&self, name: &str) -> Vec<String> {
        if let Some(text) = self.get(name) {
            let text = text.trim();
            if text.starts_with('[')
                && let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text)
            {
                return items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
            }
            return text
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        let mut flat: Vec<(usize, &str)> = self
            .params
            .iter()
            .filter_map(|(k, v)| {
                let n = k.strip_prefix(name)?.strip_prefix('.')?.parse().ok()?;
                Some((n, v.as_str()))
            })
            .collect();
        flat.sort_unstable();
        flat.into_iter().map(|(_, v)| v.to_owned()).collect()
    }
}

/// What a handler answers: the response's top-level fields.
pub(crate) type Answer = Result<Map<String, Value>, Failure>;

/// A handler of one action.
pub(crate) type HandlerFn = fn(&mut World, &Req<'_>) -> Answer;

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

/// The checks every action gets, modelled or not: the instance, user and skill group a request
/// names must exist.
pub(crate) fn check_references(world: &World, req: &Req<'_>) -> Result<(), Failure> {
    let Some(instance_id) = req.get("InstanceId") else {
        return Ok(());
    };
    let instance = world
        .instances
        .get(instance_id)
        .ok_or_else(|| fail_with("NotExists.InstanceId", instance_id))?;
    if let Some(user) = req.get("UserId") {
        user_of(instance, user)?;
    }
    if let Some(group) = req.get("SkillGroupId")
        && !instance.skill_groups.contains_key(group)
    {
        return Err(fail_args("NotExists.SkillGroupId", [group, instance_id]));
    }
    if let Some(job) = req.get("JobId") {
        match instance.calls.get(job) {
            Some(call) => {
                if let Some(channel) = req.get("ChannelId")
                    && !call.channels.iter().any(|c| c.id == channel)
                {
                    return Err(fail_args("NotExists.ChannelId", [channel, job]));
                }
            }
            None if instance.records.iter().any(|r| r.contact_id == job) => {}
            None => return Err(fail_with("NotExists.JobId", job)),
        }
    }
    Ok(())
}

/// The instance a request names (`InstanceId`, required).
pub(crate) fn instance_mut<'w>(
    world: &'w mut World,
    req: &Req<'_>,
) -> Result<&'w mut Instance, Failure> {
    let id = req.required("InstanceId")?;
    world
        .instances
        .get_mut(id)
        .ok_or_else(|| fail_with("NotExists.InstanceId", id))
}

/// Fails unless the instance has this user.
pub(crate) fn user_of<'i>(instance: &'i Instance, user_id: &str) -> Result<&'i str, Failure> {
    instance
        .users
        .get_key_value(user_id)
        .map(|(k, _)| k.as_str())
        .ok_or_else(|| fail_args("NotExists.UserId", [user_id, &instance.id]))
}

/// The user a request acts for: `UserId`, else the instance's default user (else
/// [`SEED_USER`], as the caller's own user stands in for a missing `UserId` at the service).
pub(crate) fn acting_user(instance: &Instance, req: &Req<'_>) -> Result<String, Failure> {
    let user = req
        .get("UserId")
        .or(instance.default_user.as_deref())
        .unwrap_or(SEED_USER);
    user_of(instance, user).map(str::to_owned)
}

/// One response field set: `Data` holding `data`.
pub(crate) fn data(data: Value) -> Map<String, Value> {
    let mut top = Map::new();
    top.insert("Data".to_owned(), data);
    top
}

#[cfg(test)]
mod tests {
    use crate::state::{UserState, WorkMode};

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
