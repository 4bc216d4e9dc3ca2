//! Parameters that carry JSON text, on the wire: typed values leave the SDK as the exact JSON
//! text Alibaba's official SDKs send for them, percent-encoded in the query or the form body, and
//! the emulator, which checks every signature, accepts the request in V1 and V3.
//!
//! Requests pass through a recording relay on loopback, so the test sees their bytes as the
//! emulator received them.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ccc_emulator::SEED_INSTANCE;
use ccc_sdk::SignatureVersion;
use ccc_tests::{client_with, config, emulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Every test is over in this time, or fails.
const LIMIT: Duration = Duration::from_secs(20);
/// The most bytes the relay records of one test's requests.
const RECORD_CAP: usize = 1 << 20;

/// A loopback relay to `upstream` that records what clients send through it.
struct Relay {
    url: String,
    sent: Arc<Mutex<Vec<u8>>>,
}

impl Relay {
    async fn start(upstream: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let sent = Arc::new(Mutex::new(Vec::new()));
        let record = sent.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let record = record.clone();
                tokio::spawn(async move {
                    let (mut client_rd, mut client_wr) = client.into_split();
                    let (mut server_rd, mut server_wr) = server.into_split();
                    let answers = tokio::spawn(async move {
                        tokio::io::copy(&mut server_rd, &mut client_wr).await
                    });
                    let mut buf = [0u8; 8192];
                    while let Ok(n) = client_rd.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        {
                            let mut r = record.lock().unwrap_or_else(|p| p.into_inner());
                            let room = RECORD_CAP.saturating_sub(r.len());
                            r.extend_from_slice(&buf[..n.min(room)]);
                        }
                        if server_wr.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = server_wr.shutdown().await;
                    let _ = answers.await;
                });
            }
        });
        Relay { url, sent }
    }

    /// What clients sent, as text (requests here are ASCII: everything else is percent-encoded).
    fn sent(&self) -> String {
        let bytes = self.sent.lock().unwrap_or_else(|p| p.into_inner()).clone();
        String::from_utf8(bytes).expect("requests are ASCII")
    }
}

/// The raw (still percent-encoded) value of `name` in the request line's query or in the body.
fn raw_value(request: &str, name: &str) -> Option<String> {
    let (head, body) = request.split_once("\r\n\r\n").unwrap_or((request, ""));
    let target = head.lines().next()?.split(' ').nth(1)?;
    let query = target.split_once('?').map_or("", |(_, q)| q);
    [query, body]
        .into_iter()
        .flat_map(|part| part.split('&'))
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")).map(str::to_string))
}

/// Percent-encoding as Alibaba's signatures define it: unreserved characters (RFC 3986) as they
/// are, every other byte `%XX`.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn the_percent_encoding_helper_follows_the_signature_rules() {
    assert_eq!(
        percent(r#"["a b","é"]"#),
        "%5B%22a%20b%22%2C%22%C3%A9%22%5D"
    );
}

#[tokio::test]
async fn typed_lists_travel_as_the_official_sdks_json_text_and_the_signature_verifies() {
    tokio::time::timeout(LIMIT, async {
        let emu = emulator().await;
        let upstream = emu.endpoint().trim_start_matches("http://").to_string();
        for version in [SignatureVersion::V3, SignatureVersion::V1] {
            let relay = Relay::start(upstream.clone()).await;
            let client = client_with(config(&emu, version).endpoint_url(&relay.url));
            let out = client
                .list_realtime_agent_states()
                .instance_id(SEED_INSTANCE)
                .page_number(1)
                .page_size(10)
                // Non-ASCII, quotes and backslashes, `<>&'/`, a control character.
                .agent_id_list(["ann@ccc-test", "技能组-é", r#"q"b\s"#, "<x>&'/", "tab\t"])
                .state_list(Vec::<ccc_sdk::types::RealtimeAgentState>::new())
                .call_type_list(["INBOUND"])
                .call_type_list(["OUTBOUND"])
                .work_mode_list_json(r#"[ "ON_SITE" ]"#)
                .send()
                .await;
            let out = out.unwrap_or_else(|e| panic!("{version:?}: the emulator refused: {e}"));
            assert!(out.data().is_some(), "{version:?}");

            let sent = relay.sent();
            let agents = r#"["ann@ccc-test","技能组-é","q\"b\\s","<x>&'/","tab\t"]"#;
            assert_eq!(
                raw_value(&sent, "AgentIdList").as_deref(),
                Some(percent(agents).as_str()),
                "{version:?}"
            );
            // The same, byte for byte, written out.
            assert_eq!(
                raw_value(&sent, "AgentIdList").as_deref(),
                Some(
                    "%5B%22ann%40ccc-test%22%2C%22%E6%8A%80%E8%83%BD%E7%BB%84-%C3%A9%22%2C\
                     %22q%5C%22b%5C%5Cs%22%2C%22%3Cx%3E%26%27%2F%22%2C%22tab%5Ct%22%5D"
                ),
                "{version:?}"
            );
            // An empty list is `[]`; a second call appends; raw text goes as it is.
            assert_eq!(
                raw_value(&sent, "StateList").as_deref(),
                Some("%5B%5D"),
                "{version:?}"
            );
            assert_eq!(
                raw_value(&sent, "CallTypeList").as_deref(),
                Some(percent(r#"["INBOUND","OUTBOUND"]"#).as_str()),
                "{version:?}"
            );
            assert_eq!(
                raw_value(&sent, "WorkModeList").as_deref(),
                Some(percent(r#"[ "ON_SITE" ]"#).as_str()),
                "{version:?}"
            );
        }
    })
    .await
    .expect("the test finishes in time");
}

#[tokio::test]
async fn structs_travel_with_keys_in_the_java_sdks_order_and_raw_text_stands_in_for_a_required_list()
 {
    use ccc_sdk::operation::add_users_to_skill_group::UserSkillLevel;
    use ccc_sdk::types::SkillLevel;
    tokio::time::timeout(LIMIT, async {
        let emu = emulator().await;
        let upstream = emu.endpoint().trim_start_matches("http://").to_string();
        for version in [SignatureVersion::V3, SignatureVersion::V1] {
            let relay = Relay::start(upstream.clone()).await;
            let client = client_with(config(&emu, version).endpoint_url(&relay.url));
            client
                .add_users_to_skill_group()
                .instance_id(SEED_INSTANCE)
                .skill_group_id("skg-sales@ccc-test")
                // Set in the other order: the keys come in the Java SDK's order all the same
                // (one bucket of its HashMap for both, so the model's field order).
                .user_skill_level_list([UserSkillLevel::default()
                    .skill_level(9)
                    .user_id("agent-ann@ccc-test")])
                .send()
                .await
                .unwrap_or_else(|e| panic!("{version:?}: {e}"));
            client
                .add_skill_groups_to_user()
                .instance_id(SEED_INSTANCE)
                .user_id("agent-ann@ccc-test")
                // `skillLevel` comes first: its bucket (13) is before `skillGroupId`'s (14).
                .skill_level_list([SkillLevel::default()
                    .skill_group_id("skg-support@ccc-test")
                    .skill_level(5)])
                .send()
                .await
                .unwrap_or_else(|e| panic!("{version:?}: {e}"));
            let sent = relay.sent();
            assert_eq!(
                raw_value(&sent, "UserSkillLevelList").as_deref(),
                Some(
                    "%5B%7B%22userId%22%3A%22agent-ann%40ccc-test%22%2C%22skillLevel%22%3A9%7D%5D"
                ),
                "{version:?}"
            );
            assert_eq!(
                raw_value(&sent, "SkillLevelList").as_deref(),
                Some(
                    percent(r#"[{"skillLevel":5,"skillGroupId":"skg-support@ccc-test"}]"#).as_str()
                ),
                "{version:?}"
            );

            // A required list given as raw text only; the typed setter called before it is
            // replaced, so the text is what is sent.
            let relay = Relay::start(upstream.clone()).await;
            let client = client_with(config(&emu, version).endpoint_url(&relay.url));
            let out = client
                .sign_in_group()
                .instance_id(SEED_INSTANCE)
                .user_id("agent-ann@ccc-test")
                .device_id("ws-json")
                .signed_skill_group_id_list(["skg-ghost@ccc-test"])
                .signed_skill_group_id_list_json(r#"["skg-sales@ccc-test"]"#)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{version:?}: {e}"));
            assert_eq!(
                out.data().unwrap().signed_skill_group_id_list(),
                ["skg-sales@ccc-test".to_string()],
                "{version:?}"
            );
            assert_eq!(
                raw_value(&relay.sent(), "SignedSkillGroupIdList").as_deref(),
                Some(percent(r#"["skg-sales@ccc-test"]"#).as_str()),
                "{version:?}"
            );
        }
    })
    .await
    .expect("the test finishes in time");
}

#[test]
fn the_last_of_the_typed_and_the_raw_setter_wins() {
    use ccc_sdk::operation::sign_in_group::SignInGroupInput;
    let typed_last = SignInGroupInput::builder()
        .instance_id("i")
        .device_id("d")
        .signed_skill_group_id_list_json("[]")
        .signed_skill_group_id_list(["a"])
        .build()
        .unwrap();
    assert_eq!(typed_last.signed_skill_group_id_list, ["a"]);
    assert_eq!(typed_last.signed_skill_group_id_list_json, None);
    let raw_last = SignInGroupInput::builder()
        .instance_id("i")
        .device_id("d")
        .signed_skill_group_id_list(["a"])
        .signed_skill_group_id_list_json(r#"["b"]"#)
        .build()
        .unwrap();
    assert!(raw_last.signed_skill_group_id_list.is_empty());
    assert_eq!(
        raw_last.signed_skill_group_id_list_json.as_deref(),
        Some(r#"["b"]"#)
    );
    // Neither: the required parameter is missing, named.
    let missing = SignInGroupInput::builder()
        .instance_id("i")
        .device_id("d")
        .build()
        .unwrap_err();
    assert!(
        missing.to_string().contains("SignedSkillGroupIdList"),
        "{missing}"
    );
}
