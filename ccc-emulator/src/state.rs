//! The public handle on the emulated contact centre.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::agent::{Agent, UserState};
use crate::scenario::Scenario;
use crate::world::{Instance, World};

/// A handle on the emulator's contact centre; clones share it. Safe to use while the emulator
/// runs.
#[derive(Clone, Debug)]
pub struct State {
    world: Arc<Mutex<World>>,
    scenario: Arc<Scenario>,
}

impl Default for State {
    fn default() -> Self {
        State::seeded()
    }
}

impl State {
    /// The built-in scenario: instance [`SEED_INSTANCE`](crate::SEED_INSTANCE) with agent
    /// [`SEED_USER`](crate::SEED_USER) (extension [`SEED_EXTENSION`](crate::SEED_EXTENSION),
    /// `OFFLINE`, `ON_SITE`), more agents, skill groups and numbers.
    pub fn seeded() -> Self {
        State::from_scenario(Scenario::default())
    }

    /// Starts from `scenario`; [`State::reset`] goes back to it.
    pub fn from_scenario(scenario: Scenario) -> Self {
        State {
            world: Arc::new(Mutex::new(scenario.world())),
            scenario: Arc::new(scenario),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, World> {
        // A panic elsewhere cannot leave the maps half-updated in a way that matters here.
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Puts everything back as the scenario describes it, the clock included.
    pub fn reset(&self) {
        *self.lock() = self.scenario.world();
    }

    /// Removes every instance and agent.
    pub fn clear(&self) {
        self.lock().instances.clear();
    }

    /// Adds an instance with no agents; does nothing if it exists.
    pub fn add_instance(&self, instance_id: impl Into<String>) {
        let id = instance_id.into();
        self.lock()
            .instances
            .entry(id.clone())
            .or_insert_with(|| Instance::new(id));
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
        self.lock().put_agent(instance_id.into(), agent);
    }

    /// Removes an agent; `false` if it did not exist.
    pub fn remove_agent(&self, instance_id: &str, user_id: &str) -> bool {
        self.lock()
            .instances
            .get_mut(instance_id)
            .is_some_and(|i| i.users.remove(user_id).is_some())
    }

    /// A copy of an agent's current state.
    pub fn agent(&self, instance_id: &str, user_id: &str) -> Option<Agent> {
        let mut world = self.lock();
        world.tick();
        world
            .instances
            .get(instance_id)?
            .users
            .get(user_id)
            .map(|u| u.agent.clone())
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
        let mut world = self.lock();
        match world
            .instances
            .get_mut(instance_id)
            .and_then(|i| i.users.get_mut(user_id))
        {
            Some(user) => {
                change(&mut user.agent);
                true
            }
            None => false,
        }
    }

    /// Rings an agent with an inbound call from `caller` (as if dialled to the instance's first
    /// number, queued in `skill_group_id` when given). Returns the call's job id, or the error code
    /// the service would give (`NotExists.InstanceId`, `NotExists.UserId`, `UserBusy` when the
    /// agent is not READY, `NotExists.SkillGroupId`).
    pub fn ring_agent(
        &self,
        instance_id: &str,
        user_id: &str,
        caller: &str,
        skill_group_id: Option<&str>,
    ) -> Result<String, String> {
        let mut world = self.lock();
        world.tick();
        crate::handlers::ring_inbound(&mut world, instance_id, user_id, caller, skill_group_id)
            .map_err(|f| f.code.to_owned())
    }

    /// Queues an inbound call from `caller` in a skill group: it rings the READY agent signed into
    /// the group with the highest skill level (then the one ready the longest). Returns the job id
    /// and the agent rung, or the error code (`UserBusy` when no agent of the group is free).
    pub fn ring_skill_group(
        &self,
        instance_id: &str,
        skill_group_id: &str,
        caller: &str,
    ) -> Result<(String, String), String> {
        let mut world = self.lock();
        world.tick();
        let job = crate::handlers::ring_inbound(
            &mut world,
            instance_id,
            "",
            caller,
            Some(skill_group_id),
        )
        .map_err(|f| f.code.to_owned())?;
        let agent = world
            .instances
            .get(instance_id)
            .and_then(|i| i.calls.get(&job))
            .and_then(|c| c.agent_ids.first().cloned())
            .unwrap_or_default();
        Ok((job, agent))
    }

    /// The contact centre's clock: milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        self.lock().now_ms()
    }

    /// Moves the clock forward; whatever was due in between (a callee answering, after-call work
    /// ending, a ringing call giving up) happens.
    pub fn advance_clock(&self, by: Duration) {
        let mut world = self.lock();
        world
            .clock
            .advance(i64::try_from(by.as_millis()).unwrap_or(i64::MAX));
        world.tick();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::{SEED_EXTENSION, SEED_INSTANCE, SEED_USER};

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

    #[test]
    fn the_clock_moves_forward_on_demand() {
        let state = State::seeded();
        let before = state.now_ms();
        state.advance_clock(Duration::from_secs(3600));
        assert!(state.now_ms() - before >= 3_600_000);
        state.reset();
        assert!(state.now_ms() - before < 3_600_000);
    }
}
