//! The emulated contact centre: instances with their users (agents), skill groups, phone
//! numbers, calls and records, and a virtual clock. Handlers read and change it under one lock.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::agent::{Agent, UserState, WorkMode};
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

/// Call records kept per instance; the oldest are forgotten past it, so that clients cannot grow
/// memory without bound.
pub(crate) const MAX_RECORDS: usize = 100_000;
/// State changes kept per instance, likewise.
pub(crate) const MAX_STATE_LOGS: usize = 200_000;
/// Users an instance may have (created over the API; a scenario may hold more).
pub(crate) const MAX_USERS: usize = 10_000;
/// Skill groups an instance may have, likewise.
pub(crate) const MAX_SKILL_GROUPS: usize = 2_000;

/// Keeps `list` at most `max` long by dropping its oldest tenth at once (amortised, in order).
fn bound<T>(list: &mut Vec<T>, max: usize) {
    if list.len() > max {
        let excess = list.len() - max + max / 10;
        list.drain(..excess.min(list.len()));
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

/// Where a call comes from, as the API spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallType {
    Inbound,
    Outbound,
    Internal,
}

impl CallType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CallType::Inbound => "INBOUND",
            CallType::Outbound => "OUTBOUND",
            CallType::Internal => "INTERNAL",
        }
    }

    /// The record's `ContactType`.
    pub(crate) fn contact_type(self) -> &'static str {
        match self {
            CallType::Inbound => "Inbound",
            CallType::Outbound => "Outbound",
            CallType::Internal => "Internal",
        }
    }
}

/// A channel's state, as the API spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChannelState {
    Created,
    Answered,
    Held,
    Released,
}

impl ChannelState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ChannelState::Created => "CREATED",
            ChannelState::Answered => "ANSWERED",
            ChannelState::Held => "HELD",
            ChannelState::Released => "RELEASED",
        }
    }
}

/// One leg of a call: an agent's or the customer's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Channel {
    pub(crate) id: String,
    /// The agent on this leg; `None` for the customer (or an outside number).
    pub(crate) user_id: Option<String>,
    pub(crate) extension: Option<String>,
    pub(crate) originator: String,
    pub(crate) destination: String,
    pub(crate) state: ChannelState,
    /// `MUTED`, `MONITORING`, `COACHING`, `BARGED_IN`, `CONSULTING`.
    pub(crate) flags: Vec<&'static str>,
    pub(crate) timestamp_ms: i64,
    pub(crate) release_reason: Option<String>,
    /// When the agent on this leg began talking.
    pub(crate) talk_started_ms: Option<i64>,
}

/// A call in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Call {
    pub(crate) job_id: String,
    pub(crate) call_type: CallType,
    pub(crate) calling: String,
    pub(crate) called: String,
    pub(crate) skill_group_id: Option<String>,
    pub(crate) channels: Vec<Channel>,
    /// Every agent that took part, in order.
    pub(crate) agent_ids: Vec<String>,
    pub(crate) start_ms: i64,
    pub(crate) established_ms: Option<i64>,
    /// An outbound callee answers at this time.
    pub(crate) answer_due_ms: Option<i64>,
    /// Unanswered by then, the call gives up.
    pub(crate) give_up_ms: Option<i64>,
    pub(crate) hold_started_ms: Option<i64>,
    pub(crate) held_ms: i64,
    pub(crate) transfers: i64,
    pub(crate) dtmf: String,
    /// Each agent's talk time in this call so far (legs already released).
    pub(crate) agent_talk_ms: BTreeMap<String, i64>,
}

impl Call {
    pub(crate) fn channel_of(&self, user_id: &str) -> Option<&Channel> {
        self.channels
            .iter()
            .find(|c| c.user_id.as_deref() == Some(user_id) && c.state != ChannelState::Released)
    }

    pub(crate) fn channel_of_mut(&mut self, user_id: &str) -> Option<&mut Channel> {
        self.channels
            .iter_mut()
            .find(|c| c.user_id.as_deref() == Some(user_id) && c.state != ChannelState::Released)
    }

    /// Agents with a live channel.
    pub(crate) fn live_agents(&self) -> Vec<String> {
        self.channels
            .iter()
            .filter(|c| c.state != ChannelState::Released)
            .filter_map(|c| c.user_id.clone())
            .collect()
    }
}

/// A finished call, as the records show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CallRecord {
    pub(crate) contact_id: String,
    pub(crate) call_type: CallType,
    pub(crate) calling: String,
    pub(crate) called: String,
    pub(crate) agent_ids: Vec<String>,
    pub(crate) skill_group_ids: Vec<String>,
    pub(crate) start_ms: i64,
    pub(crate) established_ms: Option<i64>,
    pub(crate) release_ms: i64,
    pub(crate) held_ms: i64,
    pub(crate) transfers: i64,
    /// Each agent's own talk time.
    pub(crate) agent_talk_ms: BTreeMap<String, i64>,
    pub(crate) release_initiator: String,
    pub(crate) release_reason: String,
    /// `Success` when answered, else `NoAnswer`.
    pub(crate) disposition: &'static str,
}

impl CallRecord {
    pub(crate) fn talk_ms(&self) -> i64 {
        self.established_ms
            .map_or(0, |e| (self.release_ms - e - self.held_ms).max(0))
    }

    pub(crate) fn ring_ms(&self) -> i64 {
        self.established_ms.unwrap_or(self.release_ms) - self.start_ms
    }

    pub(crate) fn duration_ms(&self) -> i64 {
        self.release_ms - self.start_ms
    }
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
    /// After-call work's length, from the scenario's behaviour.
    pub(crate) after_call_work_ms: i64,
    /// Break codes an agent may take; empty means any.
    pub(crate) break_codes: Vec<String>,
    /// The user acted on when a request names none.
    pub(crate) default_user: Option<String>,
    pub(crate) state_logs: Vec<StateLog>,
    /// Calls in progress, by job id.
    pub(crate) calls: BTreeMap<String, Call>,
    /// Finished calls, in the order they ended.
    pub(crate) records: Vec<CallRecord>,
    /// Agents in after-call work, and when it ends.
    pub(crate) after_call_work: BTreeMap<String, i64>,
}

impl Instance {
    pub(crate) fn new(id: impl Into<String>) -> Self {
        let id = id.into();
        Instance {
            name: id.clone(),
            id,
            after_call_work_ms: Behaviour::default().after_call_work_ms,
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

    /// Lets what was due by `now` happen, in time order.
    pub(crate) fn tick(&mut self, now: i64) {
        let due: Vec<(i64, String, bool)> = self
            .calls
            .values()
            .flat_map(|c| {
                let answer = c.answer_due_ms.map(|t| (t, c.job_id.clone(), true));
                let give_up = c.give_up_ms.map(|t| (t, c.job_id.clone(), false));
                answer.into_iter().chain(give_up)
            })
            .filter(|(t, _, _)| *t <= now)
            .collect();
        let mut due = due;
        due.sort();
        for (at, job, is_answer) in due {
            let Some(call) = self.calls.get(&job) else {
                continue;
            };
            if is_answer && call.answer_due_ms == Some(at) {
                self.connect(&job, at);
            } else if !is_answer && call.give_up_ms == Some(at) && call.established_ms.is_none() {
                self.release(&job, "", "NoAnswer", at);
            }
        }
        let finished: Vec<(String, i64)> = self
            .after_call_work
            .iter()
            .filter(|(_, end)| **end <= now)
            .map(|(u, end)| (u.clone(), *end))
            .collect();
        for (user, end) in finished {
            self.after_call_work.remove(&user);
            if self
                .users
                .get(&user)
                .is_some_and(|u| u.agent.state == UserState::Working)
            {
                self.set_state(&user, UserState::Ready, end);
            }
        }
    }

    /// The remote party answers: every ringing leg is connected and its agent talks.
    pub(crate) fn connect(&mut self, job_id: &str, at: i64) {
        let Some(call) = self.calls.get_mut(job_id) else {
            return;
        };
        call.answer_due_ms = None;
        call.give_up_ms = None;
        call.established_ms.get_or_insert(at);
        let mut talking = Vec::new();
        for channel in &mut call.channels {
            if channel.state == ChannelState::Created {
                channel.state = ChannelState::Answered;
                channel.timestamp_ms = at;
            }
            if channel.user_id.is_some() && channel.state != ChannelState::Released {
                channel.talk_started_ms.get_or_insert(at);
            }
            if let Some(user) = &channel.user_id
                && channel.state != ChannelState::Released
            {
                talking.push(user.clone());
            }
        }
        for user in talking {
            self.set_state(&user, UserState::Talking, at);
        }
    }

    /// Takes one agent out of a call: its channel is released, and it goes to after-call work
    /// (or straight to READY when it never talked).
    pub(crate) fn leave(&mut self, job_id: &str, user_id: &str, at: i64) {
        let acw = self.after_call_work_ms;
        let Some(call) = self.calls.get_mut(job_id) else {
            return;
        };
        let talked = call.established_ms.is_some();
        let mut talk = 0;
        if let Some(channel) = call.channel_of_mut(user_id) {
            channel.state = ChannelState::Released;
            channel.timestamp_ms = at;
            talk = channel
                .talk_started_ms
                .take()
                .map_or(0, |t| (at - t).max(0));
        }
        *call.agent_talk_ms.entry(user_id.to_owned()).or_default() += talk;
        if let Some(user) = self.users.get_mut(user_id) {
            user.agent.job_id = None;
        }
        if talked && acw > 0 {
            self.set_state(user_id, UserState::Working, at);
            self.after_call_work.insert(user_id.to_owned(), at + acw);
        } else {
            self.set_state(user_id, UserState::Ready, at);
        }
    }

    /// Ends a call for everyone and files its record.
    pub(crate) fn release(&mut self, job_id: &str, initiator: &str, reason: &str, at: i64) {
        let Some(call) = self.calls.get(job_id) else {
            return;
        };
        for user in call.live_agents() {
            self.leave(job_id, &user, at);
        }
        let Some(mut call) = self.calls.remove(job_id) else {
            return;
        };
        if let Some(started) = call.hold_started_ms.take() {
            call.held_ms += at - started;
        }
        bound(&mut self.records, MAX_RECORDS - 1);
        self.records.push(CallRecord {
            contact_id: call.job_id,
            call_type: call.call_type,
            calling: call.calling,
            called: call.called,
            agent_ids: call.agent_ids,
            skill_group_ids: call.skill_group_id.into_iter().collect(),
            start_ms: call.start_ms,
            established_ms: call.established_ms,
            release_ms: at,
            held_ms: call.held_ms,
            transfers: call.transfers,
            agent_talk_ms: call.agent_talk_ms,
            release_initiator: initiator.to_owned(),
            release_reason: reason.to_owned(),
            disposition: if call.established_ms.is_some() {
                "Success"
            } else {
                "NoAnswer"
            },
        });
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
        bound(&mut self.state_logs, MAX_STATE_LOGS - 1);
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
    /// Numbers ids: the same scenario and the same calls give the same ids.
    pub(crate) next_id: u64,
}

impl World {
    pub(crate) fn empty() -> Self {
        World {
            instances: BTreeMap::new(),
            clock: Clock::new(None, false),
            behaviour: Behaviour::default(),
            next_id: 0,
        }
    }

    /// A fresh job id in the service's format, `job-` and 18 digits.
    pub(crate) fn next_job_id(&mut self) -> String {
        self.next_id += 1;
        format!("job-{}", 300_000_000_000_000_000u64 + self.next_id)
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Lets whatever was due by now happen: callees answer, unanswered calls give up, after-call
    /// work ends.
    pub(crate) fn tick(&mut self) {
        let now = self.now_ms();
        for instance in self.instances.values_mut() {
            instance.tick(now);
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_lists_forget_their_oldest() {
        let mut list: Vec<u32> = (0..100).collect();
        bound(&mut list, 100);
        assert_eq!(list.len(), 100);
        list.push(100);
        bound(&mut list, 100);
        assert_eq!(list.len(), 90);
        assert_eq!(list[0], 11);
        assert_eq!(list.last(), Some(&100));
    }
}
