//! The `webpki-roots` feature: on a host without a certificate store, an https client still
//! builds, trusting Mozilla's roots, and the roots added in code on top of them. Run with
//! `cargo test -p ccc-sdk --features webpki-roots --test bundled_roots`.
#![cfg(feature = "webpki-roots")]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use ccc_sdk::{Client, Config, Credentials};

/// Runs one test of this binary in a child process whose certificate store is a missing file.
fn run_without_a_store(test: &str) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--include-ignored"])
        .env("CCC_BUNDLED_ROOTS_CHILD", "1")
        .env("SSL_CERT_FILE", "/nonexistent/ca-certificates.pem")
        .env_remove("SSL_CERT_DIR")
        .output()
        .expect("the child runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_https_client_builds_without_a_certificate_store() {
    run_without_a_store("no_store_child");
}

#[test]
#[ignore = "run by an_https_client_builds_without_a_certificate_store in a child process"]
fn no_store_child() {
    assert!(std::env::var("CCC_BUNDLED_ROOTS_CHILD").is_ok());
    let config = Config::builder()
        .region("cn-shanghai")
        .credentials(Credentials::new("id", "secret"))
        .build()
        .unwrap();
    Client::new(config).expect("Mozilla's roots stand in for the missing store");
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

#[test]
fn a_private_ca_is_trusted_on_top_of_the_bundled_roots() {
    run_without_a_store("private_ca_child");
}

#[tokio::test]
#[ignore = "run by a_private_ca_is_trusted_on_top_of_the_bundled_roots in a child process"]
async fn private_ca_child() {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(fixture("private-leaf-cert.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(fixture("private-leaf-key.pem")).unwrap();
    // Deprecated since rustls 0.23.48 (no post-quantum key exchange); the SDK uses ring.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let Ok(conn) = rustls::ServerConnection::new(tls.clone()) else {
                return;
            };
            let mut stream = rustls::StreamOwned::new(conn, stream);
            let mut data = Vec::new();
            let mut buf = [0u8; 4096];
            while !data.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => data.extend_from_slice(&buf[..n]),
                }
            }
            let body = r#"{"RequestId":"BUNDLED","Code":"OK"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.flush();
        }
    });
    let ca = std::fs::read(fixture("private-ca.pem")).unwrap();
    let config = Config::builder()
        .endpoint_url(format!("https://localhost:{port}"))
        .credentials(Credentials::new("id", "secret"))
        .add_root_certificate(ca)
        .operation_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let c = Client::new(config).expect("builds without a store");
    let out = c
        .get_instance()
        .instance_id("ccc-test")
        .send()
        .await
        .expect("the private CA is trusted beside Mozilla's roots");
    assert_eq!(out.request_id(), Some("BUNDLED"));
}
