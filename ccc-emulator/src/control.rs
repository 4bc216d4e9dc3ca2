//! The control API, on the emulator's own port under `/_emulator/` (a path the service never
//! uses), so that tests in any language can drive the emulator: reset it to its scenario, read
//! its state, move its clock, ring an agent, and inject or clear faults. No signature is needed:
//! the emulator listens on loopback for tests.

use std::time::Duration;

use serde_json::{Value, json};

use crate::faults::{Fault, FaultId};
use crate::handlers;
use crate::service::Shared;
use crate::world::World;

/// Where control requests start.
pub(crate) const PREFIX: &str = "/_emulator/";

/// A control answer: status and JSON body.
pub(crate) struct ControlReply {
    pub(crate) status: u16,
    pub(crate) body: Value,
}

fn ok(body: Value) -> ControlReply {
    ControlReply { status: 200, body }
}

fn bad(status: u16, message: impl Into<String>) -> ControlReply {
    ControlReply {
        status,
        body: json!({ "error": message.into() }),
    }
}

type Route = fn(&Shared, &str, &Value) -> ControlReply;

/// Method, path after the prefix, handler. `faults/` takes the fault's id after it.
const ROUTES: &[(&str, &str, Route)] = &[
    ("GET", "", help),
    ("GET", "state", state),
    ("POST", "reset", reset),
    ("POST", "clock/advance", advance_clock),
    ("POST", "calls/inbound", inbound_call),
    ("GET", "faults", list_faults),
    ("POST", "faults", add_fault),
    ("DELETE", "faults", clear_faults),
    ("DELETE", "faults/", remove_fault),
];

/// Answers a request whose path starts with [`PREFIX`]. The body, when there is one, is JSON.
pub(crate) fn handle(shared: &Shared, method: &str, path: &str, body: &[u8]) -> ControlReply {
    let rest = path.strip_prefix(PREFIX).unwrap_or_default();
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return bad(400, format!("the body is not JSON: {e}")),
        }
    };
    let mut path_known = false;
    for (m, route, handler) in ROUTES {
        let (hit, arg) = match route.strip_suffix('/') {
            Some(base) if !route.is_empty() => {
                match rest.strip_prefix(base).and_then(|r| r.strip_prefix('/')) {
                    Some(arg) if !arg.is_empty() => (true, arg),
                    _ => (false, ""),
                }
            }
            _ => (rest == *route, ""),
        };
        if hit {
            path_known = true;
            if *m == method {
                return handler(shared, arg, &body);
            }
        }
    }
    if path_known {
        bad(405, format!("{method} is not allowed on {path}"))
    } else {
        bad(
            404,
            format!("no control endpoint {path}; GET {PREFIX} lists them"),
        )
    }
}

fn help(_: &Shared, _: &str, _: &Value) -> ControlReply {
    let endpoints: Vec<String> = ROUTES
        .iter()
        .map(|(m, p, _)| {
            let p = if p.ends_with('/') {
                format!("{p}{{id}}")
            } else {
                (*p).to_owned()
            };
            format!("{m} {PREFIX}{p}")
        })
        .collect();
    ok(json!({ "endpoints": endpoints }))
}

fn world_json(world: &World) -> Value {
    let instances: serde_json::Map<String, Value> = world
        .instances
        .values()
        .map(|i| {
            let users: Vec<Value> = i
                .users
                .values()
                .map(|u| {
                    let a = &u.agent;
                    json!({
                        "user_id": a.user_id,
                        "extension": a.extension,
                        "state": a.state.as_str(),
                        "since_ms": u.state_since_ms,
                        "break_code": a.break_code,
                        "job_id": a.job_id,
                        "work_mode": a.work_mode.as_str(),
                        "device_id": a.device_id,
                        "signed_skill_group_ids": a.signed_skill_group_ids,
                        "skill_levels": u.skill_levels,
                    })
                })
                .collect();
            let calls: Vec<Value> = i
                .calls
                .values()
                .map(|c| {
                    let channels: Vec<Value> = c
                        .channels
                        .iter()
                        .map(|ch| {
                            json!({
                                "channel_id": ch.id,
                                "user_id": ch.user_id,
                                "state": ch.state.as_str(),
                                "flags": ch.flags,
                            })
                        })
                        .collect();
                    json!({
                        "job_id": c.job_id,
                        "call_type": c.call_type.as_str(),
                        "calling": c.calling,
                        "called": c.called,
                        "agent_ids": c.agent_ids,
                        "established": c.established_ms.is_some(),
                        "channels": channels,
                    })
                })
                .collect();
            (
                i.id.clone(),
                json!({
                    "users": users,
                    "calls": calls,
                    "records": i.records.len(),
                    "skill_groups": i.skill_groups.keys().collect::<Vec<_>>(),
                    "numbers": i.numbers.keys().collect::<Vec<_>>(),
                }),
            )
        })
        .collect();
    json!({ "now_ms": world.now_ms(), "instances": instances })
}

fn state(shared: &Shared, _: &str, _: &Value) -> ControlReply {
    let mut world = shared.state.lock();
    world.tick();
    let mut body = world_json(&world);
    drop(world);
    if let Value::Object(map) = &mut body {
        map.insert("faults".into(), json!(shared.faults.len()));
    }
    ok(body)
}

fn reset(shared: &Shared, _: &str, _: &Value) -> ControlReply {
    shared.state.reset();
    ok(json!({ "reset": true, "now_ms": shared.state.now_ms() }))
}

fn advance_clock(shared: &Shared, _: &str, body: &Value) -> ControlReply {
    let ms = match (body.get("seconds"), body.get("milliseconds")) {
        (Some(s), None) => s.as_u64().and_then(|s| s.checked_mul(1000)),
        (None, Some(ms)) => ms.as_u64(),
        _ => None,
    };
    let Some(ms) = ms.filter(|ms| *ms <= 366 * 86_400_000) else {
        return bad(
            400,
            "give {\"seconds\": N} or {\"milliseconds\": N}, at most a year",
        );
    };
    shared.state.advance_clock(Duration::from_millis(ms));
    ok(json!({ "now_ms": shared.state.now_ms() }))
}

fn text<'v>(body: &'v Value, key: &str) -> Option<&'v str> {
    body.get(key).and_then(Value::as_str)
}

fn inbound_call(shared: &Shared, _: &str, body: &Value) -> ControlReply {
    let Some(instance) = text(body, "instance_id") else {
        return bad(
            400,
            "give instance_id, and user_id or skill_group_id (and caller if wanted)",
        );
    };
    // Without a user, the call is queued in the skill group and routed to a ready agent.
    let user = text(body, "user_id").unwrap_or_default();
    let caller = text(body, "caller").unwrap_or("13900000000");
    let group = text(body, "skill_group_id");
    let mut world = shared.state.lock();
    world.tick();
    match handlers::ring_inbound(&mut world, instance, user, caller, group) {
        Ok(job) => {
            let agent = world
                .instances
                .get(instance)
                .and_then(|i| i.calls.get(&job))
                .and_then(|c| c.agent_ids.first().cloned());
            ok(json!({ "job_id": job, "user_id": agent }))
        }
        Err(f) => {
            let status = match f.code {
                c if c.starts_with("NotExists") => 404,
                "MissingParameter" => 400,
                _ => 409,
            };
            bad(status, format!("{}: {}", f.code, f.args.join(", ")))
        }
    }
}

fn list_faults(shared: &Shared, _: &str, _: &Value) -> ControlReply {
    ok(json!({ "faults": shared.faults.len() }))
}

/// `{"kind": "throttling", "action": "MakeCall", "times": 2}`; kinds: throttling,
/// internal_error, service_unavailable, drop_connection, malformed_json, not_json,
/// truncated_body, delay (with `delay_ms`), error (with `status`, `code`, `message`).
fn add_fault(shared: &Shared, _: &str, body: &Value) -> ControlReply {
    let Some(kind) = text(body, "kind") else {
        return bad(400, "give a fault's kind, e.g. {\"kind\": \"throttling\"}");
    };
    let mut fault = match kind {
        "throttling" => Fault::throttling(),
        "internal_error" => Fault::internal_error(),
        "service_unavailable" => Fault::service_unavailable(),
        "drop_connection" => Fault::drop_connection(),
        "malformed_json" => Fault::malformed_json(),
        "not_json" => Fault::not_json(),
        "truncated_body" => Fault::truncated_body(),
        "delay" => match body.get("delay_ms").and_then(Value::as_u64) {
            Some(ms) if ms <= 600_000 => Fault::delay(Duration::from_millis(ms)),
            _ => return bad(400, "a delay needs delay_ms, at most 600000"),
        },
        "error" => {
            let status = body
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| (400..600).contains(s));
            match (status, text(body, "code")) {
                (Some(status), Some(code)) => {
                    Fault::error(status, code, text(body, "message").unwrap_or(code))
                }
                _ => return bad(400, "an error needs status (400-599) and code"),
            }
        }
        other => return bad(400, format!("unknown fault kind `{other}`")),
    };
    if let Some(action) = text(body, "action") {
        fault = fault.for_action(action);
    }
    if let Some(times) = body.get("times") {
        match times.as_u64() {
            Some(n) => fault = fault.times(n),
            None => return bad(400, "times is a whole number"),
        }
    }
    if let Some(rate) = body.get("rate") {
        match rate.as_f64() {
            Some(p) => fault = fault.rate(p),
            None => return bad(400, "rate is a number from 0 to 1"),
        }
    }
    let id = shared.faults.inject(fault);
    ok(json!({ "id": id.raw() }))
}

fn clear_faults(shared: &Shared, _: &str, _: &Value) -> ControlReply {
    shared.faults.clear();
    ok(json!({ "faults": 0 }))
}

fn remove_fault(shared: &Shared, id: &str, _: &Value) -> ControlReply {
    match id.parse::<u64>() {
        Ok(n) if shared.faults.remove(FaultId::from_raw(n)) => ok(json!({ "removed": n })),
        Ok(n) => bad(404, format!("no fault {n}")),
        Err(_) => bad(400, format!("`{id}` is not a fault id")),
    }
}
