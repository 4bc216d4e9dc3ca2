//! Request signing: V3 (ACS3-HMAC-SHA256, the default) and V1 (HMAC-SHA1 `Signature` parameter),
//! and the request layout each implies. Pure functions of their inputs, so they are tested
//! against the published worked examples byte for byte.

use std::borrow::Cow;

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use sha2::Digest as _;

use crate::codec::Params;

pub(crate) use crate::generated::endpoints::API_VERSION;

/// Which signature a client puts on its requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureVersion {
    /// ACS3-HMAC-SHA256 in the `Authorization` header; the official SDKs' default.
    #[default]
    V3,
    /// HMAC-SHA1 in the `Signature` query parameter; the older scheme, still accepted.
    V1,
}

impl std::str::FromStr for SignatureVersion {
    type Err = String;

    /// `v3` or `v1`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "v3" | "3" | "acs3-hmac-sha256" => Ok(SignatureVersion::V3),
            "v1" | "1" | "hmac-sha1" => Ok(SignatureVersion::V1),
            other => Err(format!(
                "unknown signature version `{other}` (expected v3 or v1)"
            )),
        }
    }
}

/// A request ready to send: everything the signature covers is fixed here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SignedRequest<'a> {
    /// The encoded query string, without `?`; possibly empty.
    pub(crate) query: String,
    /// Headers to send besides `Host` (which the transport derives from the URL).
    pub(crate) headers: Vec<(&'static str, HeaderText<'a>)>,
    /// Form body (`application/x-www-form-urlencoded`), possibly empty.
    pub(crate) body: Vec<u8>,
}

/// A header value, marked static when it is, so that the transport can send it without a copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HeaderText<'a> {
    Static(&'static str),
    Borrowed(&'a str),
    Owned(String),
}

impl HeaderText<'_> {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            HeaderText::Static(s) | HeaderText::Borrowed(s) => s,
            HeaderText::Owned(s) => s,
        }
    }
}

impl PartialEq<&str> for HeaderText<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// What a request is made of before signing.
pub(crate) struct Unsigned<'a> {
    pub(crate) method: &'static str,
    /// `host` or `host:port`, exactly as the `Host` header will carry it.
    pub(crate) host: &'a str,
    pub(crate) action: &'static str,
    /// API version, `2020-07-01` for every CCC request.
    pub(crate) version: &'static str,
    pub(crate) params: &'a Params<'a>,
    /// `2016-02-23T12:46:24Z`.
    pub(crate) timestamp: &'a str,
    pub(crate) nonce: &'a str,
}

pub(crate) const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// SHA-256 of nothing, in hex: the payload hash of every request without a body.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The keys a request is signed with: an AccessKey pair and, for temporary keys, an STS security
/// token. The credentials type implements it.
pub(crate) trait Keys {
    fn access_key_id(&self) -> &str;
    fn access_key_secret(&self) -> &str;
    fn security_token(&self) -> Option<&str>;
}

/// Signs a request with the chosen scheme.
pub(crate) fn sign<'a, K: Keys>(
    version: SignatureVersion,
    req: &Unsigned<'a>,
    creds: &'a K,
) -> SignedRequest<'a> {
    match version {
        SignatureVersion::V3 => sign_v3(req, creds),
        SignatureVersion::V1 => sign_v1(req, creds),
    }
}

/// RFC 3986 unreserved characters, `A-Z a-z 0-9 - _ . ~`, by byte value.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~');
        b += 1;
    }
    table
};

fn is_unreserved(b: u8) -> bool {
    UNRESERVED[b as usize]
}

/// Percent-encodes per RFC 3986 over UTF-8: unreserved characters are kept, all else is `%XX`.
pub(crate) fn percent_encode_into(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.reserve(s.len());
    // Runs of unreserved characters are copied whole. A non-empty run holds only ASCII and
    // follows an encoded byte or the start, so both of its ends are character boundaries.
    let mut run = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if is_unreserved(b) {
            continue;
        }
        if run < i {
            out.push_str(&s[run..i]);
        }
        out.push('%');
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
        run = i + 1;
    }
    if run < s.len() {
        out.push_str(&s[run..]);
    }
}

/// Percent-encodes, borrowing when nothing needs encoding (the common case for names and ids).
pub(crate) fn percent_encode(s: &str) -> Cow<'_, str> {
    if s.bytes().all(is_unreserved) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    percent_encode_into(s, &mut out);
    Cow::Owned(out)
}

/// `k=v&k=v`, encoded, in the given order.
fn form_encode<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>, out: &mut String) {
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        percent_encode_into(k, out);
        out.push('=');
        percent_encode_into(v, out);
    }
}

/// `k=v&k=v`, encoded, sorted by encoded name then value: the canonical form both schemes sign.
fn canonical_query<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut encoded: Vec<(Cow<'a, str>, Cow<'a, str>)> = pairs
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort_unstable();
    let len: usize = encoded.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut out = String::with_capacity(len);
    for (k, v) in &encoded {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

fn pairs<'a>(
    p: &'a [(Cow<'static, str>, Cow<'a, str>)],
) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
    p.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))
}

/// Lowercase hex of a 32-byte digest, on the stack.
struct Hex32([u8; 64]);

impl Hex32 {
    fn of(bytes: &[u8]) -> Hex32 {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [b'0'; 64];
        for (i, &b) in bytes.iter().take(32).enumerate() {
            out[2 * i] = HEX[(b >> 4) as usize];
            out[2 * i + 1] = HEX[(b & 15) as usize];
        }
        Hex32(out)
    }

    fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
fn sha256_hex(data: &[u8]) -> String {
    Hex32::of(&sha2::Sha256::digest(data)).as_str().to_string()
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Hex32 {
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    Hex32::of(&mac.finalize().into_bytes())
}

fn hmac_sha1(key: &[u8], data: &[u8]) -> [u8; 20] {
    let mut mac =
        hmac::Hmac::<sha1::Sha1>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The V3 canonical request; public to the crate for tests against the worked example.
pub(crate) fn v3_canonical_request(
    method: &str,
    canonical_query: &str,
    signed: &[(&str, &str)],
    payload_hash: &str,
) -> String {
    let mut out = String::with_capacity(256 + canonical_query.len());
    out.push_str(method);
    out.push_str("\n/\n");
    out.push_str(canonical_query);
    out.push('\n');
    for (k, v) in signed {
        out.push_str(k);
        out.push(':');
        out.push_str(v.trim());
        out.push('\n');
    }
    out.push('\n');
    for (i, (k, _)) in signed.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(k);
    }
    out.push('\n');
    out.push_str(payload_hash);
    out
}

/// The V3 signature (hex) over a canonical request.
pub(crate) fn v3_signature(secret: &str, canonical_request: &str) -> Hex32String {
    let digest = Hex32::of(&sha2::Sha256::digest(canonical_request.as_bytes()));
    let sig = hmac_sha256(
        secret.as_bytes(),
        &[b"ACS3-HMAC-SHA256\n", digest.as_str().as_bytes()],
    );
    Hex32String(sig)
}

/// A hex signature, printable and comparable as text.
pub(crate) struct Hex32String(Hex32);

impl std::fmt::Display for Hex32String {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl PartialEq<&str> for Hex32String {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_str() == *other
    }
}

impl std::fmt::Debug for Hex32String {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0.as_str(), f)
    }
}

fn sign_v3<'a, K: Keys>(req: &Unsigned<'a>, creds: &'a K) -> SignedRequest<'a> {
    let query = canonical_query(pairs(&req.params.query));
    let mut body = String::new();
    form_encode(pairs(&req.params.body), &mut body);
    let hashed;
    let payload_hash = if body.is_empty() {
        EMPTY_SHA256
    } else {
        hashed = Hex32::of(&sha2::Sha256::digest(body.as_bytes()));
        hashed.as_str()
    };
    let mut signed: Vec<(&'static str, &str)> = Vec::with_capacity(8);
    if !body.is_empty() {
        signed.push(("content-type", FORM_CONTENT_TYPE));
    }
    signed.push(("host", req.host));
    signed.push(("x-acs-action", req.action));
    signed.push(("x-acs-content-sha256", payload_hash));
    signed.push(("x-acs-date", req.timestamp));
    if let Some(token) = creds.security_token() {
        signed.push(("x-acs-security-token", token));
    }
    signed.push(("x-acs-signature-nonce", req.nonce));
    signed.push(("x-acs-version", req.version));
    debug_assert!(
        signed.windows(2).all(|w| w[0].0 < w[1].0),
        "canonical headers are sorted"
    );
    let canonical = v3_canonical_request(req.method, &query, &signed, payload_hash);
    let signature = v3_signature(creds.access_key_secret(), &canonical);
    let mut authorization = String::with_capacity(200);
    authorization.push_str("ACS3-HMAC-SHA256 Credential=");
    authorization.push_str(creds.access_key_id());
    authorization.push_str(",SignedHeaders=");
    for (i, (k, _)) in signed.iter().enumerate() {
        if i > 0 {
            authorization.push(';');
        }
        authorization.push_str(k);
    }
    authorization.push_str(",Signature=");
    authorization.push_str(signature.0.as_str());
    let mut headers: Vec<(&'static str, HeaderText<'a>)> = Vec::with_capacity(9);
    if !body.is_empty() {
        headers.push(("content-type", HeaderText::Static(FORM_CONTENT_TYPE)));
    }
    headers.push(("x-acs-action", HeaderText::Static(req.action)));
    headers.push((
        "x-acs-content-sha256",
        if body.is_empty() {
            HeaderText::Static(EMPTY_SHA256)
        } else {
            HeaderText::Owned(payload_hash.to_string())
        },
    ));
    headers.push(("x-acs-date", HeaderText::Borrowed(req.timestamp)));
    if let Some(token) = creds.security_token() {
        headers.push(("x-acs-security-token", HeaderText::Borrowed(token)));
    }
    headers.push(("x-acs-signature-nonce", HeaderText::Borrowed(req.nonce)));
    headers.push(("x-acs-version", HeaderText::Static(req.version)));
    headers.push(("authorization", HeaderText::Owned(authorization)));
    SignedRequest {
        query,
        headers,
        body: body.into_bytes(),
    }
}

/// The V1 string to sign over the canonical query of every parameter but `Signature`.
pub(crate) fn v1_string_to_sign(method: &str, canonical_query: &str) -> String {
    let mut out = String::with_capacity(canonical_query.len() * 5 / 4 + 16);
    out.push_str(method);
    out.push_str("&%2F&");
    percent_encode_into(canonical_query, &mut out);
    out
}

/// The V1 signature (base64) over a string to sign.
pub(crate) fn v1_signature(secret: &str, string_to_sign: &str) -> String {
    let mut key = String::with_capacity(secret.len() + 1);
    key.push_str(secret);
    key.push('&');
    base64::engine::general_purpose::STANDARD
        .encode(hmac_sha1(key.as_bytes(), string_to_sign.as_bytes()))
}

fn sign_v1<'a, K: Keys>(req: &Unsigned<'a>, creds: &'a K) -> SignedRequest<'a> {
    let mut common: Vec<(&str, &str)> = vec![
        ("AccessKeyId", creds.access_key_id()),
        ("Action", req.action),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", req.nonce),
        ("SignatureVersion", "1.0"),
        ("Timestamp", req.timestamp),
        ("Version", req.version),
    ];
    if let Some(token) = creds.security_token() {
        common.push(("SecurityToken", token));
    }
    let query_params = common.iter().copied().chain(pairs(&req.params.query));
    let canonical = canonical_query(query_params.clone().chain(pairs(&req.params.body)));
    let signature = v1_signature(
        creds.access_key_secret(),
        &v1_string_to_sign(req.method, &canonical),
    );
    // The URL need not be sorted: the service canonicalizes what it receives.
    let mut query = String::with_capacity(canonical.len() + 40);
    form_encode(query_params, &mut query);
    query.push_str("&Signature=");
    percent_encode_into(&signature, &mut query);
    let mut body = String::new();
    form_encode(pairs(&req.params.body), &mut body);
    let mut headers = Vec::with_capacity(1);
    if !body.is_empty() {
        headers.push(("content-type", HeaderText::Static(FORM_CONTENT_TYPE)));
    }
    SignedRequest {
        query,
        headers,
        body: body.into_bytes(),
    }
}

/// A fresh nonce: 128 bits as hex, unique per request and unpredictable without the process's
/// key.
///
/// The nonce is the first half of SHA-256 over a 256-bit key drawn from the OS once per process,
/// a counter, and the clock in nanoseconds (so that a forked child, which inherits key and
/// counter, still never repeats its parent). Asking the OS for fresh bytes on every call instead
/// costs a system call per request.
pub(crate) fn nonce() -> String {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let key = KEY.get_or_init(|| {
        let mut key = [0u8; 32];
        if getrandom::fill(&mut key).is_err() {
            // No OS randomness: the start time still tells this process from others.
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            key[..16].copy_from_slice(&now.to_le_bytes());
        }
        key
    });
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    let mut block = [0u8; 48];
    block[..32].copy_from_slice(key);
    block[32..40].copy_from_slice(&count.to_le_bytes());
    block[40..].copy_from_slice(&now.to_le_bytes());
    let digest = sha2::Sha256::digest(block);
    hex(&digest[..16])
}

/// ISO 8601 UTC to the second, `2016-02-23T12:46:24Z`: the `Timestamp` requests are signed with.
pub(crate) use crate::time::format as timestamp;

#[cfg(test)]
mod tests;
