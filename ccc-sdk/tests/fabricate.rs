//! What a user's test builds by hand, from outside the crate: outputs and the structs in them
//! (envelope fields included), and errors of every kind a call can end with.

use std::error::Error as _;
use std::time::Duration;

use ccc_sdk::SdkError;
use ccc_sdk::error::{
    BuildError, CredentialsError, DispatchError, DisplayErrorChain, ResponseError, ServiceError,
    TimeoutError, TimeoutKind,
};
use ccc_sdk::operation::get_user::{GetUserError, GetUserOutput};
use ccc_sdk::operation::list_users::{ListUsersOutput, UserPage};
use ccc_sdk::operation::reset_agent_state::{
    ResetAgentStateError, ResetAgentStateOutput, ResetAgentStateResult,
};
use ccc_sdk::types::{PersonalOutboundNumberList, User, UserState, WorkMode};

#[test]
fn outputs_and_their_structs_are_built_with_default_and_their_fields() {
    let mut number = PersonalOutboundNumberList::default();
    number.number = Some("0571000000".into());
    number.active = Some(true);
    let mut user = User::default();
    user.user_id = Some("ann@ccc-test".into());
    user.work_mode = Some(WorkMode::from("ON_SITE"));
    user.personal_outbound_number_list = Some(vec![number]);
    let mut page = UserPage::default();
    page.list = Some(vec![user.clone()]);
    page.total_count = Some(1);
    let mut out = ListUsersOutput::default();
    // The envelope: request id, code, message, HTTP status.
    out.request_id = Some("REQ-1".into());
    out.code = Some("OK".into());
    out.message = Some(String::new());
    out.http_status_code = Some(200);
    out.data = Some(page);
    assert_eq!(out.request_id(), Some("REQ-1"));
    assert_eq!(out.code(), Some("OK"));
    let first = &out.data().unwrap().list()[0];
    assert_eq!(first.user_id(), Some("ann@ccc-test"));
    assert_eq!(
        first.personal_outbound_number_list()[0].active(),
        Some(true)
    );
    assert_eq!(out.to_json()["Data"]["List"][0]["UserId"], "ann@ccc-test");

    let mut result = ResetAgentStateResult::default();
    result.user_state = Some(UserState::Working);
    let mut out = ResetAgentStateOutput::default();
    out.data = Some(result);
    assert_eq!(
        out.data().and_then(|d| d.user_state()),
        Some(&UserState::Working)
    );
    let mut out = GetUserOutput::default();
    out.data = Some(user);
    assert!(out.data().is_some());
}

#[test]
fn a_service_error_holds_code_message_status_and_request_id() {
    let e = ServiceError::builder()
        .code("NotExists.UserId")
        .message("The specified user does not exist.")
        .http_status(404)
        .request_id("REQ-404")
        .host_id("ccc.cn-shanghai.aliyuncs.com")
        .recommend("https://api.aliyun.com/troubleshoot?q=NotExists.UserId")
        .retry_after(Duration::from_millis(1500))
        .attempts(2)
        .build();
    assert_eq!(e.code(), "NotExists.UserId");
    assert_eq!(e.message(), "The specified user does not exist.");
    assert_eq!(e.http_status(), 404);
    assert_eq!(e.request_id(), Some("REQ-404"));
    assert_eq!(e.host_id(), Some("ccc.cn-shanghai.aliyuncs.com"));
    assert!(e.recommend().is_some());
    assert_eq!(e.retry_after(), Some(Duration::from_millis(1500)));
    assert_eq!(e.attempts(), 2);
    assert_eq!(e.error_code(), ccc_sdk::ErrorCode::NotExistsUserId);
    assert_eq!(
        e.to_string(),
        "NotExists.UserId: The specified user does not exist. (HTTP 404, request id REQ-404, 2 attempts)"
    );
    // Unset: HTTP 400, no request id, one attempt.
    let bare = ServiceError::builder().code("Throttling.User").build();
    assert_eq!(bare.http_status(), 400);
    assert_eq!(bare.request_id(), None);
    assert_eq!(bare.attempts(), 1);
    assert!(bare.is_throttling());
}

#[test]
fn every_kind_of_sdk_error_can_be_built() {
    // A documented variant of the action's error, by its code or by name.
    let service = ServiceError::builder()
        .code("NotExists.UserId")
        .message("no such user")
        .http_status(404)
        .request_id("REQ-1")
        .build();
    let err: SdkError<ResetAgentStateError> = SdkError::Service(service.clone().into());
    assert!(matches!(
        err.as_service_error(),
        Some(ResetAgentStateError::NotExistsUserId(_))
    ));
    assert_eq!(err.code(), Some("NotExists.UserId"));
    assert_eq!(err.request_id(), Some("REQ-1"));
    assert_eq!(err.http_status(), Some(404));
    let named: SdkError<GetUserError> = SdkError::Service(GetUserError::Unhandled(service));
    assert_eq!(named.code(), Some("NotExists.UserId"));

    let timeout: SdkError<GetUserError> = SdkError::Timeout(
        TimeoutError::new(TimeoutKind::Attempt, Duration::from_secs(30)).with_attempts(3),
    );
    assert_eq!(timeout.attempts(), 3);
    assert_eq!(
        timeout.to_string(),
        "timed out waiting for the response after 30s (3 attempts)"
    );
    let SdkError::Timeout(t) = &timeout else {
        unreachable!()
    };
    assert_eq!(t.kind(), TimeoutKind::Attempt);
    assert_eq!(t.limit(), Some(Duration::from_secs(30)));

    let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
    let dispatch: SdkError<GetUserError> =
        SdkError::Dispatch(DispatchError::connect().with_source(refused));
    assert_eq!(dispatch.attempts(), 1);
    assert_eq!(
        DisplayErrorChain(&dispatch).to_string(),
        "cannot connect to the endpoint: refused"
    );
    assert!(dispatch.source().is_some());
    for (e, connect, text) in [
        (
            DispatchError::exchange(),
            false,
            "the connection failed during the exchange",
        ),
        (
            DispatchError::body_cut_off(),
            false,
            "the response body was cut off",
        ),
        (
            DispatchError::certificate(),
            true,
            "the endpoint's TLS certificate was refused",
        ),
    ] {
        assert_eq!(e.is_connect(), connect);
        assert_eq!(e.to_string(), text);
    }
    assert!(DispatchError::certificate().is_certificate());

    let response: SdkError<GetUserError> = SdkError::Response(
        ResponseError::new(502, Some("REQ-2".into()), "not JSON", b"<html>").with_attempts(2),
    );
    assert_eq!(response.http_status(), Some(502));
    assert_eq!(response.request_id(), Some("REQ-2"));
    assert_eq!(response.attempts(), 2);
    assert!(response.to_string().contains("not JSON"));

    let build: SdkError<GetUserError> = SdkError::Build(BuildError::missing("InstanceId"));
    assert_eq!(
        build.to_string(),
        "invalid input: missing required parameter `InstanceId`"
    );
    let credentials: SdkError<GetUserError> =
        SdkError::Credentials(CredentialsError::new("no credentials"));
    assert_eq!(credentials.attempts(), 0);
}

#[test]
fn the_mock_client_shows_no_secret() {
    let client = ccc_sdk::mock::MockClient::builder().build();
    let shown = format!("{client:?} {:?}", client.config());
    assert!(
        !shown.contains(ccc_sdk::mock::TEST_ACCESS_KEY_SECRET),
        "{shown}"
    );
}
