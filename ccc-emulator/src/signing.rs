//! The emulator's own implementation of Alibaba Cloud's request signatures, written apart from
//! the SDK's so that one misreading of the algorithm cannot hide in both.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::encoding::{encode, encode_into};

/// The V3 algorithm name, first word of the `Authorization` header.
pub(crate) const V3_ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// V1 `StringToSign`: `METHOD&%2F&enc(canonicalized)`, where the canonicalized string holds every
/// parameter but `Signature`, encoded and sorted.
pub(crate) fn v1_string_to_sign<'a>(
    method: &str,
    params: impl Iterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut encoded: Vec<(String, String)> = params
        .filter(|(name, _)| *name != "Signature")
        .map(|(name, value)| (encode(name), encode(value)))
        .collect();
    encoded.sort_unstable();
    let mut canonical =
        String::with_capacity(encoded.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
    for (i, (name, value)) in encoded.iter().enumerate() {
        if i > 0 {
            canonical.push('&');
        }
        canonical.push_str(name);
        canonical.push('=');
        canonical.push_str(value);
    }
    let mut out = String::with_capacity(method.len() + 6 + canonical.len() * 3 / 2);
    out.push_str(method);
    out.push_str("&%2F&");
    encode_into(&mut out, &canonical);
    out
}

/// V1 signature: base64 of HMAC-SHA1 keyed with `secret&`.
pub(crate) fn v1_signature(secret: &str, string_to_sign: &str) -> String {
    let mut key = Vec::with_capacity(secret.len() + 1);
    key.extend_from_slice(secret.as_bytes());
    key.push(b'&');
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&key) else {
        return String::new();
    };
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The parts of a V3 `Authorization` header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct V3Authorization<'a> {
    pub(crate) access_key_id: &'a str,
    /// Lowercased and sorted.
    pub(crate) signed_headers: Vec<String>,
    pub(crate) signature: &'a str,
}

/// Parses `ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex`. `None` when it is not
/// of that shape.
pub(crate) fn parse_v3_authorization(value: &str) -> Option<V3Authorization<'_>> {
    let rest = value.trim().strip_prefix(V3_ALGORITHM)?;
    if !rest.starts_with(' ') {
        return None;
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, val) = part.trim().split_once('=')?;
        let slot = match key.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => continue,
        };
        *slot = Some(val.trim());
    }
    let (access_key_id, signed, signature) = (credential?, signed?, signature?);
    if access_key_id.is_empty() || signed.is_empty() || signature.is_empty() {
        return None;
    }
    let mut signed_headers: Vec<String> = signed
        .split(';')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    signed_headers.sort_unstable();
    signed_headers.dedup();
    Some(V3Authorization {
        access_key_id,
        signed_headers,
        signature,
    })
}

/// V3 canonical request. `query` holds decoded pairs; `headers` holds, for each signed header in
/// sorted order, its lowercased name and its value.
pub(crate) fn v3_canonical_request<'a>(
    method: &str,
    path: &str,
    query: impl Iterator<Item = (&'a str, &'a str)>,
    headers: &[(&str, &str)],
    hashed_payload: &str,
) -> String {
    let mut encoded: Vec<(String, String)> = query.map(|(k, v)| (encode(k), encode(v))).collect();
    encoded.sort_unstable();
    let mut out = String::with_capacity(512);
    out.push_str(method);
    out.push('\n');
    out.push_str(if path.is_empty() { "/" } else { path });
    out.push('\n');
    for (i, (name, value)) in encoded.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out.push('\n');
    for (name, value) in headers {
        out.push_str(name);
        out.push(':');
        out.push_str(value.trim());
        out.push('\n');
    }
    out.push('\n');
    for (i, (name, _)) in headers.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(name);
    }
    out.push('\n');
    out.push_str(hashed_payload);
    out
}

/// Lowercase hex SHA-256.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// V3 string to sign: the algorithm and the hex SHA-256 of the canonical request.
pub(crate) fn v3_string_to_sign(canonical_request: &str) -> String {
    format!(
        "{V3_ALGORITHM}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// V3 signature: lowercase hex HMAC-SHA256 keyed with the secret.
pub(crate) fn v3_signature(secret: &str, string_to_sign: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Equality that takes the same time wherever the inputs differ, so that a caller cannot learn a
/// valid signature byte by byte from response timing.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The V1 worked example of Alibaba Cloud's signature documentation.
    #[test]
    fn v1_worked_example() {
        let params = [
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
            ("Signature", "ignored"),
        ];
        // Order of arrival must not matter.
        let sts = v1_string_to_sign("GET", params.iter().rev().map(|(k, v)| (*k, *v)));
        assert_eq!(
            sts,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26\
             SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26\
             SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
        );
        assert_eq!(
            v1_signature("testsecret", &sts),
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
        );
    }

    /// The V3 worked example of Alibaba Cloud's signature documentation.
    #[test]
    fn v3_worked_example() {
        let empty = sha256_hex(b"");
        assert_eq!(
            empty,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let headers = [
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-content-sha256", empty.as_str()),
            ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
            ("x-acs-version", "2014-05-26"),
        ];
        let query = [
            ("RegionId", "cn-shanghai"),
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            ),
        ];
        let canonical = v3_canonical_request("POST", "/", query.into_iter(), &headers, &empty);
        assert_eq!(
            sha256_hex(canonical.as_bytes()),
            "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        let sts = v3_string_to_sign(&canonical);
        assert_eq!(
            v3_signature("YourAccessKeySecret", &sts),
            "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    #[test]
    fn parses_v3_authorization() {
        let auth = parse_v3_authorization(
            "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=x-acs-date;Host,Signature=abc",
        )
        .unwrap();
        assert_eq!(auth.access_key_id, "AK");
        assert_eq!(auth.signed_headers, ["host", "x-acs-date"]);
        assert_eq!(auth.signature, "abc");
        assert!(parse_v3_authorization("ACS3-HMAC-SHA256Credential=AK").is_none());
        assert!(parse_v3_authorization("HMAC Credential=AK,SignedHeaders=h,Signature=s").is_none());
        assert!(parse_v3_authorization("ACS3-HMAC-SHA256 Credential=AK,Signature=s").is_none());
        assert!(parse_v3_authorization("ACS3-HMAC-SHA256 garbage").is_none());
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
