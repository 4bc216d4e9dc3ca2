//! The mock client of the `test-util` feature, from outside the crate, as a user's tests use it:
//! typed rules, sequences, errors of every kind, the record of requests, paginators, and the
//! real call path (encoding, signing, the reader of answers, retries, time limits) underneath.

use std::time::{Duration, Instant};

use ccc_sdk::error::{DispatchError, DisplayErrorChain, ServiceError, TimeoutKind};
use ccc_sdk::mock::{self, MockClient};
use ccc_sdk::operation::get_user::{GetUserError, GetUserInput, GetUserOutput};
use ccc_sdk::operation::list_realtime_agent_states::{
    ListRealtimeAgentStatesInput, ListRealtimeAgentStatesOutput, RealtimeAgentStatePage,
};
use ccc_sdk::operation::list_users::{ListUsersInput, ListUsersOutput, UserPage};
use ccc_sdk::operation::reset_agent_state::{
    ResetAgentStateError, ResetAgentStateInput, ResetAgentStateOutput, ResetAgentStateResult,
};
use ccc_sdk::retry::RetryConfig;
use ccc_sdk::types::{AgentState, RealtimeAgentState, User, UserState};
use ccc_sdk::{Client, Config, SdkError, mock_client};

const INSTANCE: &str = "ccc-test";

fn user(id: &str) -> User {
    let mut u = User::default();
    u.user_id = Some(id.into());
    u.display_name = Some(format!("{id} (display)"));
    u
}

fn get_user_output(id: &str) -> GetUserOutput {
    let mut out = GetUserOutput::default();
    out.request_id = Some("REQ-1".into());
    out.code = Some("OK".into());
    out.http_status_code = Some(200);
    out.data = Some(user(id));
    out
}

fn throttled() -> ServiceError {
    ServiceError::builder()
        .code("Throttling.User")
        .message("Request was denied due to user flow control.")
        .http_status(400)
        .request_id("REQ-THROTTLED")
        .build()
}

/// Retries as configured by default, with waits too short to slow a test.
fn fast_config() -> ccc_sdk::ConfigBuilder {
    Config::builder().retry(
        RetryConfig::standard()
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(1)),
    )
}

#[tokio::test]
async fn an_output_goes_through_the_wire_and_back() {
    let rule = mock::rule(Client::get_user)
        .match_requests(|i: &GetUserInput| i.user_id.as_deref() == Some("ann@ccc-test"))
        .then_output(|| get_user_output("ann@ccc-test"));
    let client = MockClient::builder().rule(&rule).build();
    let out = client
        .get_user()
        .instance_id(INSTANCE)
        .user_id("ann@ccc-test")
        .send()
        .await
        .unwrap();
    // Written as JSON under the wire names and decoded by the client's reader: the same value.
    assert_eq!(out, get_user_output("ann@ccc-test"));
    assert_eq!(out.request_id(), Some("REQ-1"));
    assert_eq!(rule.num_calls(), 1);
    assert!(!rule.is_used_up());
}

#[tokio::test]
async fn the_record_holds_the_action_the_typed_input_and_the_wire_parameters() {
    let rule = mock::rule(Client::reset_agent_state).then_output(ResetAgentStateOutput::default);
    let client = mock_client!(rule);
    client
        .reset_agent_state()
        .instance_id(INSTANCE)
        .user_id("ann@ccc-test")
        .device_id("ann-workbench")
        .send()
        .await
        .unwrap();
    let calls = client.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.action(), "ResetAgentState");
    let input: &ResetAgentStateInput = call.input().unwrap();
    assert_eq!(input.user_id.as_deref(), Some("ann@ccc-test"));
    assert!(call.input::<GetUserInput>().is_none());
    assert_eq!(call.param("InstanceId"), Some(INSTANCE));
    assert_eq!(call.param("DeviceId"), Some("ann-workbench"));
    // Only the action's parameters: nothing of the signature or the credentials.
    assert!(
        call.params()
            .iter()
            .all(|(n, _)| n != "Signature" && n != "AccessKeyId")
    );
    let inputs = client.inputs(Client::reset_agent_state);
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0].device_id.as_deref(), Some("ann-workbench"));
    assert!(client.inputs(Client::get_user).is_empty());
    // A list parameter is recorded as the JSON text sent.
    let list = mock::rule(Client::list_realtime_agent_states)
        .then_output(ListRealtimeAgentStatesOutput::default);
    let client = mock_client!(list);
    client
        .list_realtime_agent_states()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(10)
        .state_list([RealtimeAgentState::Acw, RealtimeAgentState::Break])
        .send()
        .await
        .unwrap();
    assert_eq!(
        client.calls()[0].param("StateList"),
        Some(r#"["ACW","Break"]"#)
    );
    let typed: Vec<ListRealtimeAgentStatesInput> =
        client.inputs(Client::list_realtime_agent_states);
    assert_eq!(typed[0].page_size, 10);
}

#[tokio::test]
async fn errors_come_back_as_the_action_s_variants_with_their_fields() {
    let documented = mock::rule(Client::get_user)
        .match_requests(|i: &GetUserInput| i.instance_id == "ccc-gone")
        .then_error(|| {
            GetUserError::NotExistsInstanceId(
                ServiceError::builder()
                    .code("NotExists.InstanceId")
                    .message("The specified instance ccc-gone does not exist.")
                    .http_status(404)
                    .request_id("REQ-404")
                    .host_id("ccc.cn-shanghai.aliyuncs.com")
                    .retry_after(Duration::from_millis(1500))
                    .build(),
            )
        });
    let any_code = mock::rule(Client::get_user).then_error(|| {
        ServiceError::builder()
            .code("Some.NewCode")
            .message("new")
            .http_status(409)
            .build()
            .into()
    });
    let client = mock_client!(documented, any_code);
    let err = client
        .get_user()
        .instance_id("ccc-gone")
        .send()
        .await
        .unwrap_err();
    let SdkError::Service(GetUserError::NotExistsInstanceId(e)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.code(), "NotExists.InstanceId");
    assert_eq!(
        e.message(),
        "The specified instance ccc-gone does not exist."
    );
    assert_eq!(e.http_status(), 404);
    assert_eq!(e.request_id(), Some("REQ-404"));
    assert_eq!(e.host_id(), Some("ccc.cn-shanghai.aliyuncs.com"));
    // Sent as the `x-acs-retry-after` header, in milliseconds, and read back.
    assert_eq!(e.retry_after(), Some(Duration::from_millis(1500)));
    assert_eq!(err.attempts(), 1);

    let err = client
        .get_user()
        .instance_id(INSTANCE)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        err.as_service_error(),
        Some(GetUserError::Unhandled(_))
    ));
    assert_eq!(err.code(), Some("Some.NewCode"));
    assert_eq!(err.http_status(), Some(409));
}

#[tokio::test]
async fn a_throttled_attempt_is_retried_and_the_sequence_answers_the_retry() {
    let rule = mock::rule(Client::reset_agent_state)
        .sequence()
        .error(|| throttled().into())
        .times(2)
        .output(|| {
            let mut result = ResetAgentStateResult::default();
            result.user_state = Some(UserState::Ready);
            let mut out = ResetAgentStateOutput::default();
            out.data = Some(result);
            out
        })
        .build();
    let client = MockClient::builder()
        .config(fast_config())
        .rule(&rule)
        .build();
    // Not safe to repeat, but a throttled request did not run: retried.
    let out = client
        .reset_agent_state()
        .instance_id(INSTANCE)
        .user_id("ann@ccc-test")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.data().and_then(|d| d.user_state()),
        Some(&UserState::Ready)
    );
    assert_eq!(rule.num_calls(), 3);
    assert!(rule.is_used_up());
    assert_eq!(client.calls().len(), 3, "one request per attempt");
    // Used up: the next call finds no rule.
    let err = client
        .reset_agent_state()
        .instance_id(INSTANCE)
        .send()
        .await
        .unwrap_err();
    let text = DisplayErrorChain(&err).to_string();
    assert!(text.contains("used up"), "{text}");
}

#[tokio::test]
async fn a_sequence_repeats_an_answer_as_many_times_as_asked_or_forever() {
    let rule = mock::rule(Client::get_user)
        .sequence()
        .output(|| get_user_output("first"))
        .times(2)
        .output(|| get_user_output("skipped"))
        .times(0)
        .output(|| get_user_output("then"))
        .forever()
        .build();
    let client = MockClient::builder().rule(&rule).build();
    let mut seen = Vec::new();
    for _ in 0..5 {
        let out = client
            .get_user()
            .instance_id(INSTANCE)
            .send()
            .await
            .unwrap();
        seen.push(out.data().and_then(|u| u.user_id()).unwrap().to_owned());
    }
    assert_eq!(seen, ["first", "first", "then", "then", "then"]);
    assert!(!rule.is_used_up());
    assert_eq!(client.take_calls().len(), 5);
    assert!(client.calls().is_empty());
}

#[tokio::test]
async fn retries_end_with_the_last_error_and_count_the_attempts() {
    let rule = mock::rule(Client::get_user).then_error(|| throttled().into());
    let client = MockClient::builder()
        .config(fast_config())
        .rule(&rule)
        .build();
    let err = client
        .get_user()
        .instance_id(INSTANCE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("Throttling.User"));
    assert_eq!(err.attempts(), 3);
    assert_eq!(rule.num_calls(), 3);

    // A 503 of an action not safe to repeat may have run: not retried.
    let unavailable = mock::rule(Client::reset_agent_state).then_error(|| {
        ServiceError::builder()
            .code("ServiceUnavailable")
            .http_status(503)
            .build()
            .into()
    });
    let client = MockClient::builder()
        .config(fast_config())
        .rule(&unavailable)
        .build();
    let err = client
        .reset_agent_state()
        .instance_id(INSTANCE)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        SdkError::Service(ResetAgentStateError::Unhandled(_))
    ));
    assert_eq!(err.attempts(), 1);
}

#[tokio::test]
async fn transport_failures_are_retried_as_the_real_ones() {
    // Nothing was sent: retried even for an action that is not safe to repeat.
    let refused = mock::rule(Client::reset_agent_state)
        .sequence()
        .transport_failure(DispatchError::connect)
        .output(ResetAgentStateOutput::default)
        .build();
    let client = MockClient::builder()
        .config(fast_config())
        .rule(&refused)
        .build();
    client
        .reset_agent_state()
        .instance_id(INSTANCE)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.num_calls(), 2);

    // Lost after sending: the action may have run, so it is not repeated.
    let reset =
        mock::rule(Client::reset_agent_state).then_transport_failure(DispatchError::exchange);
    let client = MockClient::builder()
        .config(fast_config())
        .rule(&reset)
        .build();
    let err = client
        .reset_agent_state()
        .instance_id(INSTANCE)
        .send()
        .await
        .unwrap_err();
    let SdkError::Dispatch(e) = &err else {
        panic!("{err:?}")
    };
    assert!(!e.is_connect());
    assert_eq!(err.attempts(), 1);
}

#[tokio::test]
async fn a_timeout_is_the_read_timeout_and_retried_for_a_safe_action() {
    let rule = mock::rule(Client::get_user).then_timeout();
    let client = MockClient::builder()
        .config(fast_config().read_timeout(Duration::from_secs(7)))
        .rule(&rule)
        .build();
    let started = Instant::now();
    let err = client
        .get_user()
        .instance_id(INSTANCE)
        .send()
        .await
        .unwrap_err();
    let SdkError::Timeout(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind(), TimeoutKind::Read);
    assert_eq!(t.limit(), Some(Duration::from_secs(7)));
    assert_eq!(t.attempts(), 3);
    assert!(started.elapsed() < Duration::from_secs(5), "no real wait");
}

#[tokio::test(start_paused = true)]
async fn no_answer_lets_the_client_s_own_time_limits_end_the_call() {
    let rule = mock::rule(Client::get_user)
        .sequence()
        .no_answer()
        .output(|| get_user_output("ann@ccc-test"))
        .build();
    let client = MockClient::builder()
        .config(
            fast_config()
                .attempt_timeout(Duration::from_secs(2))
                .read_timeout(Duration::from_secs(5)),
        )
        .rule(&rule)
        .build();
    let started = tokio::time::Instant::now();
    // The first attempt times out after 2 s (virtual), the retry is answered.
    let out = client
        .get_user()
        .instance_id(INSTANCE)
        .send()
        .await
        .unwrap();
    assert!(out.data().is_some());
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_eq!(rule.num_calls(), 2);

    let hang = mock::rule(Client::get_user).then_no_answer();
    let client = MockClient::builder()
        .config(Config::builder().operation_timeout(Duration::from_secs(3)))
        .rule(&hang)
        .build();
    let err = client
        .get_user()
        .instance_id(INSTANCE)
        .send()
        .await
        .unwrap_err();
    let SdkError::Timeout(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind(), TimeoutKind::Operation);
}

#[tokio::test]
async fn a_request_no_rule_answers_fails_naming_the_action_and_the_rules_tried() {
    let only_ann = mock::rule(Client::get_user)
        .match_requests(|i: &GetUserInput| i.user_id.as_deref() == Some("ann@ccc-test"))
        .then_output(|| get_user_output("ann@ccc-test"));
    let once = mock::rule(Client::get_user)
        .sequence()
        .output(|| get_user_output("any"))
        .build();
    let listing = mock::rule(Client::list_users).then_output(ListUsersOutput::default);
    let client = MockClient::builder()
        .config(fast_config())
        .rule(&only_ann)
        .rule(&once)
        .rule(&listing)
        .build();
    // The second rule answers once, then nothing does.
    client
        .get_user()
        .instance_id(INSTANCE)
        .user_id("bob@ccc-test")
        .send()
        .await
        .unwrap();
    let err = client
        .get_user()
        .instance_id(INSTANCE)
        .user_id("bob@ccc-test")
        .send()
        .await
        .unwrap_err();
    let SdkError::Dispatch(_) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(err.attempts(), 1, "not retried");
    let text = DisplayErrorChain(&err).to_string();
    for part in [
        "no rule answers GetUser",
        "bob@ccc-test",
        "the input does not match",
        "used up",
        "tests/mock.rs:",
        "other rules are for ListUsers",
    ] {
        assert!(text.contains(part), "{part} not in {text}");
    }
    // An action with no rule at all.
    let err = client
        .reset_agent_state()
        .instance_id(INSTANCE)
        .send()
        .await
        .unwrap_err();
    let text = DisplayErrorChain(&err).to_string();
    assert!(text.contains("no rule is for ResetAgentState"), "{text}");

    let unused =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| client.assert_all_used()))
            .unwrap_err();
    let message = unused.downcast_ref::<String>().unwrap();
    // Ann's rule never matched; the listing was never called.
    assert!(
        message.starts_with("2 of the mock's rules answered no request: the rule for GetUser at"),
        "{message}"
    );
    assert!(message.contains("the rule for ListUsers at"), "{message}");
}

#[tokio::test]
async fn paginators_read_the_pages_rules_give() {
    let page = |number: i32, ids: &[&str]| {
        let mut page = UserPage::default();
        page.page_number = Some(number);
        page.page_size = Some(2);
        page.total_count = Some(3);
        page.list = Some(ids.iter().map(|id| user(id)).collect());
        let mut out = ListUsersOutput::default();
        out.data = Some(page);
        out
    };
    let first = mock::rule(Client::list_users)
        .match_requests(|i: &ListUsersInput| i.page_number == 1)
        .then_output(move || page(1, &["a@ccc-test", "b@ccc-test"]));
    let second = mock::rule(Client::list_users)
        .match_requests(|i: &ListUsersInput| i.page_number == 2)
        .then_output(move || page(2, &["c@ccc-test"]));
    let client = mock_client!(first, second);
    let mut items = client
        .list_users()
        .instance_id(INSTANCE)
        .into_paginator()
        .page_size(2)
        .items();
    let mut ids = Vec::new();
    while let Some(user) = items.next().await {
        ids.push(user.unwrap().user_id().unwrap_or_default().to_owned());
    }
    assert_eq!(ids, ["a@ccc-test", "b@ccc-test", "c@ccc-test"]);
    let pages: Vec<i32> = client
        .inputs(Client::list_users)
        .iter()
        .map(|i| i.page_number)
        .collect();
    assert_eq!(pages, [1, 2]);
    client.assert_all_used();
}

#[tokio::test]
async fn the_configuration_applies_as_to_a_real_client() {
    // The size limit of the reader of answers.
    let rule = mock::rule(Client::get_user).then_output(|| get_user_output("ann@ccc-test"));
    let client = MockClient::builder()
        .config(Config::builder().max_response_bytes(16))
        .rule(&rule)
        .build();
    let err = client
        .get_user()
        .instance_id(INSTANCE)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, SdkError::Response(_)), "{err:?}");
    assert!(
        err.to_string().contains("over the limit of 16 bytes"),
        "{err}"
    );

    // Credentials are asked for each attempt, as by a real client; these fail.
    #[derive(Debug)]
    struct NoCredentials;
    impl ccc_sdk::ProvideCredentials for NoCredentials {
        fn provide_credentials(&self) -> ccc_sdk::credentials::ProvideFuture<'_> {
            ccc_sdk::credentials::ProvideFuture::ready(Err(ccc_sdk::error::CredentialsError::new(
                "none here",
            )))
        }
    }
    let client = MockClient::builder()
        .config(Config::builder().credentials(NoCredentials))
        .rule(&rule)
        .build();
    let err = client
        .get_user()
        .instance_id(INSTANCE)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, SdkError::Credentials(_)), "{err:?}");
    assert_eq!(rule.num_calls(), 1, "nothing reached the mock");

    // A missing required parameter fails before anything is sent.
    let err = client.get_user().send().await.unwrap_err();
    assert!(matches!(err, SdkError::Build(_)));
    assert_eq!(client.calls().len(), 0);
}

#[tokio::test]
async fn clones_share_the_rules_and_the_record_across_tasks() {
    let rule = mock::rule(Client::get_user).then_output(|| get_user_output("x"));
    let client = mock_client!(rule);
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let client = client.client().clone();
            tokio::spawn(async move {
                client
                    .get_user()
                    .instance_id(INSTANCE)
                    .user_id(format!("{n}@ccc-test"))
                    .send()
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(rule.num_calls(), 8);
    assert_eq!(client.calls().len(), 8);
}

/// The function under test: resets every agent that has been in after-call work (`ACW` here,
/// `WORKING` to GetUser) for more than ten minutes, and says whom it reset.
async fn reset_stuck_agents(
    client: &Client,
    instance: &str,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut agents = client
        .list_realtime_agent_states()
        .instance_id(instance)
        .state_list([RealtimeAgentState::Acw])
        .into_paginator()
        .items();
    let mut reset = Vec::new();
    while let Some(agent) = agents.next().await {
        let agent = agent?;
        let stuck = agent.state() == Some(&RealtimeAgentState::Acw)
            && agent.state_time().is_some_and(|s| s > 600);
        if let (true, Some(id)) = (stuck, agent.agent_id()) {
            client
                .reset_agent_state()
                .instance_id(instance)
                .user_id(id)
                .send()
                .await?;
            reset.push(id.to_owned());
        }
    }
    Ok(reset)
}

#[tokio::test]
async fn resetting_stuck_agents_runs_against_the_mock_in_well_under_100_ms() {
    let started = Instant::now();
    let agent = |id: &str, seconds: i64| {
        let mut a = AgentState::default();
        a.agent_id = Some(id.into());
        a.state = Some(RealtimeAgentState::Acw);
        a.state_time = Some(seconds);
        a
    };
    let states = mock::rule(Client::list_realtime_agent_states).then_output(move || {
        let mut page = RealtimeAgentStatePage::default();
        page.page_number = Some(1);
        page.total_count = Some(3);
        page.list = Some(vec![
            agent("ann@ccc-test", 1200),
            agent("bob@ccc-test", 30),
            agent("cid@ccc-test", 601),
        ]);
        let mut out = ListRealtimeAgentStatesOutput::default();
        out.data = Some(page);
        out
    });
    let reset = mock::rule(Client::reset_agent_state).then_output(ResetAgentStateOutput::default);
    let client = mock_client!(states, reset);

    let done = reset_stuck_agents(&client, INSTANCE).await.unwrap();

    assert_eq!(done, ["ann@ccc-test", "cid@ccc-test"]);
    let reset_ids: Vec<String> = client
        .inputs(Client::reset_agent_state)
        .into_iter()
        .filter_map(|i| i.user_id)
        .collect();
    assert_eq!(reset_ids, done);
    assert_eq!(client.calls()[0].param("StateList"), Some(r#"["ACW"]"#));
    client.assert_all_used();
    let elapsed = started.elapsed();
    eprintln!("reset_stuck_agents against the mock: {elapsed:?}");
    // Loose, for a loaded machine; it takes well under 100 ms.
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
}
