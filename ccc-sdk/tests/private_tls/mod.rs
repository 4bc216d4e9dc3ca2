//! An https server on loopback with a certificate for `localhost` signed by the private CA of the
//! fixtures, and a client of it that trusts that CA: the set-up of the TLS tests.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ccc_sdk::{Client, Config, Credentials};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A file of `tests/fixtures/` at the workspace root.
pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

/// The ring crypto provider, which the SDK uses too.
pub fn ring() -> CryptoProvider {
    // Deprecated since rustls 0.23.48 (no post-quantum key exchange); the SDK uses ring.
    #[allow(deprecated)]
    rustls::crypto::ring::default_provider()
}

/// The server: answers every request with a CCC success whose request id is `request_id`;
/// counts the connections it accepts.
pub fn server(request_id: &'static str) -> (SocketAddr, Arc<AtomicUsize>) {
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
            let body = format!(r#"{{"RequestId":"{request_id}","Code":"OK"}}"#);
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

/// A client of the server at `addr` that trusts the private CA (given in code); `expect` says why
/// it must build.
pub fn client(addr: SocketAddr, expect: &str) -> Client {
    let config = Config::builder()
        .endpoint_url(format!("https://localhost:{}", addr.port()))
        .credentials(Credentials::new("id", "secret"))
        .add_root_certificate(std::fs::read(fixture("private-ca.pem")).unwrap())
        .operation_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    Client::new(config).expect(expect)
}
