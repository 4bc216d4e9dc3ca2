//! The agents of the emulated contact centre, as the public handle hands them out and the model
//! keeps them, and the names of the built-in scenario's instance and agent.

use std::fmt;

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
    /// Every state, in the order the API's reference lists them.
    pub const ALL: [UserState; 7] = [
        UserState::Offline,
        UserState::Ready,
        UserState::Break,
        UserState::Talking,
        UserState::Working,
        UserState::Dialing,
        UserState::Ringing,
    ];

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
