//! Every fault the emulator injects, and the retries each should and should not cause, for an
//! action that is safe to repeat (GetInstance reads) and one that is not (ResetAgentState acts).

use std::time::Duration;

use ccc_emulator::Fault;
use ccc_sdk::error::TimeoutKind;
use ccc_sdk::retry::RetryConfig;
use ccc_sdk::{CallOptions, SdkError, SignatureVersion};
use ccc_tests::{client, client_with, config, emulator};

const ACTION: &str = "ResetAgentState";
const READ: &str = "GetInstance";

async fn read(
    c: &ccc_sdk::Client,
    options: CallOptions,
) -> Result<
    ccc_sdk::operation::get_instance::GetInstanceOutput,
    SdkError<ccc_sdk::operation::get_instance::GetInstanceError>,
> {
    c.get_instance()
        .instance_id("ccc-test")
        .options(options)
        .send()
        .await
}

async fn call(
    c: &ccc_sdk::Client,
    options: CallOptions,
) -> Result<
    ccc_sdk::operation::reset_agent_state::ResetAgentStateOutput,
    SdkError<ccc_sdk::operation::reset_agent_state::ResetAgentStateError>,
> {
    c.reset_agent_state()
        .instance_id("ccc-test")
        .device_id("d")
        .options(options)
        .send()
        .await
}

#[tokio::test]
async fn throttling_is_retried_and_then_succeeds() {
    let emu = emulator().await;
    emu.faults()
        .inject(Fault::throttling().for_action(ACTION).times(2));
    let out = call(&client(&emu), CallOptions::new()).await;
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(emu.requests(ACTION), 3);
}

#[tokio::test]
async fn persistent_throttling_gives_up_after_three_attempts() {
    let emu = emulator().await;
    emu.faults().inject(Fault::throttling().for_action(ACTION));
    let err = call(&client(&emu), CallOptions::new()).await.unwrap_err();
    assert_eq!(err.code(), Some("Throttling.User"));
    assert_eq!(err.http_status(), Some(400));
    assert_eq!(emu.requests(ACTION), 3);
}

/// Faults after which the request may have run: retried for a read, not for an action.
fn faults_after_delivery() -> Vec<Fault> {
    vec![
        Fault::internal_error(),
        Fault::service_unavailable(),
        Fault::drop_connection(),
        Fault::truncated_body(),
    ]
}

#[tokio::test]
async fn a_read_is_retried_after_any_transient_fault() {
    for fault in faults_after_delivery() {
        let emu = emulator().await;
        emu.faults().inject(fault.clone().for_action(READ).times(2));
        let out = read(&client(&emu), CallOptions::new()).await;
        assert!(out.is_ok(), "{fault:?}: {out:?}");
        assert_eq!(emu.requests(READ), 3, "{fault:?}");
    }
}

#[tokio::test]
async fn an_action_is_not_sent_twice_after_a_fault_that_may_follow_delivery() {
    for fault in faults_after_delivery() {
        let emu = emulator().await;
        emu.faults()
            .inject(fault.clone().for_action(ACTION).times(1));
        let err = call(&client(&emu), CallOptions::new()).await.unwrap_err();
        assert_eq!(err.attempts(), 1, "{fault:?}: {err}");
        assert_eq!(emu.requests(ACTION), 1, "{fault:?}");
        // The caller may opt in, for an action it knows is harmless to repeat.
        let out = call(&client(&emu), CallOptions::new().idempotent(true)).await;
        assert!(out.is_ok(), "{fault:?}: {out:?}");
    }
}

#[tokio::test]
async fn dropped_connections_every_time_end_in_a_dispatch_error() {
    let emu = emulator().await;
    emu.faults()
        .inject(Fault::drop_connection().for_action(READ));
    let err = read(&client(&emu), CallOptions::new()).await.unwrap_err();
    assert!(matches!(err, SdkError::Dispatch(_)), "{err:?}");
    assert_eq!(err.attempts(), 3);
    assert_eq!(emu.requests(READ), 3);
}

#[tokio::test]
async fn a_malformed_success_body_is_reported_not_retried() {
    for fault in [Fault::malformed_json(), Fault::not_json()] {
        let emu = emulator().await;
        emu.faults().inject(fault.clone().for_action(ACTION));
        let err = call(&client(&emu), CallOptions::new()).await.unwrap_err();
        let SdkError::Response(e) = &err else {
            panic!("{fault:?}: {err:?}")
        };
        assert_eq!(e.http_status(), 200);
        assert!(!e.body_prefix().is_empty(), "{fault:?}");
        assert!(
            e.request_id().is_some(),
            "{fault:?}: the header's request id is kept"
        );
        assert_eq!(emu.requests(ACTION), 1, "{fault:?}");
    }
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let emu = emulator().await;
    emu.faults().inject(
        Fault::error(
            400,
            "InvalidParameter",
            "The specified parameter \"DeviceId\" is not valid.",
        )
        .for_action(ACTION),
    );
    let err = call(&client(&emu), CallOptions::new()).await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameter"));
    assert_eq!(emu.requests(ACTION), 1);
}

#[tokio::test]
async fn a_delay_past_the_attempt_timeout_is_retried_for_a_read_only() {
    let emu = emulator().await;
    for action in [READ, ACTION] {
        emu.faults().inject(
            Fault::delay(Duration::from_millis(400))
                .for_action(action)
                .times(1),
        );
    }
    let opts = || CallOptions::new().attempt_timeout(Duration::from_millis(100));
    let out = read(&client(&emu), opts()).await;
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(emu.requests(READ), 2);
    let err = call(&client(&emu), opts()).await.unwrap_err();
    assert!(matches!(err, SdkError::Timeout(_)), "{err:?}");
    assert_eq!(emu.requests(ACTION), 1);
}

#[tokio::test]
async fn delays_on_every_attempt_end_in_an_attempt_timeout() {
    let emu = emulator().await;
    emu.faults()
        .inject(Fault::delay(Duration::from_millis(300)).for_action(READ));
    let opts = CallOptions::new().attempt_timeout(Duration::from_millis(50));
    let err = read(&client(&emu), opts).await.unwrap_err();
    let SdkError::Timeout(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((t.kind(), t.attempts()), (TimeoutKind::Attempt, 3));
}

#[tokio::test]
async fn the_read_timeout_of_the_client_applies() {
    let emu = emulator().await;
    emu.faults()
        .inject(Fault::delay(Duration::from_millis(600)).for_action(ACTION));
    let c = client_with(
        config(&emu, SignatureVersion::V3)
            .read_timeout(Duration::from_millis(100))
            .retry(RetryConfig::disabled()),
    );
    let err = call(&c, CallOptions::new()).await.unwrap_err();
    let SdkError::Timeout(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((t.kind(), t.attempts()), (TimeoutKind::Read, 1));
}

#[tokio::test]
async fn the_operation_timeout_bounds_all_attempts() {
    let emu = emulator().await;
    emu.faults()
        .inject(Fault::delay(Duration::from_secs(3)).for_action(ACTION));
    let started = std::time::Instant::now();
    let opts = CallOptions::new().operation_timeout(Duration::from_millis(200));
    let err = call(&client(&emu), opts).await.unwrap_err();
    let SdkError::Timeout(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind(), TimeoutKind::Operation);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn retries_off_means_one_attempt() {
    let emu = emulator().await;
    emu.faults()
        .inject(Fault::service_unavailable().for_action(ACTION));
    let err = call(
        &client(&emu),
        CallOptions::new().retry(RetryConfig::disabled()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.http_status(), Some(503));
    assert_eq!(emu.requests(ACTION), 1);
}

#[tokio::test]
async fn faults_at_a_rate_are_absorbed_by_retries() {
    let emu = emulator().await;
    emu.faults().seed(7);
    emu.faults()
        .inject(Fault::service_unavailable().for_action(READ).rate(0.3));
    let c = client(&emu);
    let mut ok = 0;
    for _ in 0..100 {
        if read(&c, CallOptions::new()).await.is_ok() {
            ok += 1;
        }
    }
    // With 3 attempts a call fails only when all three are hit (0.3³ = 2.7 %).
    assert!(ok >= 90, "{ok} of 100");
    assert!(
        emu.requests(READ) > 110,
        "retries happened: {}",
        emu.requests(READ)
    );
}
