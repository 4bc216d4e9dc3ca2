//! Realtime states and records: agents' live states, their state history, call detail records
//! and the historical agent report, all computed from the same calls and state changes. Paging,
//! time windows, filters and sorting work on that data; `TotalCount` counts what matched.

use serde_json::{Value, json};

use super::kit::{
    self, Answer, Failure, HandlerFn, Page, Req, data, fail_args, fail_with, instance_mut, user_of,
};
use crate::agent::UserState;
use crate::world::{CallRecord, CallType, Instance, StateLog, World};

pub(crate) const HANDLERS: &[(&str, HandlerFn)] = &[
    ("GetCallDetailRecord", get_call_detail_record),
    ("ListAgentStateLogs", list_agent_state_logs),
    ("ListCallDetailRecords", list_call_detail_records),
    ("ListCallDetailRecordsV2", list_call_detail_records),
    ("ListHistoricalAgentReport", list_historical_agent_report),
    ("ListRealtimeAgentStates", list_realtime_agent_states),
    ("ListRecentCallDetailRecords", list_call_detail_records),
];

const MS_PER_DAY: i64 = 86_400_000;

/// The time window a request asks about: `StartTime` (default: the start of the clock's day)
/// to `EndTime` or `StopTime` (default: now), milliseconds.
fn window(req: &Req<'_>, now: i64, default_span_ms: Option<i64>) -> Result<(i64, i64), Failure> {
    let parse = |name: &'static str| -> Result<Option<i64>, Failure> {
        req.get(name)
            .map(|v| {
                v.trim()
                    .parse::<i64>()
                    .map_err(|_| fail_with("InvalidParameter", name))
            })
            .transpose()
    };
    let end = match parse("EndTime")? {
        Some(t) => t,
        None => parse("StopTime")?.unwrap_or(now),
    };
    let start = parse("StartTime")?.unwrap_or(match default_span_ms {
        Some(span) => end.saturating_sub(span),
        None => now - now.rem_euclid(MS_PER_DAY),
    });
    if start > end {
        return Err(fail_args(
            "Parameter.Invalid",
            ["StartTime", "StartTime is after EndTime"],
        ));
    }
    Ok((start, end))
}

/// How the realtime and log APIs name a state: the spec's enumeration `RealtimeAgentState`.
fn state_name(state: UserState) -> &'static str {
    match state {
        UserState::Offline => "Offline",
        UserState::Ready => "Ready",
        UserState::Break => "Break",
        UserState::Talking => "Talking",
        UserState::Working => "ACW",
        UserState::Dialing => "Dialing",
        UserState::Ringing => "Ringing",
    }
}

fn display_name(instance: &Instance, user_id: &str) -> String {
    instance
        .users
        .get(user_id)
        .map(|u| u.display_name.clone())
        .unwrap_or_default()
}

fn list_realtime_agent_states(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let page = Page::of(req)?;
    let agents = req.list("AgentIdList");
    let states: Vec<String> = req
        .list("StateList")
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let modes = req.list("WorkModeList");
    let group = req.get("SkillGroupId");
    let name = req.get("AgentName").or(req.get("Query"));
    let outbound = req.flag("OutboundScenario");
    let mut items = Vec::new();
    for user in instance.users.values() {
        let agent = &user.agent;
        let state = state_name(agent.state);
        let keep = (agents.is_empty() || agents.contains(&agent.user_id))
            && (states.is_empty() || states.contains(&state.to_ascii_lowercase()))
            && (modes.is_empty() || modes.iter().any(|m| m == agent.work_mode.as_str()))
            && group.is_none_or(|g| {
                user.skill_levels.contains_key(g)
                    || agent.signed_skill_group_ids.iter().any(|s| s == g)
            })
            && name.is_none_or(|n| user.display_name.contains(n) || agent.user_id.contains(n))
            && outbound.is_none_or(|o| o == agent.outbound_scenario);
        if !keep {
            continue;
        }
        let call = agent.job_id.as_ref().and_then(|j| instance.calls.get(j));
        let counter_party = call.map(|c| {
            if c.calling == agent.extension {
                c.called.clone()
            } else {
                c.calling.clone()
            }
        });
        let groups: Vec<&String> = agent.signed_skill_group_ids.iter().collect();
        let group_names: Vec<String> = groups
            .iter()
            .filter_map(|g| instance.skill_groups.get(*g).map(|s| s.name.clone()))
            .collect();
        items.push(json!({
            "AgentId": agent.user_id,
            "AgentName": user.display_name,
            "Extension": agent.extension,
            "InstanceId": instance.id,
            "State": state,
            "StateCode": agent.break_code.clone().unwrap_or_default(),
            "BreakCode": agent.break_code,
            // Seconds in the current state, as the API reference defines it.
            "StateTime": (now - user.state_since_ms) / 1000,
            "Duration": now - user.state_since_ms,
            "CallType": call.map(|c| c.call_type.as_str()),
            "CounterParty": counter_party,
            "SkillGroupIdList": groups,
            "SkillGroupNameList": group_names,
            "WorkMode": agent.work_mode.as_str(),
            "Mobile": user.mobile,
            "OutboundScenario": agent.outbound_scenario,
        }));
    }
    page.answer(items, |v| v)
}

fn log_entry(log: &StateLog, now: i64, instance: &Instance) -> Value {
    let user = instance.users.get(&log.user_id);
    json!({
        "StartTime": log.start_ms,
        "Duration": log.end_ms.unwrap_or(now) - log.start_ms,
        "State": state_name(log.state),
        "StateCode": log.break_code.clone().unwrap_or_default(),
        "BreakCode": log.break_code,
        "WorkMode": user.map(|u| u.agent.work_mode.as_str()),
        "OutboundScenario": user.map(|u| u.agent.outbound_scenario),
    })
}

fn list_agent_state_logs(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let agent = req.required("AgentId")?;
    user_of(instance, agent)?;
    let (start, end) = window(req, now, None)?;
    let logs: Vec<Value> = instance
        .state_logs
        .iter()
        .filter(|l| l.user_id == agent && l.start_ms <= end && l.end_ms.unwrap_or(now) >= start)
        .map(|l| log_entry(l, now, instance))
        .collect();
    Ok(data(Value::Array(logs)))
}

fn record_entry(instance: &Instance, r: &CallRecord) -> Value {
    let names: Vec<String> = r
        .agent_ids
        .iter()
        .map(|a| display_name(instance, a))
        .collect();
    let group_names: Vec<String> = r
        .skill_group_ids
        .iter()
        .filter_map(|g| instance.skill_groups.get(g).map(|s| s.name.clone()))
        .collect();
    json!({
        "ContactId": r.contact_id,
        "InstanceId": instance.id,
        "ContactType": r.call_type.contact_type(),
        "ContactDisposition": r.disposition,
        "CallingNumber": r.calling,
        "CalledNumber": r.called,
        "AgentIds": r.agent_ids.join(","),
        "?AgentNames": names.join(","),
        "SkillGroupIds": r.skill_group_ids.join(","),
        "?SkillGroupNames": group_names.join(","),
        "StartTime": r.start_ms,
        "?EstablishedTime": r.established_ms,
        "?ReleaseTime": r.release_ms,
        "CallDuration": (r.duration_ms() / 1000).to_string(),
        "?Duration": r.duration_ms() / 1000,
        "?TalkTime": r.talk_ms() / 1000,
        "?RingTime": r.ring_ms() / 1000,
        "?HeldTime": r.held_ms / 1000,
        "?TransferCount": r.transfers,
        "?ReleaseInitiator": r.release_initiator,
        "?ReleaseReason": r.release_reason,
        "?RecordingReady": false,
        "?SatisfactionSurveyOffered": false,
        "?AnalyticsReportReady": false,
        "?MediaType": "VOICE",
    })
}

fn list_call_detail_records(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let page = Page::of(req)?;
    let (start, end) = window(req, now, None)?;
    let agent = req.get("AgentId");
    let mut groups = req.list("SkillGroupIdList");
    groups.extend(req.get("SkillGroupId").map(str::to_owned));
    let contact = req.get("ContactId");
    let calling = req.get("CallingNumber");
    let called = req.get("CalledNumber");
    let mut types = req.list("ContactTypeList");
    types.extend(req.get("ContactType").map(str::to_owned));
    let mut matched: Vec<&CallRecord> = instance
        .records
        .iter()
        .filter(|r| r.start_ms >= start && r.start_ms <= end)
        .filter(|r| agent.is_none_or(|a| r.agent_ids.iter().any(|x| x == a)))
        .filter(|r| groups.is_empty() || r.skill_group_ids.iter().any(|x| groups.contains(x)))
        .filter(|r| contact.is_none_or(|c| r.contact_id == c))
        .filter(|r| calling.is_none_or(|c| r.calling == c))
        .filter(|r| called.is_none_or(|c| r.called == c))
        .filter(|r| {
            types.is_empty()
                || types
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(r.call_type.contact_type()))
        })
        .collect();
    let ascending = req
        .get("SortOrder")
        .is_some_and(|o| o.eq_ignore_ascii_case("ASC"));
    // Newest first unless asked otherwise; the contact id breaks ties, so order is stable.
    matched.sort_by(|a, b| {
        let (a, b) = if ascending { (a, b) } else { (b, a) };
        a.start_ms
            .cmp(&b.start_ms)
            .then_with(|| a.contact_id.cmp(&b.contact_id))
    });
    let items = matched.iter().map(|r| record_entry(instance, r)).collect();
    page.answer(items, |v| v)
}

fn get_call_detail_record(world: &mut World, req: &Req<'_>) -> Answer {
    let instance = instance_mut(world, req)?;
    let contact = req.required("ContactId")?;
    let record = instance
        .records
        .iter()
        .find(|r| r.contact_id == contact)
        .ok_or_else(|| fail_args("NotExists.ContactId", [contact, instance.id.as_str()]))?;
    let mut data = record_entry(instance, record);
    if let Value::Object(map) = &mut data {
        // Whole milliseconds here, as the page documents a Long.
        map.insert("CallDuration".into(), json!(record.duration_ms() / 1000));
        let events: Vec<Value> = record
            .agent_ids
            .iter()
            .map(|a| {
                let mut seq = vec![json!({"Event": "Offered", "EventTime": record.start_ms})];
                if let Some(t) = record.established_ms {
                    seq.push(json!({"Event": "Established", "EventTime": t}));
                }
                seq.push(json!({"Event": "Released", "EventTime": record.release_ms}));
                json!({
                    "AgentId": a,
                    "AgentName": display_name(instance, a),
                    "EventSequence": seq,
                })
            })
            .collect();
        map.insert("AgentEvents".into(), Value::Array(events));
    }
    Ok(kit::data(data))
}

fn secs(ms: i64) -> i64 {
    ms / 1000
}

fn rate(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// One agent's figures over a window, gathered in one pass over the records and the state log.
#[derive(Default)]
struct AgentFigures {
    inbound: i64,
    inbound_handled: i64,
    inbound_transferred: i64,
    inbound_talk_ms: i64,
    outbound: i64,
    outbound_answered: i64,
    outbound_talk_ms: i64,
    calls: i64,
    talk_ms: i64,
    /// Milliseconds in each state, clipped to the window.
    ready_ms: i64,
    break_ms: i64,
    work_ms: i64,
    talking_ms: i64,
    logged_in_ms: i64,
}

fn list_historical_agent_report(world: &mut World, req: &Req<'_>) -> Answer {
    let now = world.now_ms();
    let instance = instance_mut(world, req)?;
    let page = Page::of(req)?;
    let (start, end) = window(req, now, None)?;
    let wanted = req.list("AgentIdList");
    let group = req.get("SkillGroupId");
    let mut figures: std::collections::HashMap<&str, AgentFigures> =
        std::collections::HashMap::new();
    for r in instance
        .records
        .iter()
        .filter(|r| r.start_ms >= start && r.start_ms <= end)
    {
        for agent in &r.agent_ids {
            let f = figures.entry(agent.as_str()).or_default();
            let answered = i64::from(r.established_ms.is_some());
            // The agent's own time in the call, not the whole call's.
            let talk = r.agent_talk_ms.get(agent).copied().unwrap_or(0);
            f.calls += 1;
            f.talk_ms += talk;
            match r.call_type {
                CallType::Inbound => {
                    f.inbound += 1;
                    f.inbound_handled += answered;
                    f.inbound_transferred += i64::from(r.transfers > 0);
                    f.inbound_talk_ms += talk;
                }
                CallType::Outbound => {
                    f.outbound += 1;
                    f.outbound_answered += answered;
                    f.outbound_talk_ms += talk;
                }
                CallType::Internal => {}
            }
        }
    }
    for log in &instance.state_logs {
        let ms = log
            .end_ms
            .unwrap_or(now)
            .min(end)
            .saturating_sub(log.start_ms.max(start))
            .max(0);
        if ms == 0 {
            continue;
        }
        let f = figures.entry(log.user_id.as_str()).or_default();
        f.logged_in_ms += ms;
        match log.state {
            UserState::Ready => f.ready_ms += ms,
            UserState::Break => f.break_ms += ms,
            UserState::Working => f.work_ms += ms,
            UserState::Talking => f.talking_ms += ms,
            _ => {}
        }
    }
    let users: Vec<&crate::world::User> = instance
        .users
        .values()
        .filter(|u| wanted.is_empty() || wanted.contains(&u.agent.user_id))
        .filter(|u| group.is_none_or(|g| u.skill_levels.contains_key(g)))
        .collect();
    let empty = AgentFigures::default();
    page.answer(users, |user| {
        let id = user.agent.user_id.as_str();
        let f = figures.get(id).unwrap_or(&empty);
        json!({
            "AgentId": id,
            "AgentName": user.display_name,
            "SkillGroupIds": user.skill_levels.keys().cloned().collect::<Vec<_>>().join(","),
            "Inbound": {
                "CallsOffered": f.inbound,
                "CallsRinged": f.inbound,
                "CallsHandled": f.inbound_handled,
                "CallsTransferred": f.inbound_transferred,
                "TotalTalkTime": secs(f.inbound_talk_ms),
                "HandleRate": rate(f.inbound_handled, f.inbound),
            },
            "Outbound": {
                "CallsDialed": f.outbound,
                "CallsAnswered": f.outbound_answered,
                "TotalTalkTime": secs(f.outbound_talk_ms),
                "AnswerRate": rate(f.outbound_answered, f.outbound),
            },
            "Overall": {
                "TotalCalls": f.calls,
                "TotalTalkTime": secs(f.talk_ms),
                "TotalReadyTime": secs(f.ready_ms),
                "TotalBreakTime": secs(f.break_ms),
                "TotalWorkTime": secs(f.work_ms),
                "TotalLoggedInTime": secs(f.logged_in_ms),
                "OccupancyRate": rate(f.talking_ms + f.work_ms, f.logged_in_ms),
            },
        })
    })
}

#[cfg(test)]
mod tests {
    use super::state_name;
    use crate::agent::UserState;

    /// The realtime and log listings name every state by a value of the spec's
    /// `RealtimeAgentState`, each value once, and every value of it names a state.
    #[test]
    fn realtime_state_names_are_the_specs() {
        let spec = crate::embedded_spec().unwrap_or_else(|e| panic!("{e}"));
        let e = spec
            .product
            .enums
            .iter()
            .find(|e| e.name == "RealtimeAgentState")
            .expect("the spec has RealtimeAgentState");
        let mut theirs: Vec<&str> = e.values.iter().map(|v| v.value.as_str()).collect();
        let mut ours: Vec<&str> = UserState::ALL.into_iter().map(state_name).collect();
        ours.sort_unstable();
        theirs.sort_unstable();
        assert_eq!(ours, theirs);
        assert_eq!(state_name(UserState::Working), "ACW");
    }
}
