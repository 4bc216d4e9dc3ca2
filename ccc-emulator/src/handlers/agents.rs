//! Agents: signing in and out of skill groups, ready, break, work mode, reset and polling, with
//! the agent state machine (OFFLINE, READY, BREAK, DIALING, RINGING, TALKING, WORKING).

use serde_json::{Map, Value, json};

use super::kit::{
    Answer, HandlerFn, Req, acting_user, call_context, data, fail_args, instance_mut, not_in_state,
    user_context,
};
use crate::agent::UserState;
use crate::world::{Instance, World, in_call, signed_in, work_mode};

pub(crate) const HANDLERS: &[(&str, HandlerFn)] = &[
    ("ChangeWorkMode", change_work_mode),
    ("PollUserStatus", poll_user_status),
    ("ReadyForService", ready_for_service),
    ("ResetAgentState", reset_agent_state),
    ("SignInGroup", sign_in_group),
    ("SignOutGroup", sign_out_group),
    ("TakeBreak", take_break),
];

/// Records the workstation a request came from, when it names one.
fn note_device(instance: &mut Instance, user_id: &str, req: &Req<'_>) {
    if let (Some(device), Some(user)) = (req.get("DeviceId"), instance.users.get_mut(user_id)) {
        device.clone_into(user.agent.device_id.get_or_insert_with(String::new));
    }
}

fn state_of(instance: &Instance, user_id: &str) -> UserState {
    instance
        .users
        .get(user_id)
        .map_or(UserState::Offline, |u| u.agent.state)
}

fn reset_agent_state(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let user_id = acting_user(instance, req)?;
    note_device(instance, &user_id, req);
    // A reset takes the agent out of its call: the call ends unless others are still in it.
    let job = instance
        .users
        .get(&user_id)
        .and_then(|u| u.agent.job_id.clone());
    if let Some(job) = job.filter(|j| instance.calls.contains_key(j)) {
        let others = instance.calls[&job]
            .live_agents()
            .iter()
            .any(|a| *a != user_id);
        if others {
            instance.leave(&job, &user_id, now);
        } else {
            instance.release(&job, &user_id, "AgentReset", now);
        }
        instance.after_call_work.remove(&user_id);
    }
    if signed_in(state_of(instance, &user_id)) {
        if let Some(user) = instance.users.get_mut(&user_id) {
            user.agent.job_id = None;
            user.agent.break_code = None;
        }
        instance.set_state(&user_id, UserState::Ready, now);
    }
    Ok(data(user_context(instance, &user_id, now)))
}

fn sign_in_group(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let user_id = acting_user(instance, req)?;
    let groups = req.list("SignedSkillGroupIdList");
    if let Some(unknown) = groups
        .iter()
        .find(|g| !instance.skill_groups.contains_key(*g))
    {
        return Err(fail_args(
            "NotExists.SkillGroupId",
            [unknown.as_str(), instance.id.as_str()],
        ));
    }
    note_device(instance, &user_id, req);
    let additive = req.flag("Additivity").unwrap_or(false);
    if let Some(user) = instance.users.get_mut(&user_id) {
        let signed = &mut user.agent.signed_skill_group_ids;
        if !additive {
            signed.clear();
        }
        for group in groups {
            if !signed.contains(&group) {
                signed.push(group);
            }
        }
    }
    if state_of(instance, &user_id) == UserState::Offline {
        instance.set_state(&user_id, UserState::Ready, now);
    }
    Ok(data(user_context(instance, &user_id, now)))
}

fn sign_out_group(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let user_id = acting_user(instance, req)?;
    let state = state_of(instance, &user_id);
    if in_call(state) {
        return Err(not_in_state(&user_id, state));
    }
    note_device(instance, &user_id, req);
    if let Some(user) = instance.users.get_mut(&user_id) {
        user.agent.signed_skill_group_ids.clear();
        user.agent.job_id = None;
    }
    instance.set_state(&user_id, UserState::Offline, now);
    Ok(data(user_context(instance, &user_id, now)))
}

fn ready_for_service(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let user_id = acting_user(instance, req)?;
    let state = state_of(instance, &user_id);
    if !signed_in(state) || in_call(state) {
        return Err(not_in_state(&user_id, state));
    }
    note_device(instance, &user_id, req);
    if let (Some(outbound), Some(user)) = (
        req.flag("OutboundScenario"),
        instance.users.get_mut(&user_id),
    ) {
        user.agent.outbound_scenario = outbound;
    }
    instance.set_state(&user_id, UserState::Ready, now);
    Ok(data(user_context(instance, &user_id, now)))
}

fn take_break(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let user_id = acting_user(instance, req)?;
    let code = req.required("Code")?;
    if !instance.break_codes.is_empty() && !instance.break_codes.iter().any(|c| c == code) {
        let known = format!("Break codes are {}", instance.break_codes.join(", "));
        return Err(fail_args("Parameter.Invalid", ["Code", known.as_str()]));
    }
    let state = state_of(instance, &user_id);
    if !signed_in(state) || in_call(state) {
        return Err(not_in_state(&user_id, state));
    }
    note_device(instance, &user_id, req);
    if let Some(user) = instance.users.get_mut(&user_id) {
        user.agent.break_code = Some(code.to_owned());
    }
    instance.set_state(&user_id, UserState::Break, now);
    Ok(data(user_context(instance, &user_id, now)))
}

fn change_work_mode(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let user_id = acting_user(instance, req)?;
    let wanted = req.required("WorkMode")?;
    let mode = work_mode(wanted).ok_or_else(|| {
        fail_args(
            "Parameter.Enumeration",
            ["WorkMode", "ON_SITE, OFF_SITE, OFFICE_PHONE"],
        )
    })?;
    let state = state_of(instance, &user_id);
    if in_call(state) {
        return Err(not_in_state(&user_id, state));
    }
    note_device(instance, &user_id, req);
    if let Some(user) = instance.users.get_mut(&user_id) {
        user.agent.work_mode = mode;
        if let Some(mobile) = req.get("Mobile") {
            mobile.clone_into(&mut user.mobile);
        }
        let groups = req.list("SignedSkillGroupIdList");
        if !groups.is_empty() {
            user.agent.signed_skill_group_ids = groups;
        }
    }
    Ok(data(user_context(instance, &user_id, now)))
}

fn poll_user_status(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let user_id = acting_user(instance, req)?;
    let mut out = Map::new();
    out.insert(
        "UserContext".to_owned(),
        user_context(instance, &user_id, now),
    );
    if let Some(job) = instance
        .users
        .get(&user_id)
        .and_then(|u| u.agent.job_id.clone())
    {
        out.insert("CallContext".to_owned(), call_context(instance, &job));
    }
    out.insert("ContextId".to_owned(), json!(now));
    out.insert("ChatContexts".to_owned(), json!([]));
    Ok(data(Value::Object(out)))
}
