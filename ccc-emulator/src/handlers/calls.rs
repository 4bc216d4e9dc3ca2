//! Calls: outbound and inbound calls, answer and release, hold, mute, DTMF, blind and attended
//! transfers, and a supervisor's monitor, barge-in, coach and intercept. Agents' states follow
//! the call: DIALING or RINGING, TALKING, then WORKING (after-call work) and READY.

use serde_json::{Map, Value, json};

use super::kit::{
    self, Answer, Failure, HandlerFn, Req, acting_user, call_context, fail_args, fail_with,
    instance_mut, not_in_state, user_context, user_of,
};
use crate::agent::UserState;
use crate::world::{Call, CallType, Channel, ChannelState, Instance, World, in_call, signed_in};

pub(crate) const HANDLERS: &[(&str, HandlerFn)] = &[
    ("AnswerCall", answer_call),
    ("BargeInCall", barge_in_call),
    ("BlindTransfer", blind_transfer),
    ("CancelAttendedTransfer", cancel_attended_transfer),
    ("CoachCall", coach_call),
    ("CompleteAttendedTransfer", complete_attended_transfer),
    ("HoldCall", hold_call),
    ("InitiateAttendedTransfer", initiate_attended_transfer),
    ("InterceptCall", intercept_call),
    ("MakeCall", make_call),
    ("MonitorCall", monitor_call),
    ("MuteCall", mute_call),
    ("ReleaseCall", release_call),
    ("RetrieveCall", retrieve_call),
    ("SendDtmfSignaling", send_dtmf_signaling),
    ("UnmuteCall", unmute_call),
];

/// The answer of every call action: the agent's and the call's contexts.
fn contexts(instance: &Instance, user_id: &str, job_id: &str, now: i64) -> Answer {
    let mut data = Map::new();
    data.insert(
        "UserContext".to_owned(),
        user_context(instance, user_id, now),
    );
    let call = match instance.calls.get(job_id) {
        Some(_) => call_context(instance, job_id),
        // Released: what the records keep of it.
        None => json!({ "InstanceId": instance.id, "JobId": job_id, "ChannelContexts": [] }),
    };
    data.insert("CallContext".to_owned(), call);
    data.insert("?ContextId".to_owned(), json!(now));
    Ok(kit::data(Value::Object(data)))
}

fn state_of(instance: &Instance, user_id: &str) -> UserState {
    instance
        .users
        .get(user_id)
        .map_or(UserState::Offline, |u| u.agent.state)
}

/// The live call a request names (`JobId`).
fn call_of<'i>(instance: &'i mut Instance, req: &Req<'_>) -> Result<&'i mut Call, Failure> {
    let job = req.required("JobId")?;
    instance
        .calls
        .get_mut(job)
        .ok_or_else(|| fail_with("NotExists.JobId", job))
}

/// The channel a request names (`ChannelId`), when it names one, must be in the call.
fn check_channel(call: &Call, req: &Req<'_>) -> Result<(), Failure> {
    match req.get("ChannelId") {
        Some(id) if !call.channels.iter().any(|c| c.id == id) => {
            Err(fail_args("NotExists.ChannelId", [id, call.job_id.as_str()]))
        }
        _ => Ok(()),
    }
}

/// The agent must be on a live leg of the call.
fn check_in_call(call: &Call, user_id: &str) -> Result<(), Failure> {
    if call.channel_of(user_id).is_some() {
        Ok(())
    } else {
        Err(fail_args(
            "NotExists.ChannelId",
            [user_id, call.job_id.as_str()],
        ))
    }
}

/// The acting agent and the named call, which it must be in; with `channel`, a channel the
/// request names must be one of that call's (checked first).
fn acting_in_call<'i>(
    instance: &'i mut Instance,
    req: &Req<'_>,
    channel: bool,
) -> Result<(String, &'i mut Call), Failure> {
    let user_id = acting_user(instance, req)?;
    let call = call_of(instance, req)?;
    if channel {
        check_channel(call, req)?;
    }
    check_in_call(call, &user_id)?;
    Ok((user_id, call))
}

fn agent_channel(call: &Call, instance: &Instance, user_id: &str, from: &str, now: i64) -> Channel {
    let extension = instance
        .users
        .get(user_id)
        .map(|u| u.agent.extension.clone())
        .unwrap_or_default();
    Channel {
        id: format!("ch:user:{from}->{extension}:{now}:{}", call.job_id),
        user_id: Some(user_id.to_owned()),
        extension: Some(extension.clone()),
        originator: from.to_owned(),
        destination: extension,
        state: ChannelState::Created,
        flags: Vec::new(),
        timestamp_ms: now,
        release_reason: None,
        talk_started_ms: None,
    }
}

fn customer_channel(job_id: &str, from: &str, to: &str, now: i64) -> Channel {
    Channel {
        id: format!("ch:customer:{from}->{to}:{now}:{job_id}"),
        user_id: None,
        extension: None,
        originator: from.to_owned(),
        destination: to.to_owned(),
        state: ChannelState::Created,
        flags: Vec::new(),
        timestamp_ms: now,
        release_reason: None,
        talk_started_ms: None,
    }
}

/// An agent that can be rung: signed in and free.
fn ringable(instance: &Instance, target: &str) -> Result<String, Failure> {
    let user = instance
        .users
        .values()
        .find(|u| u.agent.user_id == target || u.agent.extension == target)
        .ok_or_else(|| fail_args("NotExists.UserId", [target, instance.id.as_str()]))?;
    if user.agent.state != UserState::Ready {
        return Err(fail_with("UserBusy", target));
    }
    Ok(user.agent.user_id.clone())
}

/// Rings `user_id` with a new leg of `job_id`.
fn ring_agent(instance: &mut Instance, job_id: &str, user_id: &str, from: &str, now: i64) {
    let Some(call) = instance.calls.get(job_id) else {
        return;
    };
    let channel = agent_channel(call, instance, user_id, from, now);
    if let Some(call) = instance.calls.get_mut(job_id) {
        call.channels.push(channel);
        if !call.agent_ids.iter().any(|a| a == user_id) {
            call.agent_ids.push(user_id.to_owned());
        }
    }
    if let Some(user) = instance.users.get_mut(user_id) {
        user.agent.job_id = Some(job_id.to_owned());
    }
    instance.set_state(user_id, UserState::Ringing, now);
}

/// The agent a call queued in `group` goes to: a READY agent signed into the group, the highest
/// skill level first, then the one ready the longest, then by id, so routing is deterministic.
fn route(instance: &Instance, group: Option<&str>) -> Result<String, Failure> {
    let Some(group) = group else {
        return Err(fail_with("MissingParameter", "UserId"));
    };
    instance
        .users
        .values()
        .filter(|u| u.agent.state == UserState::Ready)
        .filter(|u| u.agent.signed_skill_group_ids.iter().any(|g| g == group))
        .min_by_key(|u| {
            let level = u.skill_levels.get(group).copied().unwrap_or(0);
            (-level, u.state_since_ms, u.agent.user_id.clone())
        })
        .map(|u| u.agent.user_id.clone())
        .ok_or_else(|| fail_with("UserBusy", group))
}

/// Places an inbound call from `caller` to the instance, ringing `user_id` (or, when it is empty,
/// the agent [`route`] picks in `skill_group_id`); the job id.
pub(crate) fn ring_inbound(
    world: &mut World,
    instance_id: &str,
    user_id: &str,
    caller: &str,
    skill_group_id: Option<&str>,
) -> Result<String, Failure> {
    let now = world.now_ms();
    let ring_timeout = world.behaviour.ring_timeout_ms;
    let job_id = world.next_job_id();
    let instance = world
        .instances
        .get_mut(instance_id)
        .ok_or_else(|| fail_with("NotExists.InstanceId", instance_id))?;
    if let Some(group) = skill_group_id
        && !instance.skill_groups.contains_key(group)
    {
        return Err(fail_args("NotExists.SkillGroupId", [group, instance_id]));
    }
    let user_id = if user_id.is_empty() {
        route(instance, skill_group_id)?
    } else {
        ringable(instance, user_id)?
    };
    let called = instance
        .numbers
        .values()
        .find(|n| n.active)
        .map(|n| n.number.clone())
        .unwrap_or_default();
    let mut customer = customer_channel(&job_id, caller, &called, now);
    customer.state = ChannelState::Answered;
    let call = Call {
        job_id: job_id.clone(),
        call_type: CallType::Inbound,
        calling: caller.to_owned(),
        called,
        skill_group_id: skill_group_id.map(str::to_owned),
        channels: vec![customer],
        agent_ids: Vec::new(),
        start_ms: now,
        established_ms: None,
        answer_due_ms: None,
        give_up_ms: Some(now + ring_timeout),
        hold_started_ms: None,
        held_ms: 0,
        transfers: 0,
        dtmf: String::new(),
        agent_talk_ms: Default::default(),
    };
    instance.calls.insert(job_id.clone(), call);
    ring_agent(instance, &job_id, &user_id, caller, now);
    Ok(job_id)
}

fn make_call(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let answer_after = world.behaviour.answer_after_ms;
    let job_id = world.next_job_id();
    let instance = instance_mut(world, req)?;
    let user_id = acting_user(instance, req)?;
    let callee = req.required("Callee")?;
    let state = state_of(instance, &user_id);
    if !signed_in(state) || in_call(state) {
        return Err(not_in_state(&user_id, state));
    }
    let caller = match req.get("Caller") {
        Some(c) => c.to_owned(),
        None => instance
            .numbers
            .values()
            .find(|n| n.active && n.usage != "Inbound")
            .map(|n| n.number.clone())
            .unwrap_or_default(),
    };
    let extension = instance
        .users
        .get(&user_id)
        .map(|u| u.agent.extension.clone())
        .unwrap_or_default();
    // A callee that is an agent's extension (or id) makes an internal call.
    let internal = instance
        .users
        .values()
        .any(|u| u.agent.extension == callee || u.agent.user_id == callee);
    let callee_agent = if internal {
        Some(ringable(instance, callee)?)
    } else {
        None
    };
    let timeout = req
        .get("TimeoutSeconds")
        .and_then(|t| t.trim().parse::<i64>().ok())
        .filter(|t| *t > 0);
    let mut call = Call {
        job_id: job_id.clone(),
        call_type: if internal {
            CallType::Internal
        } else {
            CallType::Outbound
        },
        calling: if internal {
            extension.clone()
        } else {
            caller.clone()
        },
        called: callee.to_owned(),
        skill_group_id: None,
        channels: Vec::new(),
        agent_ids: vec![user_id.clone()],
        start_ms: now,
        established_ms: None,
        answer_due_ms: (!internal).then_some(now + answer_after),
        give_up_ms: timeout.map(|t| now + t * 1000),
        hold_started_ms: None,
        held_ms: 0,
        transfers: 0,
        dtmf: String::new(),
        agent_talk_ms: Default::default(),
    };
    let mut own = agent_channel(&call, instance, &user_id, callee, now);
    own.originator = extension.clone();
    own.destination = callee.to_owned();
    call.channels.push(own);
    if !internal {
        call.channels
            .push(customer_channel(&job_id, &caller, callee, now));
    }
    instance.calls.insert(job_id.clone(), call);
    if let Some(user) = instance.users.get_mut(&user_id) {
        user.agent.job_id = Some(job_id.clone());
        if let Some(device) = req.get("DeviceId") {
            device.clone_into(user.agent.device_id.get_or_insert_with(String::new));
        }
    }
    instance.set_state(&user_id, UserState::Dialing, now);
    if let Some(target) = callee_agent {
        ring_agent(instance, &job_id, &target, &extension, now);
    }
    contexts(instance, &user_id, &job_id, now)
}

fn answer_call(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let (user_id, call) = acting_in_call(instance, req, false)?;
    let job_id = call.job_id.clone();
    let state = state_of(instance, &user_id);
    if state != UserState::Ringing {
        return Err(not_in_state(&user_id, state));
    }
    if let Some(call) = instance.calls.get_mut(&job_id)
        && let Some(channel) = call.channel_of_mut(&user_id)
    {
        channel.state = ChannelState::Answered;
        channel.timestamp_ms = now;
    }
    instance.connect(&job_id, now);
    contexts(instance, &user_id, &job_id, now)
}

fn release_call(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let user_id = acting_user(instance, req)?;
    let call = call_of(instance, req)?;
    check_channel(call, req)?;
    let job_id = call.job_id.clone();
    let others = call
        .live_agents()
        .into_iter()
        .filter(|a| *a != user_id)
        .count();
    let customer_present = call
        .channels
        .iter()
        .any(|c| c.user_id.is_none() && c.state != ChannelState::Released);
    if call.channel_of(&user_id).is_some() && (others > 0 && customer_present) {
        // Leaving a conference (a supervisor, or a transfer still in progress) ends only this leg.
        instance.leave(&job_id, &user_id, now);
    } else {
        instance.release(&job_id, &user_id, "AgentHangup", now);
    }
    contexts(instance, &user_id, &job_id, now)
}

fn set_hold(world: &mut World, req: &Req<'_>, hold: bool) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let (user_id, call) = acting_in_call(instance, req, true)?;
    let job_id = call.job_id.clone();
    let state = state_of(instance, &user_id);
    if state != UserState::Talking {
        return Err(not_in_state(&user_id, state));
    }
    let call = call_of(instance, req)?;
    let (from, to) = if hold {
        (ChannelState::Answered, ChannelState::Held)
    } else {
        (ChannelState::Held, ChannelState::Answered)
    };
    // The named channel, else the other party's.
    let target = match req.get("ChannelId") {
        Some(id) => call.channels.iter_mut().find(|c| c.id == id),
        None => call
            .channels
            .iter_mut()
            .find(|c| c.user_id.as_deref() != Some(user_id.as_str()) && c.state == from),
    };
    let Some(channel) = target else {
        return Err(fail_args(
            "InvalidOperation.CallState",
            [
                job_id.as_str(),
                if hold { "not answered" } else { "not held" },
            ],
        ));
    };
    if channel.state != from {
        let id = channel.id.clone();
        return Err(fail_args(
            "InvalidOperation.CallState",
            [id.as_str(), channel.state.as_str()],
        ));
    }
    channel.state = to;
    channel.timestamp_ms = now;
    if hold {
        call.hold_started_ms.get_or_insert(now);
    } else if let Some(started) = call.hold_started_ms.take() {
        call.held_ms += now - started;
    }
    contexts(instance, &user_id, &job_id, now)
}

fn hold_call(world: &mut World, req: &Req<'_>) -> Answer {
    set_hold(world, req, true)
}

fn retrieve_call(world: &mut World, req: &Req<'_>) -> Answer {
    set_hold(world, req, false)
}

fn set_flag(world: &mut World, req: &Req<'_>, flag: &'static str, on: bool) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let (user_id, call) = acting_in_call(instance, req, true)?;
    let job_id = call.job_id.clone();
    if let Some(channel) = call.channel_of_mut(&user_id) {
        channel.flags.retain(|f| *f != flag);
        if on {
            channel.flags.push(flag);
        }
        channel.timestamp_ms = now;
    }
    contexts(instance, &user_id, &job_id, now)
}

fn mute_call(world: &mut World, req: &Req<'_>) -> Answer {
    set_flag(world, req, "MUTED", true)
}

fn unmute_call(world: &mut World, req: &Req<'_>) -> Answer {
    set_flag(world, req, "MUTED", false)
}

fn send_dtmf_signaling(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let user_id = acting_user(instance, req)?;
    let digits = req.required("Dtmf")?;
    if digits.len() > 64
        || !digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
    {
        return Err(fail_args(
            "Parameter.Invalid",
            ["Dtmf", "DTMF is up to 64 of 0-9, * and #"],
        ));
    }
    let call = call_of(instance, req)?;
    check_channel(call, req)?;
    check_in_call(call, &user_id)?;
    if call.dtmf.len() < 1024 {
        call.dtmf.push_str(digits);
    }
    let job_id = call.job_id.clone();
    contexts(instance, &user_id, &job_id, now)
}

/// The agent a transfer goes to: a user id or an extension of the instance.
fn transferee(instance: &Instance, req: &Req<'_>) -> Result<String, Failure> {
    let target = req.required("Transferee")?;
    ringable(instance, target)
}

/// Who transfers which call to whom: the acting agent, talking in the named call.
struct Transfer {
    user_id: String,
    job_id: String,
    target: String,
    /// The transferring agent's extension, shown to the target as the caller.
    from: String,
}

fn transfer(instance: &mut Instance, req: &Req<'_>) -> Result<Transfer, Failure> {
    let (user_id, call) = acting_in_call(instance, req, false)?;
    let job_id = call.job_id.clone();
    let state = state_of(instance, &user_id);
    if state != UserState::Talking {
        return Err(not_in_state(&user_id, state));
    }
    let target = transferee(instance, req)?;
    let from = instance
        .users
        .get(&user_id)
        .map(|u| u.agent.extension.clone())
        .unwrap_or_default();
    Ok(Transfer {
        user_id,
        job_id,
        target,
        from,
    })
}

fn blind_transfer(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let t = transfer(instance, req)?;
    instance.leave(&t.job_id, &t.user_id, now);
    if let Some(call) = instance.calls.get_mut(&t.job_id) {
        call.transfers += 1;
    }
    ring_agent(instance, &t.job_id, &t.target, &t.from, now);
    contexts(instance, &t.user_id, &t.job_id, now)
}

fn initiate_attended_transfer(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let t = transfer(instance, req)?;
    if let Some(call) = instance.calls.get_mut(&t.job_id) {
        // The customer waits on hold while the agents talk.
        for channel in call.channels.iter_mut().filter(|c| c.user_id.is_none()) {
            if channel.state == ChannelState::Answered {
                channel.state = ChannelState::Held;
                channel.timestamp_ms = now;
            }
        }
        call.hold_started_ms.get_or_insert(now);
    }
    ring_agent(instance, &t.job_id, &t.target, &t.from, now);
    if let Some(channel) = instance
        .calls
        .get_mut(&t.job_id)
        .and_then(|c| c.channel_of_mut(&t.target))
    {
        channel.flags.push("CONSULTING");
    }
    contexts(instance, &t.user_id, &t.job_id, now)
}

/// The agent being consulted in an attended transfer of `call`.
fn consulted(call: &Call) -> Option<String> {
    call.channels
        .iter()
        .find(|c| c.state != ChannelState::Released && c.flags.contains(&"CONSULTING"))
        .and_then(|c| c.user_id.clone())
}

fn retrieve_customer(call: &mut Call, now: i64) {
    for channel in call.channels.iter_mut().filter(|c| c.user_id.is_none()) {
        if channel.state == ChannelState::Held {
            channel.state = ChannelState::Answered;
            channel.timestamp_ms = now;
        }
    }
    if let Some(started) = call.hold_started_ms.take() {
        call.held_ms += now - started;
    }
}

/// The attended transfer the acting agent holds on the named call, as (the acting agent, the
/// call's job id, the agent it consults), or the failure that says why there is none.
fn consultation(
    instance: &mut Instance,
    req: &Req<'_>,
) -> Result<(String, String, String), Failure> {
    let (user_id, call) = acting_in_call(instance, req, false)?;
    let job_id = call.job_id.clone();
    let target = consulted(call).ok_or_else(|| {
        fail_args(
            "InvalidOperation.CallState",
            [job_id.as_str(), "not consulting"],
        )
    })?;
    Ok((user_id, job_id, target))
}

fn complete_attended_transfer(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let (user_id, job_id, target) = consultation(instance, req)?;
    if state_of(instance, &target) != UserState::Talking {
        return Err(not_in_state(&target, state_of(instance, &target)));
    }
    if let Some(call) = instance.calls.get_mut(&job_id) {
        retrieve_customer(call, now);
        call.transfers += 1;
        if let Some(channel) = call.channel_of_mut(&target) {
            channel.flags.retain(|f| *f != "CONSULTING");
        }
    }
    instance.leave(&job_id, &user_id, now);
    contexts(instance, &user_id, &job_id, now)
}

fn cancel_attended_transfer(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let (user_id, job_id, target) = consultation(instance, req)?;
    if let Some(call) = instance.calls.get_mut(&job_id) {
        retrieve_customer(call, now);
        let mut talk = 0;
        if let Some(channel) = call.channel_of_mut(&target) {
            channel.state = ChannelState::Released;
            channel.timestamp_ms = now;
            channel.release_reason = Some("TransferCancelled".to_owned());
            talk = channel
                .talk_started_ms
                .take()
                .map_or(0, |t| (now - t).max(0));
        }
        *call.agent_talk_ms.entry(target.clone()).or_default() += talk;
    }
    if let Some(user) = instance.users.get_mut(&target) {
        user.agent.job_id = None;
    }
    instance.set_state(&target, UserState::Ready, now);
    contexts(instance, &user_id, &job_id, now)
}

/// A supervisor joins the call of the agent named by `target_param`, with `flag` on its leg.
fn supervise(
    world: &mut World,
    req: &Req<'_>,
    target_param: &'static str,
    flag: &'static str,
) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let supervisor = acting_user(instance, req)?;
    let target = req.required(target_param)?;
    user_of(instance, target)?;
    let target_state = state_of(instance, target);
    if target_state != UserState::Talking {
        return Err(not_in_state(target, target_state));
    }
    let job_id = match req.get("JobId") {
        Some(job) => {
            let call = call_of(instance, req)?;
            check_in_call(call, target)?;
            job.to_owned()
        }
        None => instance
            .users
            .get(target)
            .and_then(|u| u.agent.job_id.clone())
            .ok_or_else(|| fail_args("NotExists.ChannelId", [target, ""]))?,
    };
    let state = state_of(instance, &supervisor);
    if state != UserState::Ready {
        return Err(not_in_state(&supervisor, state));
    }
    let Some(call) = instance.calls.get(&job_id) else {
        return Err(fail_with("NotExists.JobId", job_id));
    };
    let mut channel = agent_channel(call, instance, &supervisor, target, now);
    channel.state = ChannelState::Answered;
    channel.talk_started_ms = Some(now);
    channel.flags.push(flag);
    if let Some(call) = instance.calls.get_mut(&job_id) {
        call.channels.push(channel);
        if !call.agent_ids.contains(&supervisor) {
            call.agent_ids.push(supervisor.clone());
        }
    }
    if let Some(user) = instance.users.get_mut(&supervisor) {
        user.agent.job_id = Some(job_id.clone());
    }
    instance.set_state(&supervisor, UserState::Talking, now);
    if flag == "INTERCEPTED" {
        // The supervisor takes the call over; the agent leaves it.
        if let Some(channel) = instance
            .calls
            .get_mut(&job_id)
            .and_then(|c| c.channel_of_mut(&supervisor))
        {
            channel.flags.clear();
        }
        instance.leave(&job_id, target, now);
    }
    contexts(instance, &supervisor, &job_id, now)
}

fn monitor_call(world: &mut World, req: &Req<'_>) -> Answer {
    supervise(world, req, "MonitoredUserId", "MONITORING")
}

fn barge_in_call(world: &mut World, req: &Req<'_>) -> Answer {
    supervise(world, req, "BargedUserId", "BARGED_IN")
}

fn coach_call(world: &mut World, req: &Req<'_>) -> Answer {
    supervise(world, req, "CoachedUserId", "COACHING")
}

fn intercept_call(world: &mut World, req: &Req<'_>) -> Answer {
    supervise(world, req, "InterceptedUserId", "INTERCEPTED")
}
