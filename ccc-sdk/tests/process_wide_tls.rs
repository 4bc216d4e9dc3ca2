//! The SDK changes no process-wide TLS state: its clients, the service's and the credential
//! providers', bring their own crypto provider, so an application stays free to install its own.
//!
//! A binary of its own, with one test, so that the process starts with no provider installed
//! and nothing else in it installs one.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ccc_sdk::credentials::{CredentialsUriProvider, ProvideCredentials};
use ccc_sdk::{Client, Config, Credentials};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

fn ring() -> CryptoProvider {
    // Deprecated since rustls 0.23.48 (no post-quantum key exchange); the SDK uses ring.
    #[allow(deprecated)]
    rustls::crypto::ring::default_provider()
}

/// A TLS server on loopback presenting a certificate for `localhost` signed by the private CA of
/// the fixtures, answering every request with a CCC success; counts the connections it accepts.
fn tls_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let certs = CertificateDer::pem_file_iter(fixture("private-leaf-cert.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(fixture("private-leaf-key.pem")).unwrap();
    // The server, too, is given its provider rather than reading a process-wide one.
    let tls = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(ring()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            count.fetch_add(1, Ordering::SeqCst);
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let Ok(conn) = rustls::ServerConnection::new(tls.clone()) else {
                return;
            };
            let mut stream = rustls::StreamOwned::new(conn, stream);
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            if head.is_empty() {
                // The client refused the certificate: nothing to answer.
                continue;
            }
            let body = r#"{"RequestId":"TLS-OK","Code":"OK"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.flush();
        }
    });
    (addr, accepted)
}

#[tokio::test]
async fn https_calls_install_no_process_wide_crypto_provider() {
    assert!(
        CryptoProvider::get_default().is_none(),
        "a fresh process has no provider"
    );
    let (addr, accepted) = tls_server();

    // The service's client: a whole call over TLS, trusting the private CA given in code.
    let config = Config::builder()
        .endpoint_url(format!("https://localhost:{}", addr.port()))
        .credentials(Credentials::new("id", "secret"))
        .add_root_certificate(std::fs::read(fixture("private-ca.pem")).unwrap())
        .operation_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let client = Client::new(config).expect("an https client builds without a global provider");
    let out = client
        .get_instance()
        .instance_id("ccc-test")
        .send()
        .await
        .expect("the TLS handshake completes and the call is answered");
    assert_eq!(out.request_id(), Some("TLS-OK"));
    assert_eq!(accepted.load(Ordering::SeqCst), 1);

    // A credential provider's client: it trusts the system's roots alone, so it reaches the
    // server, shakes hands and refuses the private CA's certificate.
    let provider =
        CredentialsUriProvider::new(format!("https://localhost:{}/credentials", addr.port()))
            .expect("the provider's https client builds without a global provider");
    let err = provider
        .provide_credentials()
        .await
        .expect_err("the private CA is not among the system's roots")
        .to_string();
    assert!(
        err.contains("certificate") || err.contains("UnknownIssuer"),
        "{err}"
    );
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        2,
        "the provider attempted a TLS handshake with the server"
    );

    assert!(
        CryptoProvider::get_default().is_none(),
        "the SDK installed a process-wide crypto provider"
    );
    // And so the application can still install its own.
    assert!(ring().install_default().is_ok());
}
