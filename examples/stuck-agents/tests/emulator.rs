//! `reset_stuck_agents` against the emulator, started inside the test (a dev-dependency): the
//! agents get into after-call work as they would in a shift, by taking calls; the emulator's
//! virtual clock makes the time pass; the test then checks the contact centre itself.

mod common;

use std::time::Duration;

use ccc_emulator::{Emulator, Scenario, UserState};
use common::{ANN, BOB, CY, GROUP, INSTANCE, answer_and_hang_up, client, sign_in};
use stuck_agents::{STUCK_AFTER, reset_stuck_agents};

#[tokio::test]
async fn only_the_agent_in_after_call_work_for_over_ten_minutes_is_reset() {
    let scenario = Scenario::from_file(&common::scenario_path()).unwrap();
    let emulator = Emulator::builder()
        .scenario(scenario)
        .build()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let c = client(&emulator.endpoint());
    let state = emulator.state();
    for agent in [ANN, BOB, CY] {
        sign_in(&c, INSTANCE, agent, &[GROUP]).await;
    }

    // 09:00 Ann takes a call and hangs up; 09:15 Bob does; at 09:17 Ann has been in after-call
    // work for 17 minutes, Bob for 2, and Cy has been READY all along.
    let job = state
        .ring_agent(INSTANCE, ANN, "13900000001", None)
        .unwrap();
    answer_and_hang_up(&c, INSTANCE, ANN, &job).await;
    state.advance_clock(Duration::from_secs(15 * 60));
    let job = state
        .ring_agent(INSTANCE, BOB, "13900000002", None)
        .unwrap();
    answer_and_hang_up(&c, INSTANCE, BOB, &job).await;
    state.advance_clock(Duration::from_secs(2 * 60));
    let working = |user| state.agent(INSTANCE, user).unwrap().state;
    assert_eq!(
        [working(ANN), working(BOB), working(CY)],
        [UserState::Working, UserState::Working, UserState::Ready]
    );

    let done = reset_stuck_agents(&c, INSTANCE, STUCK_AFTER).await.unwrap();

    assert_eq!(done, [ANN]);
    assert_eq!(
        [working(ANN), working(BOB), working(CY)],
        [UserState::Ready, UserState::Working, UserState::Ready]
    );
    assert_eq!(emulator.requests("ListRealtimeAgentStates"), 1);
    assert_eq!(emulator.requests("ResetAgentState"), 1);

    // Nine minutes on, Bob has been in after-call work for 11: the next run resets him.
    state.advance_clock(Duration::from_secs(9 * 60));
    let done = reset_stuck_agents(&c, INSTANCE, STUCK_AFTER).await.unwrap();
    assert_eq!(done, [BOB]);
    assert_eq!(working(BOB), UserState::Ready);
    emulator.shutdown().await;
}

#[tokio::test]
async fn after_call_work_that_ends_on_time_leaves_nothing_to_reset() {
    // The built-in contact centre: after-call work ends by itself after ten seconds.
    let emulator = Emulator::default()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let c = client(&emulator.endpoint());
    let state = emulator.state();
    let ann = "agent-ann@ccc-test";
    sign_in(&c, "ccc-test", ann, &[]).await;
    let job = state
        .ring_agent("ccc-test", ann, "13900000001", None)
        .unwrap();
    answer_and_hang_up(&c, "ccc-test", ann, &job).await;
    assert_eq!(
        state.agent("ccc-test", ann).unwrap().state,
        UserState::Working
    );
    state.advance_clock(Duration::from_secs(20 * 60));

    let done = reset_stuck_agents(&c, "ccc-test", STUCK_AFTER)
        .await
        .unwrap();

    assert!(done.is_empty(), "{done:?}");
    assert_eq!(
        state.agent("ccc-test", ann).unwrap().state,
        UserState::Ready
    );
    assert_eq!(emulator.requests("ResetAgentState"), 0);
    emulator.shutdown().await;
}
