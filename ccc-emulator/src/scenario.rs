//! Scenario files: the contact centre the emulator starts with (and goes back to on reset).
//!
//! A scenario is JSON (or TOML, the same keys); `scenarios/default.json` in this crate is the
//! built-in one and shows every key. Unknown keys are errors, so that a typo never passes silently.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};

use crate::agent::{Agent, WorkMode};
use crate::util::parse_timestamp;
use crate::world::{Behaviour, Clock, Instance, PhoneNumber, SkillGroup, User, World, work_mode};

/// The built-in scenario's text.
pub(crate) const DEFAULT_SCENARIO: &str = include_str!("../scenarios/default.json");

/// A contact centre to start from: instances, users, skill groups, numbers, the clock. Load one
/// with [`Scenario::from_json`], [`Scenario::from_toml`] or [`Scenario::from_file`], and give it
/// to [`EmulatorBuilder::scenario`](crate::EmulatorBuilder::scenario).
#[derive(Clone)]
pub struct Scenario {
    world: World,
}

impl fmt::Debug for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scenario")
            .field(
                "instances",
                &self.world.instances.keys().collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// Why a scenario was refused: where in it, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// A JSON pointer to the offending value (empty for the whole document).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "scenario: {}", self.message)
        } else {
            write!(f, "scenario at {}: {}", self.pointer, self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

fn error(pointer: &str, message: impl Into<String>) -> ScenarioError {
    ScenarioError {
        pointer: pointer.to_owned(),
        message: message.into(),
    }
}

impl Default for Scenario {
    fn default() -> Self {
        match Scenario::from_json(DEFAULT_SCENARIO) {
            Ok(scenario) => scenario,
            // A unit test loads the same text, so this is a broken build.
            Err(e) => panic!("the built-in scenario is invalid: {e}"),
        }
    }
}

impl Scenario {
    /// Parses a scenario written in JSON.
    pub fn from_json(text: &str) -> Result<Self, ScenarioError> {
        let value: Value = serde_json::from_str(text).map_err(|e| error("", e.to_string()))?;
        Scenario::from_value(&value)
    }

    /// Parses a scenario written in TOML (the same keys as JSON; no `null`: leave a key out).
    pub fn from_toml(text: &str) -> Result<Self, ScenarioError> {
        let value: Value = toml::from_str(text).map_err(|e| error("", e.to_string()))?;
        Scenario::from_value(&value)
    }

    /// Reads a scenario file: TOML when its name ends in `.toml`, JSON otherwise.
    pub fn from_file(path: &Path) -> Result<Self, ScenarioError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| error("", format!("cannot read {}: {e}", path.display())))?;
        if path.extension().is_some_and(|e| e == "toml") {
            Scenario::from_toml(&text)
        } else {
            Scenario::from_json(&text)
        }
    }

    /// Ids of the scenario's instances.
    pub fn instance_ids(&self) -> impl Iterator<Item = &str> {
        self.world.instances.keys().map(String::as_str)
    }

    /// A scenario with no instance at all.
    pub fn empty() -> Self {
        Scenario {
            world: World::empty(),
        }
    }

    /// A fresh world as the scenario describes it, its clock starting now.
    pub(crate) fn world(&self) -> World {
        let mut world = self.world.clone();
        world.clock = Clock::new(self.start_ms(), self.frozen());
        let now = world.now_ms();
        let acw = world.behaviour.after_call_work_ms;
        for instance in world.instances.values_mut() {
            instance.after_call_work_ms = acw;
            for user in instance.users.values_mut() {
                user.state_since_ms = now;
            }
        }
        world
    }

    fn start_ms(&self) -> Option<i64> {
        self.world.clock.fixed_start()
    }

    fn frozen(&self) -> bool {
        self.world.clock.is_frozen()
    }

    fn from_value(value: &Value) -> Result<Self, ScenarioError> {
        let root = object(value, "", &["clock", "behaviour", "instances"])?;
        let mut world = World::empty();
        if let Some(clock) = root.get("clock") {
            let clock = object(clock, "/clock", &["start", "frozen"])?;
            let start = match clock.get("start") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(
                    parse_timestamp(s).ok_or_else(|| {
                        error("/clock/start", "not a time like 2026-01-01T09:00:00Z")
                    })? * 1000,
                ),
                Some(_) => return Err(error("/clock/start", "must be a string")),
            };
            let frozen = boolean(clock.get("frozen"), "/clock/frozen")?.unwrap_or(false);
            world.clock = Clock::new(start, frozen);
        }
        if let Some(b) = root.get("behaviour") {
            let keys = [
                "answer_after_seconds",
                "after_call_work_seconds",
                "ring_timeout_seconds",
            ];
            let b = object(b, "/behaviour", &keys)?;
            let mut behaviour = Behaviour::default();
            let seconds = |key: &str| -> Result<Option<i64>, ScenarioError> {
                let pointer = format!("/behaviour/{key}");
                match b.get(key) {
                    None => Ok(None),
                    Some(v) => v
                        .as_u64()
                        .and_then(|s| i64::try_from(s).ok())
                        .filter(|s| *s <= 86_400)
                        .map(|s| Some(s * 1000))
                        .ok_or_else(|| error(&pointer, "must be whole seconds, 0 to 86400")),
                }
            };
            if let Some(ms) = seconds(keys[0])? {
                behaviour.answer_after_ms = ms;
            }
            if let Some(ms) = seconds(keys[1])? {
                behaviour.after_call_work_ms = ms;
            }
            if let Some(ms) = seconds(keys[2])? {
                behaviour.ring_timeout_ms = ms;
            }
            world.behaviour = behaviour;
        }
        let instances = match root.get("instances") {
            None => &[][..],
            Some(Value::Array(items)) => items.as_slice(),
            Some(_) => return Err(error("/instances", "must be a list")),
        };
        for (i, value) in instances.iter().enumerate() {
            let instance = parse_instance(value, &format!("/instances/{i}"))?;
            if world.instances.contains_key(&instance.id) {
                return Err(error(
                    &format!("/instances/{i}/id"),
                    format!("instance `{}` is listed twice", instance.id),
                ));
            }
            world.instances.insert(instance.id.clone(), instance);
        }
        Ok(Scenario { world })
    }
}

fn object<'v>(
    value: &'v Value,
    pointer: &str,
    keys: &[&str],
) -> Result<&'v Map<String, Value>, ScenarioError> {
    let map = value
        .as_object()
        .ok_or_else(|| error(pointer, "must be an object"))?;
    if let Some(unknown) = map.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(error(
            &format!("{pointer}/{unknown}"),
            format!("unknown key; expected one of {}", keys.join(", ")),
        ));
    }
    Ok(map)
}

fn string(value: Option<&Value>, pointer: &str) -> Result<Option<String>, ScenarioError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(error(pointer, "must be a string")),
    }
}

fn required(map: &Map<String, Value>, key: &str, pointer: &str) -> Result<String, ScenarioError> {
    let pointer = format!("{pointer}/{key}");
    string(map.get(key), &pointer)?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| error(&pointer, "is required"))
}

fn boolean(value: Option<&Value>, pointer: &str) -> Result<Option<bool>, ScenarioError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(error(pointer, "must be true or false")),
    }
}

fn strings(value: Option<&Value>, pointer: &str) -> Result<Vec<String>, ScenarioError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| error(&format!("{pointer}/{i}"), "must be a string"))
            })
            .collect(),
        Some(_) => Err(error(pointer, "must be a list of strings")),
    }
}

fn parse_instance(value: &Value, pointer: &str) -> Result<Instance, ScenarioError> {
    let keys = [
        "id",
        "name",
        "description",
        "default_user",
        "break_codes",
        "skill_groups",
        "users",
        "numbers",
    ];
    let map = object(value, pointer, &keys)?;
    let id = required(map, "id", pointer)?;
    let mut instance = Instance::new(id);
    if let Some(name) = string(map.get("name"), &format!("{pointer}/name"))? {
        instance.name = name;
    }
    instance.description =
        string(map.get("description"), &format!("{pointer}/description"))?.unwrap_or_default();
    instance.break_codes = strings(map.get("break_codes"), &format!("{pointer}/break_codes"))?;

    let list = |key: &str| -> Result<&[Value], ScenarioError> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(items)) => Ok(items.as_slice()),
            Some(_) => Err(error(&format!("{pointer}/{key}"), "must be a list")),
        }
    };
    for (i, g) in list("skill_groups")?.iter().enumerate() {
        let at = format!("{pointer}/skill_groups/{i}");
        let g = object(
            g,
            &at,
            &["id", "name", "display_name", "description", "media_type"],
        )?;
        let id = required(g, "id", &at)?;
        let name = string(g.get("name"), &format!("{at}/name"))?
            .unwrap_or_else(|| id.split('@').next().unwrap_or_default().to_owned());
        let group = SkillGroup {
            display_name: string(g.get("display_name"), &format!("{at}/display_name"))?
                .unwrap_or_else(|| name.clone()),
            name,
            description: string(g.get("description"), &format!("{at}/description"))?
                .unwrap_or_default(),
            media_type: string(g.get("media_type"), &format!("{at}/media_type"))?
                .unwrap_or_else(|| "VOICE".to_owned()),
            id: id.clone(),
        };
        if instance.skill_groups.insert(id, group).is_some() {
            return Err(error(&format!("{at}/id"), "skill group listed twice"));
        }
    }
    let mut extensions = BTreeMap::new();
    for (i, u) in list("users")?.iter().enumerate() {
        let at = format!("{pointer}/users/{i}");
        let keys = [
            "user_id",
            "extension",
            "display_name",
            "email",
            "mobile",
            "role",
            "work_mode",
            "skill_levels",
        ];
        let u = object(u, &at, &keys)?;
        let user_id = required(u, "user_id", &at)?;
        if !user_id.contains('@') {
            return Err(error(
                &format!("{at}/user_id"),
                "must be username@domain, e.g. agent@ccc-test",
            ));
        }
        let extension = required(u, "extension", &at)?;
        if let Some(other) = extensions.insert(extension.clone(), user_id.clone()) {
            return Err(error(
                &format!("{at}/extension"),
                format!("extension {extension} is already {other}'s"),
            ));
        }
        let mut agent = Agent::new(user_id.clone(), extension);
        if let Some(mode) = string(u.get("work_mode"), &format!("{at}/work_mode"))? {
            agent.work_mode = work_mode(&mode).ok_or_else(|| {
                error(
                    &format!("{at}/work_mode"),
                    format!(
                        "must be one of {}, {}, {}",
                        WorkMode::OnSite,
                        WorkMode::OffSite,
                        WorkMode::OfficePhone
                    ),
                )
            })?;
        }
        let mut user = User::new(agent);
        if let Some(name) = string(u.get("display_name"), &format!("{at}/display_name"))? {
            user.display_name = name;
        }
        user.email = string(u.get("email"), &format!("{at}/email"))?.unwrap_or_default();
        user.mobile = string(u.get("mobile"), &format!("{at}/mobile"))?.unwrap_or_default();
        if let Some(role) = string(u.get("role"), &format!("{at}/role"))? {
            user.role_id = format!("{role}@{}", instance.id);
            user.role_name = role;
        }
        if let Some(levels) = u.get("skill_levels") {
            let at = format!("{at}/skill_levels");
            let levels = levels
                .as_object()
                .ok_or_else(|| error(&at, "must map skill group ids to levels"))?;
            for (group, level) in levels {
                let here = format!("{at}/{group}");
                if !instance.skill_groups.contains_key(group) {
                    return Err(error(&here, "no such skill group in this instance"));
                }
                let level = level
                    .as_i64()
                    .filter(|l| (1..=10).contains(l))
                    .ok_or_else(|| error(&here, "a level is a whole number from 1 to 10"))?;
                user.skill_levels
                    .insert(group.clone(), i32::try_from(level).unwrap_or(1));
            }
        }
        if instance.users.insert(user_id, user).is_some() {
            return Err(error(&format!("{at}/user_id"), "user listed twice"));
        }
    }
    for (i, n) in list("numbers")?.iter().enumerate() {
        let at = format!("{pointer}/numbers/{i}");
        let keys = [
            "number",
            "province",
            "city",
            "usage",
            "active",
            "skill_groups",
        ];
        let n = object(n, &at, &keys)?;
        let number = required(n, "number", &at)?;
        let skill_group_ids = strings(n.get("skill_groups"), &format!("{at}/skill_groups"))?;
        if let Some(unknown) = skill_group_ids
            .iter()
            .find(|g| !instance.skill_groups.contains_key(*g))
        {
            return Err(error(
                &format!("{at}/skill_groups"),
                format!("no skill group {unknown} in this instance"),
            ));
        }
        let entry = PhoneNumber {
            province: string(n.get("province"), &format!("{at}/province"))?.unwrap_or_default(),
            city: string(n.get("city"), &format!("{at}/city"))?.unwrap_or_default(),
            usage: string(n.get("usage"), &format!("{at}/usage"))?
                .unwrap_or_else(|| "Bidirection".to_owned()),
            active: boolean(n.get("active"), &format!("{at}/active"))?.unwrap_or(true),
            skill_group_ids,
            number: number.clone(),
        };
        if instance.numbers.insert(number, entry).is_some() {
            return Err(error(&format!("{at}/number"), "number listed twice"));
        }
    }
    if let Some(user) = string(map.get("default_user"), &format!("{pointer}/default_user"))? {
        if !instance.users.contains_key(&user) {
            return Err(error(
                &format!("{pointer}/default_user"),
                format!("no user {user} in this instance"),
            ));
        }
        instance.default_user = Some(user);
    }
    Ok(instance)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::{SEED_EXTENSION, SEED_INSTANCE, SEED_USER};

    #[test]
    fn the_built_in_scenario_loads_and_holds_the_seed_agent() {
        let world = Scenario::from_json(DEFAULT_SCENARIO).unwrap().world();
        let instance = &world.instances[SEED_INSTANCE];
        let user = &instance.users[SEED_USER];
        assert_eq!(user.agent.extension, SEED_EXTENSION);
        assert_eq!(instance.default_user.as_deref(), Some(SEED_USER));
        assert!(instance.users.len() >= 3 && instance.skill_groups.len() >= 2);
        assert!(!instance.numbers.is_empty());
    }

    #[test]
    fn the_toml_example_loads() {
        let world = Scenario::from_toml(include_str!("../scenarios/two-teams.toml"))
            .unwrap_or_else(|e| panic!("{e}"))
            .world();
        let acme = &world.instances["acme"];
        assert_eq!(acme.users.len(), 3);
        assert_eq!(acme.users["kim@acme"].skill_levels["repairs@acme"], 6);
        assert_eq!(acme.users["pat@acme"].role_name, "Admin");
        assert_eq!(world.behaviour.after_call_work_ms, 30_000);
        assert_eq!(world.now_ms(), 1_767_603_600_000);
    }

    #[test]
    fn toml_and_json_say_the_same() {
        let toml = r#"
            [clock]
            start = "2026-01-05T09:00:00Z"
            frozen = true
            [[instances]]
            id = "centre"
            [[instances.skill_groups]]
            id = "skg@centre"
            [[instances.users]]
            user_id = "a@centre"
            extension = "1001"
            skill_levels = { "skg@centre" = 4 }
        "#;
        let world = Scenario::from_toml(toml).unwrap().world();
        assert_eq!(world.now_ms(), 1_767_603_600_000);
        let user = &world.instances["centre"].users["a@centre"];
        assert_eq!(user.skill_levels["skg@centre"], 4);
    }

    #[test]
    fn mistakes_are_named_with_their_place() {
        let bad = |text: &str| Scenario::from_json(text).unwrap_err();
        let e = bad(r#"{"instances": [{"id": "i", "userz": []}]}"#);
        assert_eq!(e.pointer, "/instances/0/userz");
        let e = bad(
            r#"{"instances": [{"id": "i", "users": [{"user_id": "nodomain", "extension": "1"}]}]}"#,
        );
        assert_eq!(e.pointer, "/instances/0/users/0/user_id");
        let e = bad(
            r#"{"instances": [{"id": "i", "users": [{"user_id": "a@i", "extension": "1", "skill_levels": {"g": 3}}]}]}"#,
        );
        assert!(e.to_string().contains("no such skill group"), "{e}");
        let e = bad(
            r#"{"instances": [{"id": "i", "users": [{"user_id": "a@i", "extension": "1"}, {"user_id": "b@i", "extension": "1"}]}]}"#,
        );
        assert!(e.message.contains("already a@i's"), "{e}");
        let e = bad(r#"{"clock": {"start": "yesterday"}}"#);
        assert_eq!(e.pointer, "/clock/start");
        assert!(bad("[").pointer.is_empty());
    }
}
