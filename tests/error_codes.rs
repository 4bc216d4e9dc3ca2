//! One `ErrorCode` match across actions: the same code is the same variant whichever action
//! returned it, whether or not that action's own error enum lists it.

use ccc_emulator::Fault;
use ccc_sdk::error::ServiceError;
use ccc_sdk::operation::get_user::GetUserError;
use ccc_sdk::operation::poll_user_status::PollUserStatusError;
use ccc_sdk::operation::reset_agent_state::ResetAgentStateError;
use ccc_sdk::{ErrorCode, SdkError};
use ccc_tests::{client, emulator};

const INSTANCE: &str = "ccc-test";
const NOBODY: &str = "nobody@ccc-test";

/// The kind of helper `ErrorCode` is for: one function for every action's error.
fn is_unknown_user<E: AsRef<ServiceError>>(err: &SdkError<E>) -> bool {
    matches!(err.error_code(), Some(ErrorCode::NotExistsUserId))
}

#[tokio::test]
async fn an_unknown_user_is_one_code_on_three_actions() {
    let emu = emulator().await;
    let c = client(&emu);

    let reset = c
        .reset_agent_state()
        .instance_id(INSTANCE)
        .device_id("ws-nobody")
        .user_id(NOBODY)
        .send()
        .await
        .unwrap_err();
    let get = c
        .get_user()
        .instance_id(INSTANCE)
        .user_id(NOBODY)
        .send()
        .await
        .unwrap_err();
    let poll = c
        .poll_user_status()
        .instance_id(INSTANCE)
        .user_id(NOBODY)
        .send()
        .await
        .unwrap_err();

    // ResetAgentState documents the code, so its own enum has a variant for it; GetUser and
    // PollUserStatus do not, and keep it in `Unhandled`.
    assert!(
        matches!(
            reset.as_service_error(),
            Some(ResetAgentStateError::NotExistsUserId(_))
        ),
        "{reset:?}"
    );
    assert!(
        matches!(get.as_service_error(), Some(GetUserError::Unhandled(_))),
        "{get:?}"
    );
    assert!(
        matches!(
            poll.as_service_error(),
            Some(PollUserStatusError::Unhandled(_))
        ),
        "{poll:?}"
    );

    // One match for all three, on the call's error, the action's error and the service error.
    assert!(is_unknown_user(&reset), "{reset:?}");
    assert!(is_unknown_user(&get), "{get:?}");
    assert!(is_unknown_user(&poll), "{poll:?}");
    let codes = [
        reset.as_service_error().unwrap().error_code(),
        get.as_service_error().unwrap().error_code(),
        poll.as_service_error().unwrap().error_code(),
    ];
    assert!(
        codes.iter().all(|c| *c == ErrorCode::NotExistsUserId),
        "{codes:?}"
    );
    assert_eq!(
        get.as_service_error().unwrap().service_error().error_code(),
        ErrorCode::NotExistsUserId
    );

    // Another code of the same calls is another variant.
    let no_instance = c
        .get_user()
        .instance_id("ccc-none")
        .user_id(NOBODY)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        no_instance.error_code(),
        Some(ErrorCode::NotExistsInstanceId)
    );
    assert!(!is_unknown_user(&no_instance));
}

#[tokio::test]
async fn a_code_the_spec_does_not_know_keeps_its_text() {
    let emu = emulator().await;
    emu.faults()
        .inject(Fault::error(409, "Brand.New.Code", "new").for_action("GetUser"));
    let err = client(&emu)
        .get_user()
        .instance_id(INSTANCE)
        .user_id(NOBODY)
        .send()
        .await
        .unwrap_err();
    let code = err.error_code().expect("a service error");
    let ErrorCode::Unknown(text) = &code else {
        panic!("{code:?}")
    };
    assert_eq!(text.as_str(), "Brand.New.Code");
    assert_eq!(code.as_str(), "Brand.New.Code");
    assert_eq!(code.to_string(), "Brand.New.Code");
    assert!(!is_unknown_user(&err));
}

#[tokio::test]
async fn a_failure_without_a_service_error_has_no_code() {
    let emu = emulator().await;
    emu.faults().inject(Fault::not_json().for_action("GetUser"));
    let err = client(&emu)
        .get_user()
        .instance_id(INSTANCE)
        .user_id(NOBODY)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, SdkError::Response(_)), "{err:?}");
    assert_eq!(err.error_code(), None);
}
