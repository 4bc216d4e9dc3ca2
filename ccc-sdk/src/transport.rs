//! The HTTP clients the SDK sends through, the [`Client`](crate::Client)'s and every credential
//! provider's, all built by [`http_client`] from one [`HttpSettings`]: proxy, TLS roots, user agent;
//! and what a refused certificate is reported as.

use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::ConfigError;

/// The user agent every request carries before any suffix.
pub(crate) const BASE_USER_AGENT: &str = concat!("ccc-sdk-rust/", env!("CARGO_PKG_VERSION"));

/// A proxy URL, kept whole for the transport and shown without its user name and password.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ProxyUrl {
    url: reqwest::Url,
    /// Where it came from, for `Debug`: `ConfigBuilder::proxy` or a variable's name.
    from: &'static str,
}

impl ProxyUrl {
    /// Parses a proxy URL: `http://` or `https://`, a host, optionally `user:password@`.
    pub(crate) fn parse(text: &str, from: &'static str) -> Result<ProxyUrl, ConfigError> {
        // A bare `host:port`, as the variables often hold, means an http proxy.
        let with_scheme = if text.contains("://") {
            text.to_string()
        } else {
            format!("http://{text}")
        };
        let bad = |why: &str| {
            ConfigError::new(format!(
                "proxy `{}` (from {from}): {why}",
                shown_proxy(&with_scheme)
            ))
        };
        let url = reqwest::Url::parse(&with_scheme).map_err(|e| bad(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("the scheme must be http or https"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("no host"));
        }
        Ok(ProxyUrl { url, from })
    }

    /// The proxy's host, as a `NO_PROXY` entry would name it.
    #[cfg(test)]
    pub(crate) fn host(&self) -> &str {
        self.url.host_str().unwrap_or_default()
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (from {})", shown_proxy(self.url.as_str()), self.from)
    }
}

/// A proxy URL as it may be shown: scheme, host and port; any user, password, path or query is
/// left out.
fn shown_proxy(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{host}")
}

/// The first of these variables that is set and not blank.
pub(crate) fn env_var(names: &[&'static str]) -> Option<(&'static str, String)> {
    names.iter().find_map(|name| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| (*name, v.trim().to_string()))
    })
}

/// Whether a `NO_PROXY` list names this host: `*`, the host itself, a parent domain (`example.com`
/// or `.example.com` cover `ccc.example.com`), an IP address, or an IP range (`10.0.0.0/8`).
/// Ports in entries are ignored.
pub(crate) fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let host_ip = host.parse::<IpAddr>().ok();
    list.split([',', ' '])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            if let Some((net, bits)) = entry.split_once('/') {
                return match (net.parse::<IpAddr>(), bits.parse::<u8>(), host_ip) {
                    (Ok(net), Ok(bits), Some(ip)) => in_range(ip, net, bits),
                    _ => false,
                };
            }
            let entry = entry
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or_default();
            // `host:port`, but not a bare IPv6 address.
            let entry = match entry.parse::<IpAddr>() {
                Ok(_) => entry,
                Err(_) => entry.split(':').next().unwrap_or_default(),
            };
            let entry = entry
                .trim_start_matches("*.")
                .trim_start_matches('.')
                .trim_end_matches('.')
                .to_ascii_lowercase();
            if let (Ok(ip), Some(host_ip)) = (entry.parse::<IpAddr>(), host_ip) {
                return ip == host_ip;
            }
            !entry.is_empty()
                && (host == entry
                    || host
                        .strip_suffix(entry.as_str())
                        .is_some_and(|h| h.ends_with('.')))
        })
}

fn in_range(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// The proxy a client of `host` goes through, if any: never for a client that goes `direct` (to
/// a loopback address, or to the metadata server), nor for a host the `NO_PROXY` list names.
pub(crate) fn proxy_for<'a>(
    host: &str,
    direct: bool,
    proxy: Option<&'a ProxyUrl>,
    no_proxy: Option<&str>,
) -> Option<&'a ProxyUrl> {
    if direct {
        return None;
    }
    match no_proxy {
        Some(list) if no_proxy_matches(list, host) => None,
        _ => proxy,
    }
}

/// How the SDK's HTTP clients reach the network: the proxy and the hosts reached without it, the
/// roots trusted besides the system's, and the user agent. A [`Config`](crate::Config) holds
/// one; the credential providers given to it build their clients from the same.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct HttpSettings {
    pub(crate) proxy: Option<ProxyUrl>,
    pub(crate) no_proxy: Option<String>,
    pub(crate) root_certificates: Vec<CertificateDer<'static>>,
    pub(crate) user_agent: String,
}

impl HttpSettings {
    /// What the environment alone says: its proxy ([`env_proxy`]) and `NO_PROXY` list, no extra
    /// roots, the base user agent. A credential provider given to no `Config` uses it.
    pub(crate) fn from_env() -> Result<HttpSettings, ConfigError> {
        Ok(HttpSettings {
            proxy: env_proxy()?,
            no_proxy: env_no_proxy(),
            root_certificates: Vec::new(),
            user_agent: BASE_USER_AGENT.to_string(),
        })
    }
}

impl fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpSettings")
            .field("proxy", &self.proxy)
            .field("no_proxy", &self.no_proxy)
            .field("root_certificates", &self.root_certificates.len())
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// The proxy the environment names: `HTTPS_PROXY`, then `https_proxy`, `ALL_PROXY`, `all_proxy`.
pub(crate) fn env_proxy() -> Result<Option<ProxyUrl>, ConfigError> {
    env_var(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
        .map(|(name, url)| ProxyUrl::parse(&url, name))
        .transpose()
}

/// The environment's `NO_PROXY` (then `no_proxy`) list.
pub(crate) fn env_no_proxy() -> Option<String> {
    env_var(&["NO_PROXY", "no_proxy"]).map(|(_, v)| v)
}

/// The [`HttpSettings`] a credential provider's clients are built from, shared by every provider of
/// one chain or profile: the one of the `Config` the provider is given to, once given; until
/// then, and for a provider given to none, the environment's ([`HttpSettings::from_env`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct SharedHttpSettings(Arc<OnceLock<Arc<HttpSettings>>>);

impl SharedHttpSettings {
    /// Takes a configuration's network, unless one was taken before (by another `Config` given
    /// the same provider); says whether it was taken.
    pub(crate) fn adopt(&self, network: Arc<HttpSettings>) -> bool {
        self.0.set(network).is_ok()
    }

    /// The network to build a client from now.
    pub(crate) fn get(&self) -> Result<Arc<HttpSettings>, ConfigError> {
        match self.0.get() {
            Some(network) => Ok(network.clone()),
            None => HttpSettings::from_env().map(Arc::new),
        }
    }
}

/// Reads every certificate of a PEM text; refuses a text with none.
pub(crate) fn parse_pem_certificates(
    pem: &[u8],
) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ConfigError::with_source("add_root_certificate: unreadable PEM", e))?;
    if certs.is_empty() {
        return Err(ConfigError::new(
            "add_root_certificate: no `-----BEGIN CERTIFICATE-----` block in the PEM text",
        ));
    }
    Ok(certs)
}

/// The crypto provider of every TLS connection the SDK makes: *ring*, handed to each HTTP client
/// it builds. Nothing is installed process-wide, so an application stays free to install a
/// provider of its own, before or after building a client.
pub(crate) fn crypto_provider() -> Arc<CryptoProvider> {
    // rustls 0.23.48 deprecates the *ring* provider because it offers no post-quantum key
    // exchange. The crate uses ring on purpose (no aws-lc-rs, so no cmake and no C toolchain
    // beyond ring's), and rustls 0.23 still ships it.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    Arc::new(provider)
}

/// What a TLS configuration trusts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Trust {
    /// The operating system's roots (with the `webpki-roots` feature, Mozilla's when the host
    /// has none), and the extra roots on top.
    Roots,
    /// Nothing: for a client that speaks plain http only, which needs no certificate store.
    Nothing,
}

/// The TLS configuration of an HTTP client, with [`crypto_provider`] as its provider.
///
/// `extra_roots` are trusted besides the system's (certificates added with
/// `ConfigBuilder::add_root_certificate`); `alpn` lists the protocols offered in the handshake.
pub(crate) fn tls_config(
    trust: Trust,
    extra_roots: &[CertificateDer<'static>],
    alpn: &[&[u8]],
) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = crypto_provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let mut tls = match trust {
        Trust::Nothing => builder
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
        Trust::Roots => match platform_verifier(extra_roots, provider) {
            Ok(verifier) => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
                .with_no_client_auth(),
            #[cfg(feature = "webpki-roots")]
            // No store on this host (or none readable): Mozilla's roots, built in, instead.
            Err(_) => builder
                .with_root_certificates(bundled_roots(extra_roots))
                .with_no_client_auth(),
            #[cfg(not(feature = "webpki-roots"))]
            Err(e) => return Err(e),
        },
    };
    tls.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(tls)
}

/// The operating system's verifier, with the extra roots trusted too.
fn platform_verifier(
    extra_roots: &[CertificateDer<'static>],
    provider: Arc<CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, rustls::Error> {
    if extra_roots.is_empty() {
        return rustls_platform_verifier::Verifier::new(provider);
    }
    #[cfg(any(all(unix, not(target_os = "android")), target_os = "windows"))]
    return rustls_platform_verifier::Verifier::new_with_extra_roots(
        extra_roots.iter().cloned(),
        provider,
    );
    #[cfg(not(any(all(unix, not(target_os = "android")), target_os = "windows")))]
    Err(rustls::Error::General(
        "extra root certificates are not supported on this platform".into(),
    ))
}

/// Mozilla's roots, and the extra ones.
#[cfg(feature = "webpki-roots")]
fn bundled_roots(extra_roots: &[CertificateDer<'static>]) -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for der in extra_roots {
        // Checked when the configuration was built.
        let _ = roots.add(der.clone());
    }
    roots
}

/// The protocols offered in a TLS handshake: HTTP/2 and HTTP/1.1, or HTTP/2 alone for a client
/// that speaks it without negotiating.
pub(crate) const ALPN_H2_AND_HTTP1: &[&[u8]] = &[b"h2", b"http/1.1"];
const ALPN_H2: &[&[u8]] = &[b"h2"];

/// What one HTTP client is for: where it goes, what it trusts, how long it waits.
pub(crate) struct Target<'a> {
    /// The host it goes to, as a `NO_PROXY` entry would name it.
    pub(crate) host: &'a str,
    /// Never through a proxy: a loopback address, or the metadata server.
    pub(crate) direct: bool,
    pub(crate) trust: Trust,
    /// HTTP/2 from the first byte, without negotiating it.
    pub(crate) http2_prior_knowledge: bool,
    pub(crate) connect_timeout: Duration,
    /// The longest wait for the next bytes of an answer.
    pub(crate) read_timeout: Option<Duration>,
    /// The longest a whole exchange may take.
    pub(crate) total_timeout: Option<Duration>,
}

/// Builds an HTTP client: the one builder of the call path and of every credential provider.
/// Its TLS is [`tls_config`]'s; its proxy, extra roots and user agent are the `network`'s.
pub(crate) fn http_client(
    network: &HttpSettings,
    target: &Target<'_>,
) -> Result<reqwest::Client, ConfigError> {
    let alpn = if target.http2_prior_knowledge {
        ALPN_H2
    } else {
        ALPN_H2_AND_HTTP1
    };
    let cannot = |e| ConfigError::with_source("cannot build the HTTP client", e);
    let tls = tls_config(target.trust, &network.root_certificates, alpn).map_err(cannot)?;
    let mut http = reqwest::Client::builder().tls_backend_preconfigured(tls);
    if target.http2_prior_knowledge {
        http = http.http2_prior_knowledge();
    }
    // Proxies are decided here, once for the client's one host; the transport's own reading of
    // the variables is turned off so that a loopback address is never proxied.
    http = http.no_proxy();
    let proxy = proxy_for(
        target.host,
        target.direct,
        network.proxy.as_ref(),
        network.no_proxy.as_deref(),
    );
    if let Some(proxy) = proxy {
        // `Proxy::all` takes a user and password in the URL as the proxy's basic credentials.
        if let Ok(p) = reqwest::Proxy::all(proxy.url.clone()) {
            http = http.proxy(p);
        }
    }
    if let Some(d) = target.read_timeout {
        http = http.read_timeout(d);
    }
    if let Some(d) = target.total_timeout {
        http = http.timeout(d);
    }
    http.connect_timeout(target.connect_timeout)
        .user_agent(network.user_agent.as_str())
        .pool_idle_timeout(Duration::from_secs(60))
        // The API never redirects, nor do the credential services; a redirect could carry a
        // signed request, with its token, to another host. It becomes an error instead.
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        // Retries belong to the SDK alone: each attempt is signed afresh and counted against
        // the policy. reqwest's own layer would replay a signed request (and clone every request
        // in case it does).
        .retry(reqwest::retry::never().max_retries_per_request(0))
        .build()
        .map_err(|e| ConfigError::with_source("cannot build the HTTP client", e.without_url()))
}

/// A refused certificate, said plainly: whose, and why. Stands between the dispatch error and the
/// transport's own error.
#[derive(Debug)]
pub(crate) struct CertificateRefused {
    host: String,
    reason: String,
    source: reqwest::Error,
}

impl CertificateRefused {
    /// The refusal within a transport error, if it is one.
    pub(crate) fn find(
        host: &str,
        e: reqwest::Error,
    ) -> Result<CertificateRefused, reqwest::Error> {
        match certificate_error(&e) {
            Some(problem) => Ok(CertificateRefused {
                host: host.to_string(),
                reason: describe_certificate_error(&problem),
                source: e,
            }),
            None => Err(e),
        }
    }
}

impl fmt::Display for CertificateRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the certificate presented for `{}` {}",
            self.host, self.reason
        )
    }
}

impl std::error::Error for CertificateRefused {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A rustls certificate error among the causes, if any.
pub(crate) fn certificate_error(
    e: &(dyn std::error::Error + 'static),
) -> Option<rustls::CertificateError> {
    let mut next = Some(e);
    // Chains are short; the bound only guards against a cycle.
    for _ in 0..32 {
        let e = next?;
        if let Some(rustls::Error::InvalidCertificate(problem)) = e.downcast_ref() {
            return Some(problem.clone());
        }
        // `io::Error` skips its inner error in `source()` (it shows it as its own message): step
        // into it instead, so that nested I/O errors are all looked through.
        next = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}

/// Why a certificate was refused, in words, with rustls's name for it.
fn describe_certificate_error(problem: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    match problem {
        C::UnknownIssuer => {
            "is not signed by any trusted root (unknown issuer); for a private CA, \
             add its certificate with ConfigBuilder::add_root_certificate"
                .into()
        }
        C::Expired => "has expired (expired)".into(),
        C::ExpiredContext { not_after, .. } => format!(
            "has expired (expired; valid until {} s after 1970)",
            not_after.as_secs()
        ),
        C::NotValidYet | C::NotValidYetContext { .. } => {
            "is not valid yet (not valid yet; check the clock)".into()
        }
        C::NotValidForName => "does not name this host (name mismatch)".into(),
        C::NotValidForNameContext { presented, .. } => {
            let names: Vec<String> = presented
                .iter()
                .take(8)
                .map(|n| n.chars().filter(|c| !c.is_control()).take(100).collect())
                .collect();
            format!(
                "does not name this host (name mismatch; it names {})",
                names.join(", ")
            )
        }
        C::Revoked => "has been revoked (revoked)".into(),
        C::BadSignature => "carries a signature that does not verify (bad signature)".into(),
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            "is not meant for a TLS server (invalid purpose)".into()
        }
        other => {
            let name = format!("{other:?}");
            if name.contains("CaUsedAsEndEntity") {
                "is a CA certificate, which a server cannot present as its own (CA used as end \
                 entity)"
                    .into()
            } else {
                format!("is not acceptable ({name})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_entries() {
        for (list, host) in [
            ("*", "ccc.cn-shanghai.aliyuncs.com"),
            ("aliyuncs.com", "ccc.cn-shanghai.aliyuncs.com"),
            (".aliyuncs.com", "ccc.cn-shanghai.aliyuncs.com"),
            ("*.aliyuncs.com", "ccc.aliyuncs.com"),
            ("other.example, ccc.aliyuncs.com:443", "ccc.aliyuncs.com"),
            ("CCC.Aliyuncs.com", "ccc.aliyuncs.com"),
            ("10.0.0.0/8", "10.1.2.3"),
            ("192.168.1.5", "192.168.1.5"),
            ("::1", "[::1]"),
            ("fd00::/8", "[fd12::1]"),
        ] {
            assert!(no_proxy_matches(list, host), "{list} {host}");
        }
        for (list, host) in [
            ("", "ccc.aliyuncs.com"),
            ("liyuncs.com", "ccc.aliyuncs.com"),
            ("ccc.aliyuncs.com", "vpc-ccc.aliyuncs.com.evil"),
            ("10.0.0.0/8", "11.0.0.1"),
            ("10.0.0.0/8", "ccc.aliyuncs.com"),
            ("192.168.1.5", "192.168.1.6"),
            (".", "ccc.aliyuncs.com"),
        ] {
            assert!(!no_proxy_matches(list, host), "{list} {host}");
        }
    }

    #[test]
    fn proxy_urls_show_no_credentials() {
        let p = ProxyUrl::parse(
            "http://alice:s3cr%40t@proxy.example:3128/x?token=abc",
            "test",
        )
        .unwrap();
        let shown = format!("{p:?}");
        assert_eq!(shown, "http://proxy.example:3128 (from test)");
        assert_eq!(p.host(), "proxy.example");
        assert_eq!(
            format!(
                "{:?}",
                ProxyUrl::parse("proxy.example:3128", "HTTPS_PROXY").unwrap()
            ),
            "http://proxy.example:3128 (from HTTPS_PROXY)"
        );
        let err = ProxyUrl::parse("socks5://alice:pw@proxy:1", "test")
            .unwrap_err()
            .to_string();
        assert!(err.contains("scheme") && !err.contains("pw"), "{err}");
    }

    #[test]
    fn loopback_is_never_proxied_and_no_proxy_is_honoured() {
        let proxy = ProxyUrl::parse("http://proxy.example:3128", "test").unwrap();
        let endpoint = |url: &str| crate::endpoint::resolve_url(url).unwrap();
        let proxy_for = |e: &crate::endpoint::Endpoint, p, n| proxy_for(e.host(), e.loopback, p, n);
        let remote = endpoint("https://ccc.cn-shanghai.aliyuncs.com");
        assert!(proxy_for(&remote, Some(&proxy), None).is_some());
        assert!(proxy_for(&remote, Some(&proxy), Some("example.com")).is_some());
        assert!(proxy_for(&remote, Some(&proxy), Some(".aliyuncs.com")).is_none());
        assert!(proxy_for(&remote, None, None).is_none());
        for local in [
            "http://127.0.0.1:8080",
            "https://localhost:8443",
            "http://[::1]:1",
        ] {
            assert!(
                proxy_for(&endpoint(local), Some(&proxy), None).is_none(),
                "{local}"
            );
        }
    }

    #[test]
    fn pem_without_a_certificate_is_refused() {
        assert!(parse_pem_certificates(b"not a pem").is_err());
        let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(parse_pem_certificates(key.as_bytes()).is_err());
    }
}
