//! `ErrorCode`: every code the spec knows reads back as itself, one variant each; any other code
//! is kept whole.

use std::collections::HashSet;

use ccc_sdk::ErrorCode;
use ccc_sdk::types::CommonErrorCode;

#[test]
fn every_known_code_round_trips_through_its_own_variant() {
    let codes = ErrorCode::values();
    // The product's common codes and the actions' codes: far more than the product's alone.
    assert!(codes.len() > 30, "{codes:?}");
    let mut variants = HashSet::new();
    for &code in codes {
        let parsed = ErrorCode::from(code);
        assert!(
            !matches!(parsed, ErrorCode::Unknown(_)),
            "{code} is not a variant"
        );
        assert_eq!(parsed.as_str(), code);
        assert_eq!(parsed.to_string(), code);
        assert_eq!(code.parse::<ErrorCode>(), Ok(parsed.clone()));
        assert_eq!(ErrorCode::from(code.to_string()), parsed);
        // From the variant back: its code parses to the same variant.
        assert_eq!(ErrorCode::from(parsed.as_str()), parsed);
        assert!(
            variants.insert(parsed),
            "two codes give one variant: {code}"
        );
    }
    assert_eq!(variants.len(), codes.len());
}

#[test]
fn variants_are_named_by_the_rule_of_the_actions_enums() {
    assert_eq!(
        ErrorCode::from("NotExists.UserId"),
        ErrorCode::NotExistsUserId
    );
    assert_eq!(ErrorCode::NotExistsUserId.as_str(), "NotExists.UserId");
    assert_eq!(ErrorCode::from("Forbidden.RAM"), ErrorCode::ForbiddenRam);
    assert_eq!(
        ErrorCode::from("Throttling.User"),
        ErrorCode::ThrottlingUser
    );
}

#[test]
fn every_common_code_is_an_error_code() {
    for code in [
        "MissingParameter",
        "Throttling",
        "Forbidden.RAM",
        "ServiceUnavailable",
    ] {
        let common = CommonErrorCode::from_code(code).expect("a common code");
        assert_eq!(ErrorCode::from(common.as_str()).as_str(), code);
        assert!(ErrorCode::values().contains(&code), "{code}");
    }
}

#[test]
fn an_unknown_code_keeps_its_text_and_matches_exactly() {
    for code in ["Brand.New", "notexists.userid", "NotExists.UserId ", ""] {
        let parsed = ErrorCode::from(code);
        let ErrorCode::Unknown(v) = &parsed else {
            panic!("{code:?} gave {parsed:?}")
        };
        assert_eq!(v.as_str(), code);
        assert_eq!(parsed.as_str(), code);
        assert_eq!(parsed.to_string(), code);
    }
    assert_ne!(ErrorCode::from("Brand.New"), ErrorCode::from("Brand.Old"));
}
