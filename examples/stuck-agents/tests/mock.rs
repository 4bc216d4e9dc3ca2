//! `reset_stuck_agents` against the mock client of `ccc-sdk` (feature `test-util`): no socket, no
//! emulator. The rules answer as the service would; the tests then check what the function sent,
//! and how it reports the service's refusals.

use std::time::{Duration, Instant};

use ccc_sdk::error::ServiceError;
use ccc_sdk::mock::{self, MockClient, Rule};
use ccc_sdk::operation::list_realtime_agent_states::{
    ListRealtimeAgentStatesInput, ListRealtimeAgentStatesOutput, RealtimeAgentStatePage,
};
use ccc_sdk::operation::reset_agent_state::{ResetAgentStateInput, ResetAgentStateOutput};
use ccc_sdk::retry::RetryConfig;
use ccc_sdk::types::{AgentState, RealtimeAgentState};
use ccc_sdk::{Client, Config};
use stuck_agents::{Error, STUCK_AFTER, reset_stuck_agents};

const INSTANCE: &str = "ccc-test";

fn in_acw(id: &str, seconds: i64) -> AgentState {
    let mut agent = AgentState::default();
    agent.agent_id = Some(id.into());
    agent.state = Some(RealtimeAgentState::Acw);
    agent.state_time = Some(seconds);
    agent
}

/// Page `number` of a listing of `total` agents, holding `agents`.
fn page(number: i32, total: i32, agents: Vec<AgentState>) -> ListRealtimeAgentStatesOutput {
    let mut page = RealtimeAgentStatePage::default();
    page.page_number = Some(number);
    page.total_count = Some(total);
    page.list = Some(agents);
    let mut out = ListRealtimeAgentStatesOutput::default();
    out.data = Some(page);
    out
}

/// Answers page `number` of the listing with `agents`, out of three agents in all.
fn listing_page(number: i32, agents: fn() -> Vec<AgentState>) -> Rule {
    mock::rule(Client::list_realtime_agent_states)
        .match_requests(move |input: &ListRealtimeAgentStatesInput| input.page_number == number)
        .then_output(move || page(number, 3, agents()))
}

/// Two pages: Ann 20 minutes in after-call work and Bob exactly ten, then Cy 11 minutes.
fn two_pages() -> [Rule; 2] {
    [
        listing_page(1, || {
            vec![in_acw("ann@ccc-test", 1200), in_acw("bob@ccc-test", 600)]
        }),
        listing_page(2, || vec![in_acw("cy@ccc-test", 660)]),
    ]
}

/// A client that retries at once: the retries of these tests take no time.
fn quick_retries() -> ccc_sdk::ConfigBuilder {
    Config::builder().retry(
        RetryConfig::standard()
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(1)),
    )
}

#[tokio::test]
async fn only_the_agents_over_ten_minutes_are_reset_on_every_page() {
    let started = Instant::now();
    let [first, second] = two_pages();
    let reset = mock::rule(Client::reset_agent_state)
        .match_requests(|input: &ResetAgentStateInput| input.instance_id == INSTANCE)
        .then_output(ResetAgentStateOutput::default);
    let client = MockClient::builder()
        .rule(&first)
        .rule(&second)
        .rule(&reset)
        .build();

    let done = reset_stuck_agents(&client, INSTANCE, STUCK_AFTER)
        .await
        .unwrap();

    // Bob, at exactly ten minutes, is not over them.
    assert_eq!(done, ["ann@ccc-test", "cy@ccc-test"]);
    // What was sent: both pages asked for agents in after-call work only, then one reset each.
    let calls = client.calls();
    let actions: Vec<&str> = calls.iter().map(|c| c.action()).collect();
    assert_eq!(
        actions,
        [
            "ListRealtimeAgentStates",
            "ResetAgentState",
            "ListRealtimeAgentStates",
            "ResetAgentState"
        ]
    );
    for listing in calls
        .iter()
        .filter(|c| c.action() == "ListRealtimeAgentStates")
    {
        assert_eq!(listing.param("StateList"), Some(r#"["ACW"]"#));
        assert_eq!(listing.param("InstanceId"), Some(INSTANCE));
    }
    let users: Vec<Option<String>> = client
        .inputs(Client::reset_agent_state)
        .into_iter()
        .map(|r| r.user_id)
        .collect();
    assert_eq!(
        users,
        [
            Some("ann@ccc-test".to_owned()),
            Some("cy@ccc-test".to_owned())
        ]
    );
    client.assert_all_used();
    // The issue's bar for this test: well under 100 ms.
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_threshold_of_a_minute_resets_everyone_in_after_call_work() {
    let [first, second] = two_pages();
    let reset = mock::rule(Client::reset_agent_state).then_output(ResetAgentStateOutput::default);
    let client = MockClient::builder()
        .rule(&first)
        .rule(&second)
        .rule(&reset)
        .build();

    let done = reset_stuck_agents(&client, INSTANCE, Duration::from_secs(60))
        .await
        .unwrap();

    assert_eq!(done, ["ann@ccc-test", "bob@ccc-test", "cy@ccc-test"]);
}

#[tokio::test]
async fn a_throttled_reset_is_retried_by_the_client() {
    let [first, second] = two_pages();
    let reset = mock::rule(Client::reset_agent_state)
        .sequence()
        .error(|| {
            ServiceError::builder()
                .code("Throttling.User")
                .build()
                .into()
        })
        .output(ResetAgentStateOutput::default)
        .forever()
        .build();
    let client = MockClient::builder()
        .config(quick_retries())
        .rule(&first)
        .rule(&second)
        .rule(&reset)
        .build();

    let done = reset_stuck_agents(&client, INSTANCE, STUCK_AFTER)
        .await
        .unwrap();

    assert_eq!(done, ["ann@ccc-test", "cy@ccc-test"]);
    // Ann's reset took two attempts, Cy's one.
    let users: Vec<Option<String>> = client
        .inputs(Client::reset_agent_state)
        .into_iter()
        .map(|r| r.user_id)
        .collect();
    assert_eq!(users.len(), 3, "{users:?}");
    assert_eq!(users[0], users[1]);
}

#[tokio::test]
async fn a_refused_listing_is_reported_and_nobody_is_reset() {
    let denied = mock::rule(Client::list_realtime_agent_states).then_error(|| {
        ServiceError::builder()
            .code("Forbidden.RAM")
            .message("The RAM user lacks permission.")
            .http_status(403)
            .request_id("5A1C-TEST")
            .build()
            .into()
    });
    let client = MockClient::builder().rule(&denied).build();

    let err = reset_stuck_agents(&client, INSTANCE, STUCK_AFTER)
        .await
        .unwrap_err();

    assert!(matches!(err, Error::List(_)), "{err:?}");
    assert!(err.to_string().contains("Forbidden.RAM"), "{err}");
    assert!(client.inputs(Client::reset_agent_state).is_empty());
}

#[tokio::test]
async fn a_failed_reset_names_the_agent_and_those_already_reset() {
    let [first, second] = two_pages();
    let reset = mock::rule(Client::reset_agent_state)
        .match_requests(|input: &ResetAgentStateInput| {
            input.user_id.as_deref() == Some("ann@ccc-test")
        })
        .then_output(ResetAgentStateOutput::default);
    let gone = mock::rule(Client::reset_agent_state).then_error(|| {
        ServiceError::builder()
            .code("NotExists.UserId")
            .http_status(404)
            .build()
            .into()
    });
    let client = MockClient::builder()
        .rule(&first)
        .rule(&second)
        .rule(&reset)
        .rule(&gone)
        .build();

    let err = reset_stuck_agents(&client, INSTANCE, STUCK_AFTER)
        .await
        .unwrap_err();

    match &err {
        Error::Reset {
            agent,
            done,
            source,
        } => {
            assert_eq!(agent, "cy@ccc-test");
            assert_eq!(done, &["ann@ccc-test"]);
            assert!(source.to_string().contains("NotExists.UserId"), "{source}");
        }
        other => panic!("not a reset error: {other:?}"),
    }
    assert!(
        err.to_string().starts_with("cannot reset cy@ccc-test"),
        "{err}"
    );
}
