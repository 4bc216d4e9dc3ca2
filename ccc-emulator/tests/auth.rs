//! Signature checking and routing errors, with Alibaba's error bodies.

mod common;

use ccc_emulator::format_timestamp;
use ccc_emulator::{Emulator, Fault, RunningEmulator};
use common::{V1, V3, now, on_loopback, send_raw};

const STS_ID: &str = "STS.test";
const STS_SECRET: &str = "stssecret";
const STS_TOKEN: &str = "the-token";

async fn start() -> RunningEmulator {
    let emulator = Emulator::builder()
        .access_key("testid", "testsecret")
        .sts_credentials(STS_ID, STS_SECRET, STS_TOKEN)
        .build();
    on_loopback(&emulator).await
}

fn reset(v3: V3) -> V3 {
    v3.param("InstanceId", "ccc-test")
        .param("DeviceId", "dev-1")
}

fn reset_v1(v1: V1) -> V1 {
    v1.param("InstanceId", "ccc-test")
        .param("DeviceId", "dev-1")
}

#[tokio::test]
async fn a_correct_v3_request_passes() {
    let emu = start().await;
    let answer = send_raw(
        emu.addr(),
        &reset(V3::new("ResetAgentState")).build(emu.addr()),
    )
    .await;
    assert_eq!(answer.status, Some(200), "{}", answer.text());
}

/// Alibaba's official SDKs send `x-acs-action` and `x-acs-version` headers with V1 requests too;
/// the `Signature` parameter, not those headers, makes them V1.
#[tokio::test]
async fn a_v1_request_shaped_like_the_official_sdks_passes() {
    let emu = start().await;
    let official = |v1: V1| {
        v1.header("x-acs-action", "ResetAgentState")
            .header("x-acs-version", common::VERSION)
            .header(
                "user-agent",
                "AlibabaCloud (linux; x64) Python/3.12 Core/2.0 TeaDSL/1",
            )
    };
    // Parameters in the query (GET), then in a form body (POST), then with an STS token.
    let get = official(reset_v1(V1::new("ResetAgentState")));
    let answer = send_raw(emu.addr(), &get.build(emu.addr())).await;
    assert_eq!(answer.status, Some(200), "{}", answer.text());
    assert_eq!(answer.json()["Data"]["DeviceId"], "dev-1");

    let post = official(
        V1::new("ResetAgentState")
            .body_param("InstanceId", "ccc-test")
            .body_param("DeviceId", "dev-form"),
    );
    let answer = send_raw(emu.addr(), &post.build(emu.addr())).await;
    assert_eq!(answer.status, Some(200), "{}", answer.text());
    assert_eq!(answer.json()["Data"]["DeviceId"], "dev-form");

    let sts = official(reset_v1(V1::new("ResetAgentState")))
        .set("AccessKeyId", STS_ID)
        .set("SecurityToken", STS_TOKEN);
    let sts = V1 {
        secret: STS_SECRET.into(),
        ..sts
    };
    let answer = send_raw(emu.addr(), &sts.build(emu.addr())).await;
    assert_eq!(answer.status, Some(200), "{}", answer.text());
    assert_eq!(emu.requests("ResetAgentState"), 3);

    // Still checked as V1: a wrong signature is a mismatch, not an incomplete V3 signature.
    let mut bad = official(reset_v1(V1::new("ResetAgentState")));
    bad.signature = Some("AAAAAAAAAAAAAAAAAAAAAAAAAAA=".into());
    send_raw(emu.addr(), &bad.build(emu.addr()))
        .await
        .expect_error(400, "SignatureDoesNotMatch");
}

#[tokio::test]
async fn a_bad_signature_is_refused() {
    let emu = start().await;
    let mut req = reset(V3::new("ResetAgentState"));
    req.signature = Some("00".repeat(32));
    let body = send_raw(emu.addr(), &req.build(emu.addr()))
        .await
        .expect_error(400, "SignatureDoesNotMatch");
    assert_eq!(
        body["Message"],
        "Specified signature is not matched with our calculation."
    );
    assert!(
        body["Recommend"]
            .as_str()
            .unwrap()
            .contains("SignatureDoesNotMatch")
    );

    let wrong_secret = reset(V3::new("ResetAgentState")).key("testid", "not-the-secret");
    send_raw(emu.addr(), &wrong_secret.build(emu.addr()))
        .await
        .expect_error(400, "SignatureDoesNotMatch");

    let mut v1 = reset_v1(V1::new("ResetAgentState"));
    v1.signature = Some("AAAAAAAAAAAAAAAAAAAAAAAAAAA=".into());
    send_raw(emu.addr(), &v1.build(emu.addr()))
        .await
        .expect_error(400, "SignatureDoesNotMatch");
}

#[tokio::test]
async fn a_tampered_query_or_body_is_refused() {
    let emu = start().await;
    let req = reset(V3::new("ResetAgentState")).build(emu.addr());
    let tampered = String::from_utf8(req)
        .unwrap()
        .replace("DeviceId=dev-1", "DeviceId=dev-2");
    send_raw(emu.addr(), tampered.as_bytes())
        .await
        .expect_error(400, "SignatureDoesNotMatch");

    let mut req = V3::new("ResetAgentState")
        .body_param("InstanceId", "ccc-test")
        .body_param("DeviceId", "d");
    req.body_override = Some(b"InstanceId=ccc-test&DeviceId=x".to_vec());
    let body = send_raw(emu.addr(), &req.build(emu.addr()))
        .await
        .expect_error(400, "InvalidParameter");
    assert!(
        body["Message"]
            .as_str()
            .unwrap()
            .contains("x-acs-content-sha256"),
        "{body}"
    );
}

#[tokio::test]
async fn an_unknown_access_key_is_refused() {
    let emu = start().await;
    let req = reset(V3::new("ResetAgentState")).key("nobody", "x");
    let body = send_raw(emu.addr(), &req.build(emu.addr()))
        .await
        .expect_error(404, "InvalidAccessKeyId.NotFound");
    assert_eq!(body["Message"], "Specified access key is not found.");
    let v1 = reset_v1(V1::new("ResetAgentState").set("AccessKeyId", "nobody"));
    send_raw(emu.addr(), &v1.build(emu.addr()))
        .await
        .expect_error(404, "InvalidAccessKeyId.NotFound");
}

#[tokio::test]
async fn timestamps_must_be_well_formed_and_recent() {
    let emu = start().await;
    let mut old = reset(V3::new("ResetAgentState"));
    old.date = format_timestamp(now() - 16 * 60);
    send_raw(emu.addr(), &old.build(emu.addr()))
        .await
        .expect_error(400, "InvalidTimeStamp.Expired");
    let mut future = reset(V3::new("ResetAgentState"));
    future.date = format_timestamp(now() + 16 * 60);
    send_raw(emu.addr(), &future.build(emu.addr()))
        .await
        .expect_error(400, "InvalidTimeStamp.Expired");
    let mut within = reset(V3::new("ResetAgentState"));
    within.date = format_timestamp(now() - 14 * 60);
    assert_eq!(
        send_raw(emu.addr(), &within.build(emu.addr())).await.status,
        Some(200)
    );
    let mut garbled = reset(V3::new("ResetAgentState"));
    garbled.date = "Tue, 23 Feb 2016 12:46:24 GMT".into();
    send_raw(emu.addr(), &garbled.build(emu.addr()))
        .await
        .expect_error(400, "InvalidTimeStamp.Format");
    let v1 = reset_v1(V1::new("ResetAgentState").set("Timestamp", "2016-02-23T12:46:24Z"));
    send_raw(emu.addr(), &v1.build(emu.addr()))
        .await
        .expect_error(400, "InvalidTimeStamp.Expired");
    let v1 = reset_v1(V1::new("ResetAgentState").set("Timestamp", "yesterday"));
    send_raw(emu.addr(), &v1.build(emu.addr()))
        .await
        .expect_error(400, "InvalidTimeStamp.Format");
}

#[tokio::test]
async fn a_nonce_cannot_be_used_twice() {
    let emu = start().await;
    let req = reset(V3::new("ResetAgentState")).build(emu.addr());
    assert_eq!(send_raw(emu.addr(), &req).await.status, Some(200));
    let body = send_raw(emu.addr(), &req)
        .await
        .expect_error(400, "SignatureNonceUsed");
    assert_eq!(
        body["Message"],
        "Specified signature nonce was used already."
    );

    let v1 = reset_v1(V1::new("ResetAgentState")).build(emu.addr());
    assert_eq!(send_raw(emu.addr(), &v1).await.status, Some(200));
    send_raw(emu.addr(), &v1)
        .await
        .expect_error(400, "SignatureNonceUsed");
}

#[tokio::test]
async fn nonces_are_per_access_key() {
    let emu = start().await;
    let first = reset(V3::new("ResetAgentState"));
    let mut second = reset(V3::new("ResetAgentState"))
        .key(STS_ID, STS_SECRET)
        .token(STS_TOKEN);
    second.nonce = first.nonce.clone();
    assert_eq!(
        send_raw(emu.addr(), &first.build(emu.addr())).await.status,
        Some(200)
    );
    assert_eq!(
        send_raw(emu.addr(), &second.build(emu.addr())).await.status,
        Some(200)
    );
}

#[tokio::test]
async fn incomplete_signatures_are_refused() {
    let emu = start().await;
    let mut no_auth = reset(V3::new("ResetAgentState"));
    no_auth.omit_authorization = true;
    let body = send_raw(emu.addr(), &no_auth.build(emu.addr()))
        .await
        .expect_error(400, "IncompleteSignature");
    assert_eq!(
        body["Message"],
        "The request signature does not conform to Aliyun standards."
    );

    for header in [
        "x-acs-date",
        "host",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
        "x-acs-action",
        "x-acs-version",
    ] {
        let mut req = reset(V3::new("ResetAgentState"));
        req.unsigned = vec![header.to_owned()];
        send_raw(emu.addr(), &req.build(emu.addr()))
            .await
            .expect_error(400, "IncompleteSignature");
    }

    let garbage = common::raw_request(
        "POST",
        "/",
        &[
            ("host".into(), emu.addr().to_string()),
            ("x-acs-action".into(), "ResetAgentState".into()),
            ("authorization".into(), "Bearer abc".into()),
        ],
        b"",
    );
    send_raw(emu.addr(), &garbage)
        .await
        .expect_error(400, "IncompleteSignature");

    // SignedHeaders naming headers that were not sent, or cannot exist.
    for extra in ["x-acs-missing", "bad header", "é"] {
        let req = String::from_utf8(reset(V3::new("ResetAgentState")).build(emu.addr())).unwrap();
        let req = req.replace(
            "SignedHeaders=host;",
            &format!("SignedHeaders={extra};host;"),
        );
        send_raw(emu.addr(), req.as_bytes())
            .await
            .expect_error(400, "IncompleteSignature");
    }

    for missing in [
        "Signature",
        "AccessKeyId",
        "SignatureNonce",
        "Timestamp",
        "Action",
        "Version",
    ] {
        let mut v1 = reset_v1(V1::new("ResetAgentState"));
        v1.omit = vec![missing.to_owned()];
        let body = send_raw(emu.addr(), &v1.build(emu.addr()))
            .await
            .expect_error(400, "MissingParameter");
        assert!(
            body["Message"]
                .as_str()
                .unwrap()
                .contains(&format!("\"{missing}\"")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn an_issued_key_that_expired_is_refused_as_an_expired_token() {
    let emu = start().await;
    let identity = emu.identity();
    let live = identity.issue(std::time::Duration::from_secs(3600));
    let expired = identity.issue(std::time::Duration::ZERO);
    for key in [&live, &expired] {
        let v3 = reset(V3::new("ResetAgentState"))
            .key(&key.access_key_id, &key.access_key_secret)
            .token(&key.security_token);
        let mut v1 = reset_v1(
            V1::new("ResetAgentState")
                .set("AccessKeyId", &key.access_key_id)
                .set("SecurityToken", &key.security_token),
        );
        v1.secret = key.access_key_secret.clone();
        for request in [v3.build(emu.addr()), v1.build(emu.addr())] {
            let answer = send_raw(emu.addr(), &request).await;
            if std::ptr::eq(key, &live) {
                assert_eq!(answer.status, Some(200), "{}", answer.text());
            } else {
                let body = answer.expect_error(403, "InvalidSecurityToken.Expired");
                assert_eq!(body["Message"], "Specified SecurityToken is expired.");
            }
        }
    }
    // A key never issued is still unknown.
    let v3 = reset(V3::new("ResetAgentState"))
        .key("STS.NTnever", "x")
        .token("t");
    send_raw(emu.addr(), &v3.build(emu.addr()))
        .await
        .expect_error(404, "InvalidAccessKeyId.NotFound");
}

/// `AssumeRole` over HTTP, V1-signed with the emulator's key.
fn assume_role() -> V1 {
    V1::new("AssumeRole")
        .set("Version", ccc_emulator::STS_VERSION)
        .param("RoleArn", "acs:ram::1:role/r")
        .param("RoleSessionName", "s")
}

#[tokio::test]
async fn sts_refuses_a_nonce_used_before() {
    let emu = start().await;
    let request = assume_role().build(emu.addr());
    let first = send_raw(emu.addr(), &request).await;
    assert_eq!(first.status, Some(200), "{}", first.text());
    assert!(first.json()["Credentials"]["AccessKeyId"].is_string());
    let body = send_raw(emu.addr(), &request)
        .await
        .expect_error(400, "SignatureNonceUsed");
    assert_eq!(
        body["Message"],
        "Specified signature nonce was used already."
    );
    // A fresh nonce is served; both requests were counted.
    let again = send_raw(emu.addr(), &assume_role().build(emu.addr())).await;
    assert_eq!(again.status, Some(200), "{}", again.text());
    assert_eq!(emu.identity().assume_role_calls(), 3);
}

#[tokio::test]
async fn sts_credentials_need_their_token() {
    let emu = start().await;
    let ok = reset(V3::new("ResetAgentState"))
        .key(STS_ID, STS_SECRET)
        .token(STS_TOKEN);
    assert_eq!(
        send_raw(emu.addr(), &ok.build(emu.addr())).await.status,
        Some(200)
    );

    let none = reset(V3::new("ResetAgentState")).key(STS_ID, STS_SECRET);
    let body = send_raw(emu.addr(), &none.build(emu.addr()))
        .await
        .expect_error(403, "InvalidSecurityToken.MismatchWithAccessKey");
    assert_eq!(
        body["Message"],
        "Specified SecurityToken mismatch with the AccessKey."
    );

    let wrong = reset(V3::new("ResetAgentState"))
        .key(STS_ID, STS_SECRET)
        .token("other");
    send_raw(emu.addr(), &wrong.build(emu.addr()))
        .await
        .expect_error(403, "InvalidSecurityToken.MismatchWithAccessKey");

    let mut unsigned = reset(V3::new("ResetAgentState"))
        .key(STS_ID, STS_SECRET)
        .token(STS_TOKEN);
    unsigned.sign_token = false;
    send_raw(emu.addr(), &unsigned.build(emu.addr()))
        .await
        .expect_error(400, "IncompleteSignature");

    let token_on_plain_key = reset(V3::new("ResetAgentState")).token(STS_TOKEN);
    send_raw(emu.addr(), &token_on_plain_key.build(emu.addr()))
        .await
        .expect_error(403, "InvalidSecurityToken.MismatchWithAccessKey");

    let mut v1 = reset_v1(
        V1::new("ResetAgentState")
            .set("AccessKeyId", STS_ID)
            .set("SecurityToken", STS_TOKEN),
    );
    v1.secret = STS_SECRET.into();
    assert_eq!(
        send_raw(emu.addr(), &v1.build(emu.addr())).await.status,
        Some(200)
    );
    let mut v1 = reset_v1(V1::new("ResetAgentState").set("AccessKeyId", STS_ID));
    v1.secret = STS_SECRET.into();
    send_raw(emu.addr(), &v1.build(emu.addr()))
        .await
        .expect_error(403, "InvalidSecurityToken.MismatchWithAccessKey");
}

#[tokio::test]
async fn unknown_actions_and_versions_are_refused() {
    let emu = start().await;
    let body = send_raw(emu.addr(), &V3::new("NoSuchAction").build(emu.addr()))
        .await
        .expect_error(404, "InvalidAction.NotFound");
    assert_eq!(
        body["Message"],
        "Specified api is not found, please check your url and method."
    );
    send_raw(emu.addr(), &V1::new("NoSuchAction").build(emu.addr()))
        .await
        .expect_error(404, "InvalidAction.NotFound");
    assert_eq!(emu.requests("NoSuchAction"), 2);

    let mut old = reset(V3::new("ResetAgentState"));
    old.version = "2017-07-05".into();
    let body = send_raw(emu.addr(), &old.build(emu.addr()))
        .await
        .expect_error(400, "InvalidParameter");
    assert!(body["Message"].as_str().unwrap().contains("Version"));
    let v1 = reset_v1(V1::new("ResetAgentState").set("Version", "2017-07-05"));
    send_raw(emu.addr(), &v1.build(emu.addr()))
        .await
        .expect_error(400, "InvalidParameter");

    let mut elsewhere = reset(V3::new("ResetAgentState"));
    elsewhere.path = "/other".into();
    send_raw(emu.addr(), &elsewhere.build(emu.addr()))
        .await
        .expect_error(404, "InvalidAction.NotFound");
}

#[tokio::test]
async fn faults_apply_only_after_authentication() {
    let emu = start().await;
    emu.faults().inject(Fault::throttling());
    let mut bad = reset(V3::new("ResetAgentState"));
    bad.signature = Some("ab".repeat(32));
    send_raw(emu.addr(), &bad.build(emu.addr()))
        .await
        .expect_error(400, "SignatureDoesNotMatch");
    send_raw(
        emu.addr(),
        &reset(V3::new("ResetAgentState")).build(emu.addr()),
    )
    .await
    .expect_error(400, "Throttling.User");
    // Both attempts are counted.
    assert_eq!(emu.requests("ResetAgentState"), 2);
}

#[tokio::test]
async fn v1_errors_follow_format_xml() {
    let emu = start().await;
    let mut v1 = reset_v1(V1::new("ResetAgentState").set("Format", "XML"));
    v1.signature = Some("AAAAAAAAAAAAAAAAAAAAAAAAAAA=".into());
    let answer = send_raw(emu.addr(), &v1.build(emu.addr())).await;
    assert_eq!(answer.status, Some(400));
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("text/xml")
    );
    let text = answer.text();
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(text.contains("<Error><RequestId>"), "{text}");
    assert!(
        text.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{text}"
    );
}

#[tokio::test]
async fn malformed_requests_get_a_400_body() {
    let emu = start().await;
    let host = [("host".to_owned(), emu.addr().to_string())];
    let bad_escape = common::raw_request("GET", "/?Action=ResetAgentState&Device%ZZ=1", &host, b"");
    let body = send_raw(emu.addr(), &bad_escape)
        .await
        .expect_error(400, "InvalidParameter");
    assert!(
        body["Message"].as_str().unwrap().contains("Device%ZZ"),
        "{body}"
    );

    let not_utf8 = common::raw_request("GET", "/?Action=%FF%FE", &host, b"");
    send_raw(emu.addr(), &not_utf8)
        .await
        .expect_error(400, "InvalidParameter");

    let form_headers = [
        ("host".to_owned(), emu.addr().to_string()),
        (
            "content-type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ),
    ];
    let bad_form = common::raw_request("POST", "/", &form_headers, b"Action=\xff\xfe");
    send_raw(emu.addr(), &bad_form)
        .await
        .expect_error(400, "InvalidParameter");

    let nothing = common::raw_request("GET", "/", &host, b"");
    send_raw(emu.addr(), &nothing)
        .await
        .expect_error(400, "MissingParameter");

    let mut bad_header = b"POST / HTTP/1.1\r\nhost: x\r\nauthorization: ACS3-HMAC-SHA256 \xff\r\nx-acs-action: A\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec();
    let answer = send_raw(emu.addr(), &bad_header).await;
    assert_eq!(answer.status, Some(400), "{}", answer.text());
    bad_header.clear();

    let junk = send_raw(emu.addr(), b"\x00\x01 garbage\r\n\r\n").await;
    // Not HTTP at all: hyper's own bare 400, and the connection closes.
    assert_eq!(junk.status, Some(400), "{junk:?}");
    // Still serving.
    let ok = send_raw(
        emu.addr(),
        &reset(V3::new("ResetAgentState")).build(emu.addr()),
    )
    .await;
    assert_eq!(ok.status, Some(200));
}
