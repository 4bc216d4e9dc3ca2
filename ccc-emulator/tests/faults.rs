//! Injected faults: each kind, per action or for all, a number of times or at a seeded rate.

mod common;

use std::time::{Duration, Instant};

use ccc_emulator::{Emulator, Fault, RunningEmulator};
use common::{Answer, V1, V3, on_loopback, send_raw};

async fn reset_agent(emu: &RunningEmulator) -> Answer {
    let req = V3::new("ResetAgentState")
        .param("InstanceId", "ccc-test")
        .param("DeviceId", "d");
    send_raw(emu.addr(), &req.build(emu.addr())).await
}

#[tokio::test]
async fn throttling_for_the_next_n_requests_then_normal() {
    let emu = on_loopback(&Emulator::default()).await;
    emu.faults()
        .inject(Fault::throttling().for_action("ResetAgentState").times(2));
    for _ in 0..2 {
        let body = reset_agent(&emu).await.expect_error(400, "Throttling.User");
        assert_eq!(
            body["Message"],
            "Request was denied due to user flow control."
        );
    }
    assert_eq!(reset_agent(&emu).await.status, Some(200));
    assert_eq!(emu.requests("ResetAgentState"), 3);
    assert!(emu.faults().is_empty());
    emu.emulator().reset_request_counts();
    assert_eq!(emu.requests("ResetAgentState"), 0);
}

#[tokio::test]
async fn server_errors_carry_alibaba_bodies() {
    let emu = on_loopback(&Emulator::default()).await;
    emu.faults().inject(Fault::internal_error().times(1));
    emu.faults().inject(Fault::service_unavailable().times(1));
    emu.faults()
        .inject(Fault::error(429, "Throttling", "slow down").times(1));
    let body = reset_agent(&emu).await.expect_error(500, "InternalError");
    assert!(body["Message"].as_str().unwrap().contains("unknown error"));
    reset_agent(&emu)
        .await
        .expect_error(503, "ServiceUnavailable");
    let body = reset_agent(&emu).await.expect_error(429, "Throttling");
    assert_eq!(body["Message"], "slow down");
    assert_eq!(reset_agent(&emu).await.status, Some(200));
}

#[tokio::test]
async fn v1_xml_requests_get_xml_fault_bodies() {
    let emu = on_loopback(&Emulator::default()).await;
    emu.faults().inject(Fault::service_unavailable().times(1));
    let v1 = V1::new("ResetAgentState")
        .set("Format", "XML")
        .param("InstanceId", "ccc-test")
        .param("DeviceId", "d");
    let answer = send_raw(emu.addr(), &v1.build(emu.addr())).await;
    assert_eq!(answer.status, Some(503));
    assert!(
        answer.text().contains("<Code>ServiceUnavailable</Code>"),
        "{}",
        answer.text()
    );
}

#[tokio::test]
async fn faults_can_target_one_action() {
    let emu = on_loopback(&Emulator::default()).await;
    emu.faults()
        .inject(Fault::internal_error().for_action("SomethingElse"));
    assert_eq!(reset_agent(&emu).await.status, Some(200));
    let id = emu
        .faults()
        .inject(Fault::internal_error().for_action("ResetAgentState"));
    assert_eq!(reset_agent(&emu).await.status, Some(500));
    assert_eq!(reset_agent(&emu).await.status, Some(500));
    assert!(emu.faults().remove(id));
    assert_eq!(reset_agent(&emu).await.status, Some(200));
    emu.faults().clear();
    assert!(emu.faults().is_empty());
}

#[tokio::test]
async fn delays_hold_the_answer_back() {
    let emu = on_loopback(&Emulator::default()).await;
    emu.faults()
        .inject(Fault::delay(Duration::from_millis(300)).times(1));
    let started = Instant::now();
    assert_eq!(reset_agent(&emu).await.status, Some(200));
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(reset_agent(&emu).await.status, Some(200));
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn dropped_connections_send_nothing() {
    let emu = on_loopback(&Emulator::default()).await;
    emu.faults().inject(Fault::drop_connection().times(1));
    let answer = reset_agent(&emu).await;
    assert_eq!(answer.status, None);
    assert!(answer.body.is_empty(), "{answer:?}");
    assert_eq!(reset_agent(&emu).await.status, Some(200));
    assert_eq!(emu.requests("ResetAgentState"), 2);
}

#[tokio::test]
async fn malformed_bodies_come_with_status_200() {
    let emu = on_loopback(&Emulator::default()).await;
    emu.faults().inject(Fault::malformed_json().times(1));
    emu.faults().inject(Fault::not_json().times(1));
    emu.faults()
        .inject(Fault::raw_body(200, "application/json", "[]").times(1));
    let answer = reset_agent(&emu).await;
    assert_eq!(answer.status, Some(200));
    assert_eq!(answer.text(), r#"{"RequestId": "x", "Code""#);
    assert!(serde_json::from_slice::<serde_json::Value>(&answer.body).is_err());
    let answer = reset_agent(&emu).await;
    assert_eq!(answer.status, Some(200));
    assert!(serde_json::from_slice::<serde_json::Value>(&answer.body).is_err());
    assert_eq!(reset_agent(&emu).await.text(), "[]");
}

#[tokio::test]
async fn truncated_bodies_fall_short_of_their_length() {
    let emu = on_loopback(&Emulator::default()).await;
    emu.faults().inject(Fault::truncated_body().times(1));
    let answer = reset_agent(&emu).await;
    assert_eq!(answer.status, Some(200));
    let declared: usize = answer.header("content-length").unwrap().parse().unwrap();
    assert!(!answer.body.is_empty(), "{answer:?}");
    assert!(
        answer.body.len() < declared,
        "{} of {declared}",
        answer.body.len()
    );
    assert!(answer.text().starts_with('{'));
    assert_eq!(reset_agent(&emu).await.status, Some(200));
}

#[tokio::test]
async fn rates_are_reproducible_with_a_seed() {
    async fn pattern(seed: u64) -> Vec<bool> {
        let emulator = Emulator::builder().fault_seed(seed).build();
        let emu = on_loopback(&emulator).await;
        emu.faults().inject(Fault::service_unavailable().rate(0.5));
        let mut out = Vec::new();
        for _ in 0..24 {
            out.push(reset_agent(&emu).await.status == Some(503));
        }
        out
    }
    let a = pattern(42).await;
    assert_eq!(a, pattern(42).await);
    let failures = a.iter().filter(|f| **f).count();
    assert!((4..=20).contains(&failures), "{failures} of 24");

    let emu = on_loopback(&Emulator::default()).await;
    emu.faults().seed(9);
    emu.faults().inject(
        Fault::internal_error()
            .rate(1.0)
            .for_action("ResetAgentState"),
    );
    assert_eq!(reset_agent(&emu).await.status, Some(500));
}
