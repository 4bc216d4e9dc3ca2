//! What the handlers share, in one place: the request's parameters, failures, lookups of the
//! instance and user a request names, paging, and the contexts several actions answer with.

use serde_json::{Map, Value, json};

use crate::agent::{SEED_USER, UserState};
use crate::world::{Instance, World};

/// An error answer before it is rendered: a code of the spec (or of the emulator's own list) and
/// the values for its message's `%s`.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: &'static str,
    pub(crate) args: Vec<String>,
}

pub(crate) fn fail(code: &'static str) -> Failure {
    Failure {
        code,
        args: Vec::new(),
    }
}

pub(crate) fn fail_with(code: &'static str, arg: impl Into<String>) -> Failure {
    Failure {
        code,
        args: vec![arg.into()],
    }
}

pub(crate) fn fail_args<const N: usize>(code: &'static str, args: [&str; N]) -> Failure {
    Failure {
        code,
        args: args.iter().map(|a| (*a).to_owned()).collect(),
    }
}

/// A request's parameters, decoded.
pub(crate) struct Req<'a> {
    pub(crate) params: &'a [(String, String)],
}

impl<'a> Req<'a> {
    /// A parameter's value; an empty value counts as absent.
    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        self.params
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// A parameter the action cannot do without.
    pub(crate) fn required(&self, name: &'static str) -> Result<&'a str, Failure> {
        self.get(name)
            .ok_or_else(|| fail_with("MissingParameter", name))
    }

    /// A boolean parameter (already checked to parse by the dispatcher).
    pub(crate) fn flag(&self, name: &str) -> Option<bool> {
        self.get(name)
            .map(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// A list parameter, as the API sends them: JSON array text (`["a","b"]`), comma-separated
    /// text, or flat items (`Name.1`, `Name.2`).
    pub(crate) fn list(&self, name: &str) -> Vec<String> {
        if let Some(text) = self.get(name) {
            let text = text.trim();
            if text.starts_with('[')
                && let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text)
            {
                return items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
            }
            return text
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        let mut flat: Vec<(usize, &str)> = self
            .params
            .iter()
            .filter_map(|(k, v)| {
                let n = k.strip_prefix(name)?.strip_prefix('.')?.parse().ok()?;
                Some((n, v.as_str()))
            })
            .collect();
        flat.sort_unstable();
        flat.into_iter().map(|(_, v)| v.to_owned()).collect()
    }
}

/// What a handler answers: the response's top-level fields.
pub(crate) type Answer = Result<Map<String, Value>, Failure>;

/// A handler of one action.
pub(crate) type HandlerFn = fn(&mut World, &Req<'_>) -> Answer;

/// The checks every action gets, modelled or not: the instance, user and skill group a request
/// names must exist.
pub(crate) fn check_references(world: &World, req: &Req<'_>) -> Result<(), Failure> {
    let Some(instance_id) = req.get("InstanceId") else {
        return Ok(());
    };
    let instance = world
        .instances
        .get(instance_id)
        .ok_or_else(|| fail_with("NotExists.InstanceId", instance_id))?;
    if let Some(user) = req.get("UserId") {
        user_of(instance, user)?;
    }
    if let Some(group) = req.get("SkillGroupId")
        && !instance.skill_groups.contains_key(group)
    {
        return Err(fail_args("NotExists.SkillGroupId", [group, instance_id]));
    }
    if let Some(job) = req.get("JobId") {
        match instance.calls.get(job) {
            Some(call) => {
                if let Some(channel) = req.get("ChannelId")
                    && !call.channels.iter().any(|c| c.id == channel)
                {
                    return Err(fail_args("NotExists.ChannelId", [channel, job]));
                }
            }
            None if instance.records.iter().any(|r| r.contact_id == job) => {}
            None => return Err(fail_with("NotExists.JobId", job)),
        }
    }
    Ok(())
}

/// The instance a request names (`InstanceId`, required).
pub(crate) fn instance_mut<'w>(
    world: &'w mut World,
    req: &Req<'_>,
) -> Result<&'w mut Instance, Failure> {
    let id = req.required("InstanceId")?;
    world
        .instances
        .get_mut(id)
        .ok_or_else(|| fail_with("NotExists.InstanceId", id))
}

/// Fails unless the instance has this user.
pub(crate) fn user_of<'i>(instance: &'i Instance, user_id: &str) -> Result<&'i str, Failure> {
    instance
        .users
        .get_key_value(user_id)
        .map(|(k, _)| k.as_str())
        .ok_or_else(|| fail_args("NotExists.UserId", [user_id, &instance.id]))
}

/// The user a request acts for: `UserId`, else the instance's default user (else
/// [`SEED_USER`], as the caller's own user stands in for a missing `UserId` at the service).
pub(crate) fn acting_user(instance: &Instance, req: &Req<'_>) -> Result<String, Failure> {
    let user = req
        .get("UserId")
        .or(instance.default_user.as_deref())
        .unwrap_or(SEED_USER);
    user_of(instance, user).map(str::to_owned)
}

/// One response field set: `Data` holding `data`.
pub(crate) fn data(data: Value) -> Map<String, Value> {
    let mut top = Map::new();
    top.insert("Data".to_owned(), data);
    top
}

/// The service's answer to an operation the agent's current state does not allow.
pub(crate) fn not_in_state(user_id: &str, state: UserState) -> Failure {
    fail_args("InvalidOperation.UserState", [user_id, state.as_str()])
}

/// An agent's `UserContext`, every field any action's tree may take (the ones only some trees
/// have are offered, see [`crate::respond::OFFERED`]; each action's writer keeps
/// the ones its tree has).
pub(crate) fn user_context(instance: &Instance, user_id: &str, now_ms: i64) -> Value {
    let Some(user) = instance.users.get(user_id) else {
        return Value::Null;
    };
    let agent = &user.agent;
    let mut context = Map::new();
    let mut put = |k: &str, v: Value| {
        context.insert(k.to_owned(), v);
    };
    put("UserId", json!(agent.user_id));
    put("InstanceId", json!(instance.id));
    put("Extension", json!(agent.extension));
    put("UserState", json!(agent.state.as_str()));
    put("WorkMode", json!(agent.work_mode.as_str()));
    put(
        "DeviceId",
        json!(agent.device_id.as_deref().unwrap_or_default()),
    );
    put("OutboundScenario", json!(agent.outbound_scenario));
    put(
        "SignedSkillGroupIdList",
        json!(agent.signed_skill_group_ids),
    );
    if let Some(code) = &agent.break_code {
        put("BreakCode", json!(code));
    }
    if let Some(job) = &agent.job_id {
        put("JobId", json!(job));
    }
    if !user.mobile.is_empty() {
        put("?Mobile", json!(user.mobile));
    }
    put("?Heartbeat", json!(now_ms));
    put("?Reserved", json!(user.state_since_ms));
    Value::Object(context)
}

/// A call's `CallContext`.
pub(crate) fn call_context(instance: &Instance, job_id: &str) -> Value {
    let Some(call) = instance.calls.get(job_id) else {
        return Value::Null;
    };
    let channels: Vec<Value> = call
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut ch = json!({
                "ChannelId": c.id,
                "ChannelState": c.state.as_str(),
                "?ChannelFlags": json!(c.flags).to_string(),
                "CallType": call.call_type.as_str(),
                "Destination": c.destination,
                "Originator": c.originator,
                "JobId": call.job_id,
                "Timestamp": c.timestamp_ms,
                "?Index": i,
            });
            if let (Some(user), Some(ext), Value::Object(m)) = (&c.user_id, &c.extension, &mut ch) {
                m.insert("UserId".into(), json!(user));
                m.insert("UserExtension".into(), json!(ext));
            }
            if let (Some(group), Value::Object(m)) = (&call.skill_group_id, &mut ch) {
                m.insert("?SkillGroupId".into(), json!(group));
            }
            if let (Some(reason), Value::Object(m)) = (&c.release_reason, &mut ch) {
                m.insert("ReleaseReason".into(), json!(reason));
            }
            ch
        })
        .collect();
    json!({
        "InstanceId": instance.id,
        "JobId": call.job_id,
        "?CallType": call.call_type.as_str(),
        "ChannelContexts": channels,
    })
}

/// `PageNumber` and `PageSize` as the service bounds them: a page from 1, 1 to 100 items.
pub(crate) struct Page {
    pub(crate) number: usize,
    pub(crate) size: usize,
}

impl Page {
    pub(crate) fn of(req: &Req<'_>) -> Result<Page, Failure> {
        let get = |name: &'static str| -> Result<i64, Failure> {
            let text = req.required(name)?;
            text.trim()
                .parse::<i64>()
                .map_err(|_| fail_with("InvalidParameter", name))
        };
        let (number, size) = (get("PageNumber")?, get("PageSize")?);
        if number < 1 {
            return Err(fail_args("Parameter.Minimum", ["PageNumber", "1"]));
        }
        if size < 1 {
            return Err(fail_args("Parameter.Minimum", ["PageSize", "1"]));
        }
        if size > 100 {
            return Err(fail_args("Parameter.Maximum", ["PageSize", "100"]));
        }
        Ok(Page {
            number: usize::try_from(number).unwrap_or(usize::MAX),
            size: usize::try_from(size).unwrap_or(100),
        })
    }

    /// `Data` of a listing: this page of `items` (only its items rendered), with the paging
    /// fields.
    pub(crate) fn answer<T>(&self, items: Vec<T>, render: impl FnMut(T) -> Value) -> Answer {
        let total = items.len();
        let list: Vec<Value> = items
            .into_iter()
            .skip(self.number.saturating_sub(1).saturating_mul(self.size))
            .take(self.size)
            .map(render)
            .collect();
        Ok(data(json!({
            "List": list,
            "PageNumber": self.number,
            "PageSize": self.size,
            "TotalCount": total,
        })))
    }
}
