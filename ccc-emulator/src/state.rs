//! The emulator's modelled state: call-center instances and their agents.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

/// The instance the emulator starts with.
pub const SEED_INSTANCE: &str = "ccc-test";
/// The agent the emulator starts with, in [`SEED_INSTANCE`]; also the user `ResetAgentState`
/// acts on when the request names none.
pub const SEED_USER: &str = "user-test@ccc-test";
/// The extension of [`SEED_USER`].
pub const SEED_EXTENSION: &str = "80011112";

/// The state of an agent, as the API spells it on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserState {
    /// Signed out.
    Offline,
    /// Signed in and free to take a call.
    Ready,
    /// On a break.
    Break,
    /// In a call.
    Talking,
    /// Doing after-call work.
    Working,
    /// Placing a call.
    Dialing,
    /// A call is ringing.
    Ringing,
}

impl UserState {
    /// The wire value, e.g. `OFFLINE`.
    pub fn as_str(self) -> &'static str {
        match self {
            UserState::Offline => "OFFLINE",
            UserState::Ready => "READY",
            UserState::Break => "BREAK",
            UserState::Talking => "TALKING",
            UserState::Working => "WORKING",
            UserState::Dialing => "DIALING",
            UserState::Ringing => "RINGING",
        }
    }
}

impl fmt::Display for UserState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an agent answers calls, as the API spells it on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WorkMode {
    /// On the agent workstation.
    OnSite,
    /// On an outside phone.
    OffSite,
    /// On an office phone.
    OfficePhone,
}

impl WorkMode {
    /// The wire value, e.g. `ON_SITE`.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkMode::OnSite => "ON_SITE",
            WorkMode::OffSite => "OFF_SITE",
            WorkMode::OfficePhone => "OFFICE_PHONE",
        }
    }
}

impl fmt::Display for WorkMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One agent (a user of an instance) and its live state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agent {
    /// `username@domain`, e.g. `user-test@ccc-test`.
    pub user_id: String,
    /// The agent's extension number.
    pub extension: String,
    /// Current state.
    pub state: UserState,
    /// Current work mode.
    pub work_mode: WorkMode,
    /// Break code while on a break.
    pub break_code: Option<String>,
    /// The call the agent is in, if any.
    pub job_id: Option<String>,
    /// The workstation the agent last used.
    pub device_id: Option<String>,
    /// Whether the agent only places outbound calls.
    pub outbound_scenario: bool,
    /// Skill groups the agent is signed into.
    pub signed_skill_group_ids: Vec<String>,
}

impl Agent {
    /// A signed-out, on-site agent with no skill groups.
    pub fn new(user_id: impl Into<String>, extension: impl Into<String>) -> Self {
        Agent {
            user_id: user_id.into(),
            extension: extension.into(),
            state: UserState::Offline,
            work_mode: WorkMode::OnSite,
            break_code: None,
            job_id: None,
            device_id: None,
            outbound_scenario: false,
            signed_skill_group_ids: Vec::new(),
        }
    }
}

#[derive(Debug, Default)]
struct Data {
    /// Instance id → user id → agent.
    instances: HashMap<String, HashMap<String, Agent>>,
}

impl Data {
    fn seeded() -> Self {
        let mut data = Data::default();
        data.instances.insert(
            SEED_INSTANCE.to_owned(),
            HashMap::from([(SEED_USER.to_owned(), Agent::new(SEED_USER, SEED_EXTENSION))]),
        );
        data
    }
}

/// A handle on the emulator's state; clones share it. Safe to use while the emulator runs.
#[derive(Clone, Debug)]
pub struct State {
    data: Arc<Mutex<Data>>,
}

impl Default for State {
    fn default() -> Self {
        State::seeded()
    }
}

/// Why [`State::reset_agent`] refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ResetError {
    NoInstance,
    NoUser,
}

impl State {
    /// The initial state: instance [`SEED_INSTANCE`] with agent [`SEED_USER`] (extension
    /// [`SEED_EXTENSION`], `OFFLINE`, `ON_SITE`).
    pub fn seeded() -> Self {
        State {
            data: Arc::new(Mutex::new(Data::seeded())),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Data> {
        // A panic elsewhere cannot leave the maps half-updated in a way that matters here.
        self.data
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Puts the state back to [`State::seeded`].
    pub fn reset(&self) {
        *self.lock() = Data::seeded();
    }

    /// Removes every instance and agent.
    pub fn clear(&self) {
        self.lock().instances.clear();
    }

    /// Adds an instance with no agents; does nothing if it exists.
    pub fn add_instance(&self, instance_id: impl Into<String>) {
        self.lock().instances.entry(instance_id.into()).or_default();
    }

    /// Removes an instance and its agents; `false` if it did not exist.
    pub fn remove_instance(&self, instance_id: &str) -> bool {
        self.lock().instances.remove(instance_id).is_some()
    }

    /// Whether the instance exists.
    pub fn has_instance(&self, instance_id: &str) -> bool {
        self.lock().instances.contains_key(instance_id)
    }

    /// Adds or replaces an agent, creating the instance if needed.
    pub fn put_agent(&self, instance_id: impl Into<String>, agent: Agent) {
        self.lock()
            .instances
            .entry(instance_id.into())
            .or_default()
            .insert(agent.user_id.clone(), agent);
    }

    /// Removes an agent; `false` if it did not exist.
    pub fn remove_agent(&self, instance_id: &str, user_id: &str) -> bool {
        self.lock()
            .instances
            .get_mut(instance_id)
            .is_some_and(|users| users.remove(user_id).is_some())
    }

    /// A copy of an agent's current state.
    pub fn agent(&self, instance_id: &str, user_id: &str) -> Option<Agent> {
        self.lock()
            .instances
            .get(instance_id)?
            .get(user_id)
            .cloned()
    }

    /// Sets an agent's state; `false` if there is no such agent.
    pub fn set_agent_state(&self, instance_id: &str, user_id: &str, state: UserState) -> bool {
        self.update_agent(instance_id, user_id, |agent| agent.state = state)
    }

    /// Changes an agent in place; `false` if there is no such agent.
    pub fn update_agent(
        &self,
        instance_id: &str,
        user_id: &str,
        change: impl FnOnce(&mut Agent),
    ) -> bool {
        let mut data = self.lock();
        match data
            .instances
            .get_mut(instance_id)
            .and_then(|u| u.get_mut(user_id))
        {
            Some(agent) => {
                change(agent);
                true
            }
            None => false,
        }
    }

    /// `ResetAgentState`: a signed-in agent goes to `READY` and loses its break code and call;
    /// a signed-out agent stays signed out. The device is recorded either way.
    pub(crate) fn reset_agent(
        &self,
        instance_id: &str,
        user_id: &str,
        device_id: &str,
    ) -> Result<Agent, ResetError> {
        let mut data = self.lock();
        let users = data
            .instances
            .get_mut(instance_id)
            .ok_or(ResetError::NoInstance)?;
        let agent = users.get_mut(user_id).ok_or(ResetError::NoUser)?;
        if agent.state != UserState::Offline {
            agent.state = UserState::Ready;
            agent.break_code = None;
            agent.job_id = None;
        }
        device_id.clone_into(agent.device_id.get_or_insert_with(String::new));
        Ok(agent.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_moves_signed_in_agents_to_ready() {
        let state = State::seeded();
        state.update_agent(SEED_INSTANCE, SEED_USER, |a| {
            a.state = UserState::Break;
            a.break_code = Some("lunch".into());
            a.job_id = Some("job-1".into());
        });
        let agent = state
            .reset_agent(SEED_INSTANCE, SEED_USER, "dev-1")
            .unwrap();
        assert_eq!(agent.state, UserState::Ready);
        assert_eq!(agent.break_code, None);
        assert_eq!(agent.job_id, None);
        assert_eq!(agent.device_id.as_deref(), Some("dev-1"));
        assert_eq!(state.agent(SEED_INSTANCE, SEED_USER), Some(agent));
    }

    #[test]
    fn reset_keeps_offline_agents_offline() {
        let state = State::seeded();
        let agent = state.reset_agent(SEED_INSTANCE, SEED_USER, "dev").unwrap();
        assert_eq!(agent.state, UserState::Offline);
        assert_eq!(
            state.reset_agent("nope", SEED_USER, "d"),
            Err(ResetError::NoInstance)
        );
        assert_eq!(
            state.reset_agent(SEED_INSTANCE, "x@y", "d"),
            Err(ResetError::NoUser)
        );
    }

    #[test]
    fn seeding_and_reset() {
        let state = State::seeded();
        state.clear();
        assert!(!state.has_instance(SEED_INSTANCE));
        state.put_agent("i2", Agent::new("u@i2", "1"));
        assert!(state.agent("i2", "u@i2").is_some());
        assert!(state.remove_agent("i2", "u@i2"));
        assert!(state.remove_instance("i2"));
        state.reset();
        assert_eq!(
            state.agent(SEED_INSTANCE, SEED_USER).unwrap().extension,
            SEED_EXTENSION
        );
    }
}
