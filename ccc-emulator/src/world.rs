//! The emulated contact centre: instances with their users (agents), skill groups, phone
//! numbers, calls and records, and a virtual clock. Handlers read and change it under one lock.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::state::{Agent, UserState, WorkMode};
use crate::util::now_unix;

/// The contact centre's clock: starts at the real time (or a scenario's fixed start), runs with
/// real time unless frozen, and can be moved forward.
#[derive(Clone, Debug)]
pub(crate) struct Clock {
    /// The start a scenario fixed, if any.
    fixed_start: Option<i64>,
    start_ms: i64,
    started: Instant,
    frozen: bool,
    advanced_ms: i64,
}

impl Clock {
    /// Starts at `start_ms` (the real time when `None`).
    pub(crate) fn new(start_ms: Option<i64>, frozen: bool) -> Self {
        Clock {
            fixed_start: start_ms,
            start_ms: start_ms.unwrap_or_else(|| now_unix().saturating_mul(1000)),
            started: Instant::now(),
            frozen,
            advanced_ms: 0,
        }
    }

    /// Same as [`Clock::new`]; says that the settings come from a scenario.
    pub(crate) fn fixed(start_ms: Option<i64>, frozen: bool) -> Self {
        Clock::new(start_ms, frozen)
    }

    pub(crate) fn fixed_start(&self) -> Option<i64> {
        self.fixed_start
    }

    pub(crate) fn is_frozen(&self) -> bool {
        self.frozen
    }

    /// Milliseconds since the Unix epoch, on this clock.
    pub(crate) fn now_ms(&self) -> i64 {
        let elapsed = if self.frozen {
            0
        } else {
            i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX)
        };
        self.start_ms
            .saturating_add(elapsed)
            .saturating_add(self.advanced_ms)
    }

    pub(crate) fn advance(&mut self, ms: i64) {
        self.advanced_ms = self.advanced_ms.saturating_add(ms.max(0));
    }
}

/// How the simulated parties behave; a scenario may change each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Behaviour {
    /// An outbound call's callee answers this long after it is dialled.
    pub(crate) answer_after_ms: i64,
    /// After-call work lasts this long, then the agent is READY again.
    pub(crate) after_call_work_ms: i64,
    /// An inbound call rings an agent this long before it gives up.
    pub(crate) ring_timeout_ms: i64,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            answer_after_ms: 1_000,
            after_call_work_ms: 10_000,
            ring_timeout_ms: 20_000,
        }
    }
}

/// A user's directory entry beside its live agent state.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct User {
    pub(crate) agent: Agent,
    pub(crate) display_name: String,
    pub(crate) email: String,
    pub(crate) mobile: String,
    pub(crate) role_id: String,
    pub(crate) role_name: String,
    /// Skill group id → level (1 to 10).
    pub(crate) skill_levels: BTreeMap<String, i32>,
    /// When the agent entered its current state (clock ms).
    pub(crate) state_since_ms: i64,
}

impl User {
    pub(crate) fn new(agent: Agent) -> Self {
        let login = agent
            .user_id
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned();
        User {
            agent,
            display_name: login,
            email: String::new(),
            mobile: String::new(),
            role_id: "Agent@ccc".to_owned(),
            role_name: "Agent".to_owned(),
            skill_levels: BTreeMap::new(),
            state_since_ms: 0,
        }
    }
}

/// A skill group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SkillGroup {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) display_name: String,
    pub(crate) description: String,
    pub(crate) media_type: String,
}

/// A phone number of the instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PhoneNumber {
    pub(crate) number: String,
    pub(crate) province: String,
    pub(crate) city: String,
    pub(crate) usage: String,
    pub(crate) active: bool,
    pub(crate) skill_group_ids: Vec<String>,
}

/// One line of an agent's state history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StateLog {
    pub(crate) user_id: String,
    pub(crate) state: UserState,
    pub(crate) break_code: Option<String>,
    pub(crate) start_ms: i64,
    /// `None` while the state lasts.
    pub(crate) end_ms: Option<i64>,
    pub(crate) job_id: Option<String>,
}

/// One call centre instance.
#[derive(Clone, Debug, Default)]
pub(crate) struct Instance {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) users: BTreeMap<String, User>,
    pub(crate) skill_groups: BTreeMap<String, SkillGroup>,
    pub(crate) numbers: BTreeMap<String, PhoneNumber>,
    /// Break codes an agent may take; empty means any.
    pub(crate) break_codes: Vec<String>,
    /// The user acted on when a request names none.
    pub(crate) default_user: Option<String>,
    pub(crate) state_logs: Vec<StateLog>,
}

impl Instance {
    pub(crate) fn new(id: impl Into<String>) -> Self {
        let id = id.into();
        Instance {
            name: id.clone(),
            id,
            ..Instance::default()
        }
    }

    /// Adds or replaces a user, keeping its directory entry when it exists.
    pub(crate) fn put_agent(&mut self, agent: Agent, now_ms: i64) {
        match self.users.get_mut(&agent.user_id) {
            Some(user) => user.agent = agent,
            None => {
                let mut user = User::new(agent);
                user.state_since_ms = now_ms;
                self.users.insert(user.agent.user_id.clone(), user);
            }
        }
    }

    /// Moves an agent to a new state, logging the change.
    pub(crate) fn set_state(&mut self, user_id: &str, state: UserState, now_ms: i64) {
        let Some(user) = self.users.get_mut(user_id) else {
            return;
        };
        if user.agent.state == state && state != UserState::Break {
            return;
        }
        if let Some(open) = self
            .state_logs
            .iter_mut()
            .rev()
            .find(|l| l.user_id == user_id && l.end_ms.is_none())
        {
            open.end_ms = Some(now_ms);
        }
        user.agent.state = state;
        user.state_since_ms = now_ms;
        if state != UserState::Break {
            user.agent.break_code = None;
        }
        if state == UserState::Offline {
            return;
        }
        self.state_logs.push(StateLog {
            user_id: user_id.to_owned(),
            state,
            break_code: user.agent.break_code.clone(),
            start_ms: now_ms,
            end_ms: None,
            job_id: user.agent.job_id.clone(),
        });
    }
}

/// Everything the emulator models.
#[derive(Clone, Debug)]
pub(crate) struct World {
    pub(crate) instances: BTreeMap<String, Instance>,
    pub(crate) clock: Clock,
    pub(crate) behaviour: Behaviour,
}

impl World {
    pub(crate) fn empty() -> Self {
        World {
            instances: BTreeMap::new(),
            clock: Clock::new(None, false),
            behaviour: Behaviour::default(),
        }
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Lets whatever was due by now happen.
    pub(crate) fn tick(&mut self) {}

    pub(crate) fn put_agent(&mut self, instance_id: String, agent: Agent) {
        let now = self.now_ms();
        self.instances
            .entry(instance_id.clone())
            .or_insert_with(|| Instance::new(instance_id))
            .put_agent(agent, now);
    }
}

/// Whether an agent in `state` is signed in.
pub(crate) fn signed_in(state: UserState) -> bool {
    state != UserState::Offline
}

/// Whether an agent in `state` is in a call.
pub(crate) fn in_call(state: UserState) -> bool {
    matches!(
        state,
        UserState::Dialing | UserState::Ringing | UserState::Talking
    )
}

/// Parses a work mode's wire value.
pub(crate) fn work_mode(value: &str) -> Option<WorkMode> {
    [WorkMode::OnSite, WorkMode::OffSite, WorkMode::OfficePhone]
        .into_iter()
        .find(|m| m.as_str() == value)
}
