//! Authentication, for every endpoint that checks a signature (CCC's, and STS's `AssumeRole`):
//! the registry of keys the emulator accepts (its own, and the temporary ones its identity
//! services issued), the clock and replay checks, and the V3 (ACS3-HMAC-SHA256) and V1
//! (HMAC-SHA1) signatures.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::exchange::{Incoming, header, param};
use crate::handlers::{Failure, fail, fail_with};
use crate::signing::{
    constant_time_eq, parse_v3_authorization, sha256_hex, v1_signature, v1_string_to_sign,
    v3_canonical_request, v3_signature, v3_string_to_sign,
};
use crate::util::{now_unix, parse_timestamp};

/// How far a request's timestamp may be from the emulator's clock, as the real service allows.
const MAX_CLOCK_SKEW_SECS: i64 = 15 * 60;
/// How long a nonce is remembered: twice the skew, so a request stamped in the future cannot be
/// replayed after its nonce is forgotten.
const NONCE_TTL_SECS: i64 = 2 * MAX_CLOCK_SKEW_SECS;
/// Upper bound on remembered nonces; the oldest are forgotten first beyond it.
const NONCE_CAPACITY: usize = 1 << 20;
/// Issued keys kept at most; expired ones are dropped first.
const MAX_ISSUED: usize = 100_000;

/// The V3 headers that must be present and signed.
const V3_REQUIRED_HEADERS: [&str; 6] = [
    "host",
    "x-acs-action",
    "x-acs-content-sha256",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-version",
];

/// An access key the emulator accepts.
#[derive(Clone)]
pub(crate) struct Credential {
    pub(crate) id: String,
    pub(crate) secret: String,
    /// Set for STS credentials: requests must carry this token.
    pub(crate) token: Option<String>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Remembers (access key, nonce) pairs for [`NONCE_TTL_SECS`], in bounded memory: each pair is
/// kept as a 128-bit keyed hash.
#[derive(Debug)]
struct NonceCache {
    seen: HashSet<u128>,
    order: VecDeque<(i64, u128)>,
    hashers: (RandomState, RandomState),
}

impl Default for NonceCache {
    fn default() -> Self {
        NonceCache::new()
    }
}

impl NonceCache {
    fn new() -> Self {
        NonceCache {
            seen: HashSet::new(),
            order: VecDeque::new(),
            hashers: (RandomState::new(), RandomState::new()),
        }
    }

    /// `false` if the pair was seen within the TTL; remembers it otherwise.
    fn check_and_insert(&mut self, access_key_id: &str, nonce: &str, now: i64) -> bool {
        while let Some(&(expires, key)) = self.order.front() {
            if expires > now && self.order.len() < NONCE_CAPACITY {
                break;
            }
            self.order.pop_front();
            self.seen.remove(&key);
        }
        let pair = (access_key_id, nonce);
        let key = (u128::from(self.hashers.0.hash_one(pair)) << 64)
            | u128::from(self.hashers.1.hash_one(pair));
        if !self.seen.insert(key) {
            return false;
        }
        self.order.push_back((now + NONCE_TTL_SECS, key));
        true
    }
}

/// A temporary key the identity services issued.
#[derive(Clone)]
struct Issued {
    secret: String,
    token: String,
    expires_at: i64,
}

/// A key, as looked up by the endpoints that check signatures.
pub(crate) enum Key {
    Live(Credential),
    /// Issued, and expired: refused as an expired security token.
    Expired,
    Unknown,
}

/// The keys the emulator accepts: its own (fixed when it is built) and the temporary ones its
/// identity services issue while it runs.
#[derive(Default)]
pub(crate) struct Keys {
    fixed: Vec<Credential>,
    issued: Mutex<HashMap<String, Issued>>,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("fixed", &self.fixed)
            .field("issued", &self.issued().len())
            .finish()
    }
}

impl Keys {
    pub(crate) fn new(fixed: Vec<Credential>) -> Self {
        Keys {
            fixed,
            issued: Mutex::new(HashMap::new()),
        }
    }

    fn issued(&self) -> MutexGuard<'_, HashMap<String, Issued>> {
        self.issued.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keys issued and remembered (expired ones included until they are dropped).
    pub(crate) fn issued_count(&self) -> usize {
        self.issued().len()
    }

    /// Accepts a temporary key until `expires_at` (Unix seconds). Past [`MAX_ISSUED`] the
    /// expired keys are forgotten, and if that is not enough, all of them.
    pub(crate) fn issue(&self, id: &str, secret: &str, token: &str, expires_at: i64) {
        let mut issued = self.issued();
        if issued.len() >= MAX_ISSUED {
            let now = now_unix();
            issued.retain(|_, k| k.expires_at > now);
            if issued.len() >= MAX_ISSUED {
                issued.clear();
            }
        }
        issued.insert(
            id.to_owned(),
            Issued {
                secret: secret.to_owned(),
                token: token.to_owned(),
                expires_at,
            },
        );
    }

    /// The key `id`: live, an issued one that expired, or unknown (never issued, or forgotten).
    pub(crate) fn lookup(&self, id: &str) -> Key {
        if let Some(c) = self.fixed.iter().find(|c| c.id == id) {
            return Key::Live(c.clone());
        }
        let issued = self.issued();
        match issued.get(id) {
            None => Key::Unknown,
            Some(k) if k.expires_at <= now_unix() => Key::Expired,
            Some(k) => Key::Live(Credential {
                id: id.to_owned(),
                secret: k.secret.clone(),
                token: Some(k.token.clone()),
            }),
        }
    }
}

/// Why a signed request was refused; each service names it with the same code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    TimestampFormat,
    TimestampExpired,
    KeyNotFound,
    TokenExpired,
    SignatureMismatch,
    TokenMismatch,
    NonceUsed,
}

impl Refused {
    /// The error code the service answers with.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Refused::TimestampFormat => "InvalidTimeStamp.Format",
            Refused::TimestampExpired => "InvalidTimeStamp.Expired",
            Refused::KeyNotFound => "InvalidAccessKeyId.NotFound",
            Refused::TokenExpired => "InvalidSecurityToken.Expired",
            Refused::SignatureMismatch => "SignatureDoesNotMatch",
            Refused::TokenMismatch => "InvalidSecurityToken.MismatchWithAccessKey",
            Refused::NonceUsed => "SignatureNonceUsed",
        }
    }
}

/// A signature as the request carries it.
#[derive(Clone, Copy)]
pub(crate) enum Signature<'a> {
    /// V3: hex, of either case.
    Hex(&'a str),
    /// V1: base64.
    Base64(&'a str),
}

/// A request's timestamp must parse and be within the skew the service allows of `now`.
pub(crate) fn check_clock(timestamp: &str, now: i64) -> Result<(), Refused> {
    let at = parse_timestamp(timestamp).ok_or(Refused::TimestampFormat)?;
    if (now - at).abs() > MAX_CLOCK_SKEW_SECS {
        return Err(Refused::TimestampExpired);
    }
    Ok(())
}

/// Which signature a request carries.
pub(crate) enum SignatureKind<'h> {
    /// An `Authorization` header (ACS3-HMAC-SHA256).
    V3(&'h hyper::header::HeaderValue),
    /// A `Signature` parameter (HMAC-SHA1), in the query or the form body.
    V1,
    /// Neither.
    None,
}

pub(crate) fn signature_kind<'h>(
    headers: &'h hyper::HeaderMap,
    params: &[(String, String)],
) -> SignatureKind<'h> {
    if let Some(authorization) = headers.get("authorization") {
        SignatureKind::V3(authorization)
    } else if param(params, "Signature").is_some() {
        SignatureKind::V1
    } else {
        SignatureKind::None
    }
}

/// The checks of one endpoint: the keys it accepts (shared between endpoints) and the nonces
/// it has seen (its own).
#[derive(Debug)]
pub(crate) struct Guard {
    keys: Arc<Keys>,
    nonces: Mutex<NonceCache>,
}

impl Default for Guard {
    /// With a registry of its own, empty.
    fn default() -> Self {
        Guard::new(Arc::default())
    }
}

impl Guard {
    pub(crate) fn new(keys: Arc<Keys>) -> Self {
        Guard {
            keys,
            nonces: Mutex::new(NonceCache::new()),
        }
    }

    /// The keys this endpoint accepts.
    pub(crate) fn keys(&self) -> &Arc<Keys> {
        &self.keys
    }

    /// Checks a signed request once its inputs are known: the key, the signature, the security
    /// token, then the nonce (spent only by a request that proves the key, so that a forged one
    /// cannot block another's).
    pub(crate) fn check(
        &self,
        access_key_id: &str,
        nonce: &str,
        token: Option<&str>,
        now: i64,
        expected_signature: impl FnOnce(&str) -> String,
        provided: Signature<'_>,
    ) -> Result<(), Refused> {
        let credential = match self.keys.lookup(access_key_id) {
            Key::Live(c) => c,
            Key::Expired => return Err(Refused::TokenExpired),
            Key::Unknown => return Err(Refused::KeyNotFound),
        };
        let expected = expected_signature(&credential.secret);
        let matches = match provided {
            Signature::Hex(hex) => {
                constant_time_eq(expected.as_bytes(), hex.to_ascii_lowercase().as_bytes())
            }
            Signature::Base64(base64) => constant_time_eq(expected.as_bytes(), base64.as_bytes()),
        };
        if !matches {
            return Err(Refused::SignatureMismatch);
        }
        let token_ok = match (&credential.token, token) {
            (Some(want), Some(got)) => constant_time_eq(want.as_bytes(), got.as_bytes()),
            (None, None) => true,
            _ => false,
        };
        if !token_ok {
            return Err(Refused::TokenMismatch);
        }
        let fresh = self
            .nonces
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .check_and_insert(access_key_id, nonce, now);
        if !fresh {
            return Err(Refused::NonceUsed);
        }
        Ok(())
    }

    /// The key, signature, token and nonce checks of [`Guard::check`] after the clock's,
    /// refusals named by their code.
    #[allow(clippy::too_many_arguments)]
    fn check_signed(
        &self,
        access_key_id: &str,
        timestamp: &str,
        nonce: &str,
        token: Option<&str>,
        now: i64,
        expected_signature: impl FnOnce(&str) -> String,
        provided: Signature<'_>,
    ) -> Result<(), Failure> {
        check_clock(timestamp, now).map_err(|r| fail(r.code()))?;
        self.check(
            access_key_id,
            nonce,
            token,
            now,
            expected_signature,
            provided,
        )
        .map_err(|r| fail(r.code()))
    }

    /// Checks a request signed with ACS3-HMAC-SHA256 (`authorization` is its `Authorization`
    /// header, `query` its query's parameters); its action is told to `on_action` as soon as it
    /// is known. The API version it names, when the signature holds.
    pub(crate) fn verify_v3<'r>(
        &self,
        req: &Incoming<'r>,
        authorization: &hyper::header::HeaderValue,
        query: &[(String, String)],
        now: i64,
        on_action: &mut dyn FnMut(&str),
    ) -> Result<&'r str, Failure> {
        let authorization = authorization
            .to_str()
            .map_err(|_| fail("IncompleteSignature"))?;
        let auth =
            parse_v3_authorization(authorization).ok_or_else(|| fail("IncompleteSignature"))?;
        let signed = |name: &str| auth.signed_headers.iter().any(|h| h == name);
        let action =
            header(req.headers, "x-acs-action").ok_or_else(|| fail("IncompleteSignature"))?;
        on_action(action);
        for name in V3_REQUIRED_HEADERS {
            if !signed(name) || header(req.headers, name).is_none() {
                return Err(fail("IncompleteSignature"));
            }
        }
        let token = match req.headers.get("x-acs-security-token") {
            Some(_) if !signed("x-acs-security-token") => return Err(fail("IncompleteSignature")),
            Some(v) => Some(v.to_str().map_err(|_| fail("IncompleteSignature"))?),
            None => None,
        };
        let version = header(req.headers, "x-acs-version").unwrap_or_default();
        let date = header(req.headers, "x-acs-date").unwrap_or_default();
        let nonce = header(req.headers, "x-acs-signature-nonce").unwrap_or_default();
        let content_sha = header(req.headers, "x-acs-content-sha256").unwrap_or_default();

        // Every signed header's value, several values of one name joined by commas.
        let mut joined: Vec<(String, String)> = Vec::with_capacity(auth.signed_headers.len());
        for name in &auth.signed_headers {
            let mut value = String::new();
            for (i, v) in req.headers.get_all(name.as_str()).iter().enumerate() {
                let v = v.to_str().map_err(|_| fail("IncompleteSignature"))?;
                if i > 0 {
                    value.push(',');
                }
                value.push_str(v.trim());
            }
            if value.is_empty() && !req.headers.contains_key(name.as_str()) {
                return Err(fail("IncompleteSignature"));
            }
            joined.push((name.clone(), value));
        }
        let headers: Vec<(&str, &str)> = joined
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();

        let body_sha = sha256_hex(req.body);
        let hashed_payload = content_sha.trim();
        let body_ok = hashed_payload.eq_ignore_ascii_case(&body_sha);

        self.check_signed(
            auth.access_key_id,
            date,
            nonce,
            token,
            now,
            |secret| {
                let canonical = v3_canonical_request(
                    req.method,
                    req.path,
                    query.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                    &headers,
                    hashed_payload,
                );
                v3_signature(secret, &v3_string_to_sign(&canonical))
            },
            Signature::Hex(auth.signature),
        )?;
        // The signature covers the declared hash; a body that does not match it was altered.
        if !body_ok {
            return Err(fail_with("InvalidParameter", "x-acs-content-sha256"));
        }
        Ok(version)
    }

    /// Checks a request signed with HMAC-SHA1 (`params` from its query and form body); its
    /// action is told to `on_action` as soon as it is known. The API version it names, when the
    /// signature holds.
    pub(crate) fn verify_v1<'p>(
        &self,
        req: &Incoming<'_>,
        params: &'p [(String, String)],
        now: i64,
        on_action: &mut dyn FnMut(&str),
    ) -> Result<&'p str, Failure> {
        let required = |name: &'static str| {
            param(params, name).ok_or_else(|| fail_with("MissingParameter", name))
        };
        let action = required("Action")?;
        on_action(action);
        let version = required("Version")?;
        let access_key_id = required("AccessKeyId")?;
        let signature = required("Signature")?;
        let method = required("SignatureMethod")?;
        let nonce = required("SignatureNonce")?;
        let timestamp = required("Timestamp")?;
        if method != "HMAC-SHA1" {
            return Err(fail_with("InvalidParameter", "SignatureMethod"));
        }
        if param(params, "SignatureVersion").is_some_and(|v| v != "1.0") {
            return Err(fail_with("InvalidParameter", "SignatureVersion"));
        }
        // An unescaped `+` of the base64 signature arrives as a space.
        let signature = signature.replace(' ', "+");
        self.check_signed(
            access_key_id,
            timestamp,
            nonce,
            param(params, "SecurityToken"),
            now,
            |secret| {
                let sts = v1_string_to_sign(
                    req.method,
                    params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                );
                v1_signature(secret, &sts)
            },
            Signature::Base64(&signature),
        )?;
        Ok(version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_per_key_and_expire() {
        let mut cache = NonceCache::new();
        assert!(cache.check_and_insert("ak", "n1", 1000));
        assert!(!cache.check_and_insert("ak", "n1", 1001));
        assert!(cache.check_and_insert("other", "n1", 1001));
        assert!(cache.check_and_insert("ak", "n1", 1000 + NONCE_TTL_SECS));
    }

    #[test]
    fn issued_keys_are_live_until_they_expire() {
        let keys = Keys::new(vec![Credential {
            id: "own".into(),
            secret: "s".into(),
            token: None,
        }]);
        assert!(matches!(keys.lookup("own"), Key::Live(c) if c.token.is_none()));
        keys.issue("live", "s", "t", now_unix() + 60);
        keys.issue("dead", "s", "t", now_unix());
        assert!(matches!(keys.lookup("live"), Key::Live(c) if c.token.as_deref() == Some("t")));
        assert!(matches!(keys.lookup("dead"), Key::Expired));
        assert!(matches!(keys.lookup("nope"), Key::Unknown));
        assert_eq!(keys.issued_count(), 2);
    }
}
