//! The control API under `/_emulator/`: reset, state, clock, inbound calls and faults, over
//! plain HTTP as a test in any language would use it.

mod common;

use ccc_emulator::{Emulator, RunningEmulator, UserState};
use common::{V3, on_loopback, raw_request, send_raw};
use serde_json::{Value, json};

async fn start() -> RunningEmulator {
    on_loopback(&Emulator::default()).await
}

async fn control(emu: &RunningEmulator, method: &str, path: &str, body: Value) -> (u16, Value) {
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let headers = [
        ("host".to_owned(), emu.addr().to_string()),
        ("content-type".to_owned(), "application/json".to_owned()),
    ];
    let answer = send_raw(emu.addr(), &raw_request(method, path, &headers, &body)).await;
    (answer.status.unwrap(), answer.json())
}

fn user<'v>(state: &'v Value, id: &str) -> &'v Value {
    state["instances"]["ccc-test"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user_id"] == id)
        .unwrap()
}

#[tokio::test]
async fn rings_advances_inspects_and_resets() {
    let emu = start().await;
    let ann = "agent-ann@ccc-test";
    let (status, help) = control(&emu, "GET", "/_emulator/", Value::Null).await;
    assert_eq!(status, 200);
    assert!(
        help["endpoints"]
            .as_array()
            .unwrap()
            .contains(&json!("POST /_emulator/calls/inbound"))
    );

    let ring = json!({"instance_id": "ccc-test", "user_id": ann, "caller": "13911112222"});
    let (status, body) = control(&emu, "POST", "/_emulator/calls/inbound", ring.clone()).await;
    assert_eq!(status, 409, "an OFFLINE agent cannot be rung: {body}");
    assert!(body["error"].as_str().unwrap().starts_with("UserBusy"));
    emu.state()
        .set_agent_state("ccc-test", ann, UserState::Ready);
    let (status, body) = control(&emu, "POST", "/_emulator/calls/inbound", ring).await;
    assert_eq!(status, 200, "{body}");
    let job = body["job_id"].as_str().unwrap().to_owned();

    let (_, state) = control(&emu, "GET", "/_emulator/state", Value::Null).await;
    assert_eq!(user(&state, ann)["state"], "RINGING");
    assert_eq!(user(&state, ann)["job_id"], job);
    let calls = &state["instances"]["ccc-test"]["calls"];
    assert_eq!(calls[0]["job_id"], job);
    assert_eq!(calls[0]["calling"], "13911112222");
    let before = state["now_ms"].as_i64().unwrap();

    // Unanswered past the ring timeout: the call gives up and leaves a record.
    let (status, body) = control(
        &emu,
        "POST",
        "/_emulator/clock/advance",
        json!({"seconds": 21}),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body["now_ms"].as_i64().unwrap() - before >= 21_000);
    let (_, state) = control(&emu, "GET", "/_emulator/state", Value::Null).await;
    assert_eq!(user(&state, ann)["state"], "READY");
    assert_eq!(state["instances"]["ccc-test"]["records"], 1);

    // Queued in a skill group: routed to a ready agent of the group.
    let (status, body) = control(
        &emu,
        "POST",
        "/_emulator/calls/inbound",
        json!({"instance_id": "ccc-test", "skill_group_id": "skg-sales@ccc-test"}),
    )
    .await;
    assert_eq!(
        status, 409,
        "Ann is ready but not signed into sales: {body}"
    );
    emu.state().update_agent("ccc-test", ann, |a| {
        a.signed_skill_group_ids = vec!["skg-sales@ccc-test".into()];
    });
    let (status, body) = control(
        &emu,
        "POST",
        "/_emulator/calls/inbound",
        json!({"instance_id": "ccc-test", "skill_group_id": "skg-sales@ccc-test"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user_id"], ann);

    let (status, _) = control(&emu, "POST", "/_emulator/reset", Value::Null).await;
    assert_eq!(status, 200);
    let (_, state) = control(&emu, "GET", "/_emulator/state", Value::Null).await;
    assert_eq!(user(&state, ann)["state"], "OFFLINE");
    assert_eq!(state["instances"]["ccc-test"]["records"], 0);
}

#[tokio::test]
async fn faults_are_set_and_cleared() {
    let emu = start().await;
    let reset = || {
        V3::new("ResetAgentState")
            .param("InstanceId", "ccc-test")
            .param("DeviceId", "d")
    };
    let (status, body) = control(
        &emu,
        "POST",
        "/_emulator/faults",
        json!({"kind": "throttling", "action": "ResetAgentState", "times": 1}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_u64().unwrap();
    send_raw(emu.addr(), &reset().build(emu.addr()))
        .await
        .expect_error(400, "Throttling.User");
    assert_eq!(
        send_raw(emu.addr(), &reset().build(emu.addr()))
            .await
            .status,
        Some(200)
    );
    // Used up: gone already.
    let (status, _) = control(
        &emu,
        "DELETE",
        &format!("/_emulator/faults/{id}"),
        Value::Null,
    )
    .await;
    assert_eq!(status, 404);

    let (_, body) = control(
        &emu,
        "POST",
        "/_emulator/faults",
        json!({"kind": "error", "status": 503, "code": "ServiceUnavailable"}),
    )
    .await;
    let id = body["id"].as_u64().unwrap();
    send_raw(emu.addr(), &reset().build(emu.addr()))
        .await
        .expect_error(503, "ServiceUnavailable");
    let (status, _) = control(
        &emu,
        "DELETE",
        &format!("/_emulator/faults/{id}"),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    control(
        &emu,
        "POST",
        "/_emulator/faults",
        json!({"kind": "not_json"}),
    )
    .await;
    let (_, body) = control(&emu, "GET", "/_emulator/faults", Value::Null).await;
    assert_eq!(body["faults"], 1);
    control(&emu, "DELETE", "/_emulator/faults", Value::Null).await;
    assert!(emu.faults().is_empty());
}

#[tokio::test]
async fn mistakes_get_clear_answers() {
    let emu = start().await;
    let cases = [
        ("GET", "/_emulator/nowhere", Value::Null, 404),
        ("DELETE", "/_emulator/state", Value::Null, 405),
        (
            "POST",
            "/_emulator/clock/advance",
            json!({"seconds": -1}),
            400,
        ),
        (
            "POST",
            "/_emulator/faults",
            json!({"kind": "gremlins"}),
            400,
        ),
        (
            "POST",
            "/_emulator/calls/inbound",
            json!({"user_id": "x"}),
            400,
        ),
        (
            "POST",
            "/_emulator/calls/inbound",
            json!({"instance_id": "nope", "user_id": "x"}),
            404,
        ),
        ("DELETE", "/_emulator/faults/abc", Value::Null, 400),
    ];
    for (method, path, body, want) in cases {
        let (status, answer) = control(&emu, method, path, body).await;
        assert_eq!(status, want, "{method} {path}: {answer}");
        assert!(answer["error"].is_string(), "{answer}");
    }
    let headers = [("host".to_owned(), emu.addr().to_string())];
    let answer = send_raw(
        emu.addr(),
        &raw_request("POST", "/_emulator/faults", &headers, b"{not json"),
    )
    .await;
    assert_eq!(answer.status, Some(400));
    assert!(answer.text().contains("not JSON"));
}
