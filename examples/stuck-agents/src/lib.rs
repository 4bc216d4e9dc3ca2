//! An example of code that calls CCC, tested three ways (see `tests/`): with the mock client of
//! `ccc-sdk` (`tests/mock.rs`), with the emulator started inside the test (`tests/emulator.rs`),
//! and with the emulator's program, driven over its control API (`tests/program.rs`).
//!
//! The code under test: a supervisor's clean-up job that puts back to work every agent who has
//! been in after-call work for too long (the agent forgot to close it).

use std::fmt;
use std::time::Duration;

use ccc_sdk::operation::list_realtime_agent_states::ListRealtimeAgentStatesError;
use ccc_sdk::operation::reset_agent_state::ResetAgentStateError;
use ccc_sdk::types::RealtimeAgentState;
use ccc_sdk::{Client, SdkError};

/// How long after-call work may last before [`reset_stuck_agents`] ends it: ten minutes.
pub const STUCK_AFTER: Duration = Duration::from_secs(600);

/// Why [`reset_stuck_agents`] stopped.
#[derive(Debug)]
pub enum Error {
    /// The real-time states could not be listed.
    List(SdkError<ListRealtimeAgentStatesError>),
    /// An agent could not be reset; the agents before it were.
    Reset {
        /// The agent whose reset failed.
        agent: String,
        /// The agents reset before it.
        done: Vec<String>,
        /// What the service answered.
        source: SdkError<ResetAgentStateError>,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::List(e) => write!(f, "cannot list the agents in after-call work: {e}"),
            Error::Reset { agent, source, .. } => write!(f, "cannot reset {agent}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::List(e) => Some(e),
            Error::Reset { source, .. } => Some(source),
        }
    }
}

/// Resets every agent of `instance` who has been in after-call work (`ACW` among the real-time
/// states, `WORKING` to `GetUser`) for longer than `longer_than`, page after page, and returns
/// their ids in the order they were reset. Agents in any other state are left alone.
pub async fn reset_stuck_agents(
    client: &Client,
    instance: &str,
    longer_than: Duration,
) -> Result<Vec<String>, Error> {
    let limit = i64::try_from(longer_than.as_secs()).unwrap_or(i64::MAX);
    let mut agents = client
        .list_realtime_agent_states()
        .instance_id(instance)
        .state_list([RealtimeAgentState::Acw])
        .into_paginator()
        .items();
    let mut done = Vec::new();
    while let Some(agent) = agents.next().await {
        let agent = agent.map_err(Error::List)?;
        let stuck = agent.state_time().is_some_and(|seconds| seconds > limit);
        let Some(id) = agent.agent_id().filter(|_| stuck) else {
            continue;
        };
        let reset = client
            .reset_agent_state()
            .instance_id(instance)
            .user_id(id)
            .send()
            .await;
        if let Err(source) = reset {
            let agent = id.to_owned();
            return Err(Error::Reset {
                agent,
                done,
                source,
            });
        }
        done.push(id.to_owned());
    }
    Ok(done)
}
