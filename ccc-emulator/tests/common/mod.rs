//! A test-only client: signs requests (V3 and V1) on its own, sends them over raw TCP and reads
//! the raw answer, so tests can also see dropped connections and short bodies.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use ccc_emulator::{Emulator, RunningEmulator};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const VERSION: &str = "2020-07-01";

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn form(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn fresh_nonce() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    format!(
        "{}-{}",
        hex::encode(bytes),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A V3 (ACS3-HMAC-SHA256) request, with knobs to break it.
#[derive(Clone)]
pub struct V3 {
    pub method: String,
    pub path: String,
    pub action: String,
    pub version: String,
    pub query: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
    pub access_key_id: String,
    pub secret: String,
    pub token: Option<String>,
    pub sign_token: bool,
    pub date: String,
    pub nonce: String,
    /// Headers left out of SignedHeaders (still sent).
    pub unsigned: Vec<String>,
    pub signature: Option<String>,
    /// Sent instead of the signed body.
    pub body_override: Option<Vec<u8>>,
    pub omit_authorization: bool,
}

impl V3 {
    pub fn new(action: &str) -> Self {
        V3 {
            method: "POST".into(),
            path: "/".into(),
            action: action.into(),
            version: VERSION.into(),
            query: Vec::new(),
            form: Vec::new(),
            access_key_id: "testid".into(),
            secret: "testsecret".into(),
            token: None,
            sign_token: true,
            date: ccc_emulator::format_timestamp(now()),
            nonce: fresh_nonce(),
            unsigned: Vec::new(),
            signature: None,
            body_override: None,
            omit_authorization: false,
        }
    }

    pub fn param(mut self, k: &str, v: &str) -> Self {
        self.query.push((k.into(), v.into()));
        self
    }

    pub fn body_param(mut self, k: &str, v: &str) -> Self {
        self.form.push((k.into(), v.into()));
        self
    }

    pub fn key(mut self, id: &str, secret: &str) -> Self {
        self.access_key_id = id.into();
        self.secret = secret.into();
        self
    }

    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.into());
        self
    }

    pub fn build(&self, addr: SocketAddr) -> Vec<u8> {
        let body = form(&self.form);
        let body_hash = hex::encode(Sha256::digest(body.as_bytes()));
        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), addr.to_string()),
            ("x-acs-action".into(), self.action.clone()),
            ("x-acs-version".into(), self.version.clone()),
            ("x-acs-date".into(), self.date.clone()),
            ("x-acs-signature-nonce".into(), self.nonce.clone()),
            ("x-acs-content-sha256".into(), body_hash.clone()),
        ];
        if !self.form.is_empty() {
            headers.push((
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
        }
        if let Some(t) = &self.token {
            headers.push(("x-acs-security-token".into(), t.clone()));
        }
        headers.sort();
        let signed: Vec<&(String, String)> = headers
            .iter()
            .filter(|(k, _)| {
                !self.unsigned.contains(k) && (self.sign_token || k != "x-acs-security-token")
            })
            .collect();
        let mut q: Vec<(String, String)> =
            self.query.iter().map(|(k, v)| (enc(k), enc(v))).collect();
        q.sort();
        let canonical_query = q
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let canonical_headers: String = signed
            .iter()
            .map(|(k, v)| format!("{k}:{}\n", v.trim()))
            .collect();
        let signed_names = signed
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(";");
        let canonical = format!(
            "{}\n{}\n{}\n{}\n{}\n{}",
            self.method, self.path, canonical_query, canonical_headers, signed_names, body_hash
        );
        let to_sign = format!(
            "ACS3-HMAC-SHA256\n{}",
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.as_bytes()).unwrap();
        mac.update(to_sign.as_bytes());
        let signature = self
            .signature
            .clone()
            .unwrap_or_else(|| hex::encode(mac.finalize().into_bytes()));
        if !self.omit_authorization {
            headers.push((
                "authorization".into(),
                format!(
                    "ACS3-HMAC-SHA256 Credential={},SignedHeaders={signed_names},Signature={signature}",
                    self.access_key_id
                ),
            ));
        }
        let body = self
            .body_override
            .clone()
            .unwrap_or_else(|| body.into_bytes());
        let target = if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, form(&self.query))
        };
        raw_request(&self.method, &target, &headers, &body)
    }
}

/// A V1 (HMAC-SHA1) request, parameters in the query or the form body.
#[derive(Clone)]
pub struct V1 {
    pub method: String,
    pub common: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
    pub secret: String,
    pub signature: Option<String>,
    /// Common parameters to leave out.
    pub omit: Vec<String>,
    /// Extra headers, sent unsigned (V1 signs only parameters).
    pub headers: Vec<(String, String)>,
}

impl V1 {
    pub fn new(action: &str) -> Self {
        let common = [
            ("Action", action.to_owned()),
            ("Version", VERSION.to_owned()),
            ("Format", "json".to_owned()),
            ("AccessKeyId", "testid".to_owned()),
            ("SignatureMethod", "HMAC-SHA1".to_owned()),
            ("SignatureVersion", "1.0".to_owned()),
            ("SignatureNonce", fresh_nonce()),
            ("Timestamp", ccc_emulator::format_timestamp(now())),
        ];
        V1 {
            method: "GET".into(),
            common: common.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            query: Vec::new(),
            form: Vec::new(),
            secret: "testsecret".into(),
            signature: None,
            omit: Vec::new(),
            headers: Vec::new(),
        }
    }

    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }

    pub fn set(mut self, k: &str, v: &str) -> Self {
        self.common.retain(|(name, _)| name != k);
        self.common.push((k.into(), v.into()));
        self
    }

    pub fn param(mut self, k: &str, v: &str) -> Self {
        self.query.push((k.into(), v.into()));
        self
    }

    pub fn body_param(mut self, k: &str, v: &str) -> Self {
        self.method = "POST".into();
        self.form.push((k.into(), v.into()));
        self
    }

    pub fn build(&self, addr: SocketAddr) -> Vec<u8> {
        let common: Vec<(String, String)> = self
            .common
            .iter()
            .filter(|(k, _)| !self.omit.contains(k))
            .cloned()
            .collect();
        let mut all: Vec<(String, String)> = common
            .iter()
            .chain(&self.query)
            .chain(&self.form)
            .map(|(k, v)| (enc(k), enc(v)))
            .collect();
        all.sort();
        let canonical = all
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let to_sign = format!("{}&%2F&{}", self.method, enc(&canonical));
        let mut mac =
            Hmac::<sha1::Sha1>::new_from_slice(format!("{}&", self.secret).as_bytes()).unwrap();
        mac.update(to_sign.as_bytes());
        let signature = self.signature.clone().unwrap_or_else(|| {
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        });
        let mut query: Vec<(String, String)> = common
            .into_iter()
            .chain(self.query.iter().cloned())
            .collect();
        if !self.omit.iter().any(|o| o == "Signature") {
            query.push(("Signature".into(), signature));
        }
        let mut headers = vec![("host".to_owned(), addr.to_string())];
        headers.extend(self.headers.iter().cloned());
        if !self.form.is_empty() {
            headers.push((
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
        }
        raw_request(
            &self.method,
            &format!("/?{}", form(&query)),
            &headers,
            form(&self.form).as_bytes(),
        )
    }
}

pub fn raw_request(
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// What came back, byte for byte.
#[derive(Debug)]
pub struct Answer {
    /// `None` when the connection closed without a response.
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Asserts an Alibaba error body and returns it.
    pub fn expect_error(&self, status: u16, code: &str) -> serde_json::Value {
        assert_eq!(self.status, Some(status), "{}", self.text());
        let body = self.json();
        assert_eq!(body["Code"], code, "{body}");
        for key in ["RequestId", "HostId", "Message", "Recommend"] {
            assert!(body[key].is_string(), "{key} missing in {body}");
        }
        assert_eq!(
            Some(body["RequestId"].as_str().unwrap()),
            self.header("x-acs-request-id")
        );
        body
    }
}

/// Starts `emulator` on a free loopback port.
pub async fn on_loopback(emulator: &Emulator) -> RunningEmulator {
    emulator
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// Reads until the peer closes; `None` if it has not closed within `within`.
pub async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok().map(|()| seen)
}

/// Sends raw bytes on a fresh connection and reads until the server closes it.
pub async fn send_raw(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let raw = closed_within(&mut stream, Duration::from_secs(10))
        .await
        .expect("no answer within 10 s");
    parse_answer(&raw)
}

fn parse_answer(raw: &[u8]) -> Answer {
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Answer {
            status: None,
            headers: Vec::new(),
            body: raw.to_vec(),
        };
    };
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok());
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}
