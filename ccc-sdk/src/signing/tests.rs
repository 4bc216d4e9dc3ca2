use super::*;
use crate::credentials::Credentials;

fn params(query: &[(&str, &str)], body: &[(&str, &str)]) -> Params<'static> {
    let own = |v: &[(&str, &str)]| {
        v.iter()
            .map(|(k, v)| (Cow::Owned(k.to_string()), Cow::Owned(v.to_string())))
            .collect()
    };
    Params {
        query: own(query),
        body: own(body),
    }
}

/// Splits `a=b&c=d` into decoded pairs, to check what a signed request carries.
fn decode_pairs(s: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (decode(k), decode(v))
        })
        .collect()
}

#[test]
fn v1_reproduces_the_published_example() {
    let canonical = canonical_query(
        [
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
        ]
        .into_iter(),
    );
    let sts = v1_string_to_sign("GET", &canonical);
    assert_eq!(
        sts,
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
    );
    assert_eq!(
        v1_signature("testsecret", &sts),
        "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    );
}

#[test]
fn v3_reproduces_the_published_example() {
    let query = canonical_query(
        [
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            ),
            ("RegionId", "cn-shanghai"),
        ]
        .into_iter(),
    );
    let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert_eq!(sha256_hex(b""), empty);
    assert_eq!(EMPTY_SHA256, empty);
    let canonical = v3_canonical_request(
        "POST",
        &query,
        &[
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-content-sha256", empty),
            ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
            ("x-acs-version", "2014-05-26"),
        ],
        empty,
    );
    assert_eq!(
        sha256_hex(canonical.as_bytes()),
        "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
    );
    assert_eq!(
        v3_signature("YourAccessKeySecret", &canonical),
        "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    );
}

#[test]
fn v3_full_request_matches_the_published_example() {
    let p = params(
        &[
            ("RegionId", "cn-shanghai"),
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            ),
        ],
        &[],
    );
    let req = Unsigned {
        method: "POST",
        host: "ecs.cn-shanghai.aliyuncs.com",
        action: "RunInstances",
        version: "2014-05-26",
        params: &p,
        timestamp: "2023-10-26T10:22:32Z",
        nonce: "3156853299f313e23d1673dc12e1703d",
    };
    let creds = Credentials::new("YourAccessKeyId", "YourAccessKeySecret");
    let signed = sign(SignatureVersion::V3, &req, &creds);
    let auth = signed
        .headers
        .iter()
        .find(|(k, _)| *k == "authorization")
        .unwrap();
    assert_eq!(
        auth.1,
        "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    );
    assert_eq!(
        signed.query,
        "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"
    );
    assert!(signed.body.is_empty());
}

#[test]
fn v1_full_request_matches_the_published_example() {
    // The published example asks for XML; this SDK asks for JSON, so the example is checked
    // through the parts (above) and the layout here is checked by re-signing what is sent.
    let p = params(&[("InstanceId", "ccc-test")], &[("Note", "a b")]);
    let req = Unsigned {
        method: "POST",
        host: "ccc.aliyuncs.com",
        action: "ResetAgentState",
        version: API_VERSION,
        params: &p,
        timestamp: "2016-02-23T12:46:24Z",
        nonce: "n1",
    };
    let creds = Credentials::new("testid", "testsecret").with_security_token("tok");
    let signed = sign(SignatureVersion::V1, &req, &creds);
    let mut pairs = decode_pairs(&signed.query);
    let sig_at = pairs.iter().position(|(k, _)| k == "Signature").unwrap();
    let (_, signature) = pairs.remove(sig_at);
    let mut names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "AccessKeyId",
            "Action",
            "Format",
            "InstanceId",
            "SecurityToken",
            "SignatureMethod",
            "SignatureNonce",
            "SignatureVersion",
            "Timestamp",
            "Version"
        ]
    );
    let body = String::from_utf8(signed.body.clone()).unwrap();
    assert_eq!(body, "Note=a%20b");
    let mut all: Vec<(String, String)> = pairs;
    all.extend(decode_pairs(&body));
    let canonical = canonical_query(all.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    assert_eq!(
        signature,
        v1_signature("testsecret", &v1_string_to_sign("POST", &canonical))
    );
    assert_eq!(
        signed.headers,
        [("content-type", HeaderText::Static(FORM_CONTENT_TYPE))]
    );
}

#[test]
fn v3_signs_the_token_and_the_body() {
    let p = params(&[("InstanceId", "ccc-test")], &[("Name", "坐席 *~")]);
    let req = Unsigned {
        method: "POST",
        host: "127.0.0.1:8080",
        action: "ResetAgentState",
        version: API_VERSION,
        params: &p,
        timestamp: "2024-01-01T00:00:00Z",
        nonce: "abc",
    };
    let creds = Credentials::new("id", "secret").with_security_token("sts-token");
    let signed = sign(SignatureVersion::V3, &req, &creds);
    let header = |name: &str| {
        signed
            .headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("x-acs-security-token"), Some("sts-token"));
    assert_eq!(header("content-type"), Some(FORM_CONTENT_TYPE));
    assert_eq!(
        String::from_utf8(signed.body.clone()).unwrap(),
        "Name=%E5%9D%90%E5%B8%AD%20%2A~"
    );
    assert_eq!(
        header("x-acs-content-sha256"),
        Some(sha256_hex(&signed.body).as_str())
    );
    let auth = header("authorization").unwrap();
    assert!(
        auth.contains("SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,"),
        "{auth}"
    );
    // Recompute from what is sent: the signature covers exactly these bytes.
    let body_hash = sha256_hex(&signed.body);
    let canonical = v3_canonical_request(
        "POST",
        "InstanceId=ccc-test",
        &[
            ("content-type", FORM_CONTENT_TYPE),
            ("host", "127.0.0.1:8080"),
            ("x-acs-action", "ResetAgentState"),
            ("x-acs-content-sha256", &body_hash),
            ("x-acs-date", "2024-01-01T00:00:00Z"),
            ("x-acs-security-token", "sts-token"),
            ("x-acs-signature-nonce", "abc"),
            ("x-acs-version", API_VERSION),
        ],
        &body_hash,
    );
    assert!(auth.ends_with(&format!("Signature={}", v3_signature("secret", &canonical))));
}

#[test]
fn percent_encoding_matches_a_byte_by_byte_reference() {
    fn reference(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }
    for s in [
        "",
        "a",
        " ",
        "坐席",
        "a坐b",
        "坐a席",
        "x坐",
        "坐x",
        "é~é",
        "a b+c/d",
        "🙂ok🙂",
        "%",
        "ok",
        "Name=坐席 *~&v",
        "\u{0}\n\t",
    ] {
        let mut out = String::from("prefix:");
        percent_encode_into(s, &mut out);
        assert_eq!(out, format!("prefix:{}", reference(s)), "{s:?}");
        assert_eq!(percent_encode(s), reference(s), "{s:?}");
    }
}

#[test]
fn percent_encoding_is_rfc3986_over_utf8() {
    assert_eq!(percent_encode("a b"), "a%20b");
    assert_eq!(percent_encode("*"), "%2A");
    assert_eq!(percent_encode("~-_."), "~-_.");
    assert_eq!(
        percent_encode("/+&=%!'()@:,;"),
        "%2F%2B%26%3D%25%21%27%28%29%40%3A%2C%3B"
    );
    assert_eq!(percent_encode("坐席"), "%E5%9D%90%E5%B8%AD");
    assert_eq!(percent_encode("AZaz09"), "AZaz09");
}

#[test]
fn canonical_query_sorts_by_encoded_name() {
    let q = canonical_query([("b", "2"), ("a b", "x"), ("A", "1"), ("a", "*")].into_iter());
    assert_eq!(q, "A=1&a=%2A&a%20b=x&b=2");
}

#[test]
fn timestamps_are_iso8601_utc() {
    use std::time::{Duration, UNIX_EPOCH};
    assert_eq!(
        timestamp(UNIX_EPOCH + Duration::from_secs(1_456_231_584)),
        "2016-02-23T12:46:24Z"
    );
    assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    assert_eq!(
        timestamp(UNIX_EPOCH + Duration::from_secs(951_782_400)),
        "2000-02-29T00:00:00Z"
    );
}

#[test]
fn nonces_are_fresh() {
    let a = nonce();
    let b = nonce();
    assert_eq!(a.len(), 32);
    assert!(
        a.bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_ne!(a, b);
}

#[test]
fn nonces_never_repeat_across_threads() {
    let threads: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(|| (0..5_000).map(|_| nonce()).collect::<Vec<_>>()))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for t in threads {
        for n in t.join().unwrap() {
            assert!(seen.insert(n), "a nonce came out twice");
        }
    }
    assert_eq!(seen.len(), 20_000);
}

#[test]
fn signature_version_parses() {
    assert_eq!(
        "v1".parse::<SignatureVersion>().unwrap(),
        SignatureVersion::V1
    );
    assert_eq!(
        "V3".parse::<SignatureVersion>().unwrap(),
        SignatureVersion::V3
    );
    assert!("v2".parse::<SignatureVersion>().is_err());
}
