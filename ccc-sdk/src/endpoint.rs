//! Where requests go: an explicit URL, else the product's region map, else the regional pattern.

use std::net::IpAddr;

use crate::error::ConfigError;
use crate::generated::endpoints::{REGION_ENDPOINTS, REGIONAL_ENDPOINT};

/// A resolved endpoint: scheme and authority, no path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// `https://ccc.aliyuncs.com` or `http://127.0.0.1:8080`.
    pub(crate) base: String,
    /// `ccc.aliyuncs.com` or `127.0.0.1:8080`: what the `Host` header carries and V3 signs.
    pub(crate) authority: String,
    /// A loopback host (the emulator, a local test double): never reached through a proxy.
    pub(crate) loopback: bool,
}

/// Resolves the endpoint of a client.
pub(crate) fn resolve(
    explicit: Option<&str>,
    region: Option<&str>,
) -> Result<Endpoint, ConfigError> {
    if let Some(url) = explicit {
        return parse_url(url);
    }
    let region = region.ok_or_else(|| {
        ConfigError::new(
            "no endpoint and no region: set one (e.g. Config::builder().region(\"cn-shanghai\"))",
        )
    })?;
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(ConfigError::new(format!(
            "region `{region}` is not a region id (lowercase letters, digits and '-')"
        )));
    }
    let host = REGION_ENDPOINTS
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, h)| h.to_string())
        .unwrap_or_else(|| REGIONAL_ENDPOINT.replace("{region}", region));
    Ok(Endpoint {
        base: format!("https://{host}"),
        authority: host,
        loopback: false,
    })
}

fn parse_url(url: &str) -> Result<Endpoint, ConfigError> {
    let bad = |why: &str| ConfigError::new(format!("endpoint `{url}`: {why}"));
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("https".to_string(), url),
    };
    if scheme != "http" && scheme != "https" {
        return Err(bad(
            "the scheme must be https (or http to a loopback address)",
        ));
    }
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.is_empty() {
        return Err(bad("no host"));
    }
    if authority.contains(['/', '?', '#', '@', ' ']) {
        return Err(bad(
            "only scheme, host and port are allowed (no path, query or user)",
        ));
    }
    let (host, port) = split_host_port(authority).ok_or_else(|| bad("bad host or port"))?;
    if scheme == "http" && !is_loopback(host) {
        return Err(bad(
            "plain http is allowed only to a loopback address (127.0.0.0/8, ::1, localhost); use https",
        ));
    }
    let default_port = if scheme == "https" { 443 } else { 80 };
    // The Host header leaves out a default port; the signed host must match it.
    let authority = match port {
        Some(p) if p != default_port => format!("{host}:{p}"),
        _ => host.to_string(),
    };
    let authority = authority.to_ascii_lowercase();
    Ok(Endpoint {
        base: format!("{scheme}://{authority}"),
        loopback: is_loopback(host),
        authority,
    })
}

fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        host.parse::<std::net::Ipv6Addr>().ok()?;
        let host = &authority[..host.len() + 2];
        return match after {
            "" => Some((host, None)),
            p => Some((host, Some(p.strip_prefix(':')?.parse().ok()?))),
        };
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p.parse().ok()?)),
        None => (authority, None),
    };
    let valid = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    valid.then_some((host, port))
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(explicit: Option<&str>, region: Option<&str>) -> String {
        resolve(explicit, region)
            .map(|e| e.base)
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn explicit_url_wins() {
        assert_eq!(
            base(Some("https://example.com"), Some("cn-shanghai")),
            "https://example.com"
        );
        assert_eq!(
            base(Some("ccc.example.com:8443"), None),
            "https://ccc.example.com:8443"
        );
        assert_eq!(
            base(Some("https://Example.com:443/"), None),
            "https://example.com"
        );
        let e = resolve(Some("http://127.0.0.1:8080"), None).unwrap();
        assert_eq!(
            (e.base.as_str(), e.authority.as_str()),
            ("http://127.0.0.1:8080", "127.0.0.1:8080")
        );
        assert_eq!(base(Some("http://localhost:9"), None), "http://localhost:9");
        assert_eq!(base(Some("http://[::1]:9"), None), "http://[::1]:9");
    }

    #[test]
    fn plain_http_only_to_loopback() {
        let err = base(Some("http://ccc.aliyuncs.com"), None);
        assert!(
            err.contains("plain http is allowed only to a loopback address"),
            "{err}"
        );
        assert!(base(Some("http://10.0.0.1:80"), None).contains("loopback"));
        assert!(base(Some("ftp://x"), None).contains("scheme"));
        assert!(base(Some("https://x/path"), None).contains("no path"));
    }

    #[test]
    fn region_map_then_regional_pattern() {
        assert_eq!(base(None, Some("cn-beijing")), "https://ccc.aliyuncs.com");
        assert_eq!(
            base(None, Some("cn-shanghai")),
            "https://ccc.cn-shanghai.aliyuncs.com"
        );
        assert!(base(None, None).contains("no endpoint and no region"));
        assert!(base(None, Some("cn/../evil")).contains("not a region id"));
    }
}
