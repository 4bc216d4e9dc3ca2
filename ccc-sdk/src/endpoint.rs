//! Where requests go: an explicit URL, else the product's region map, else the regional pattern.

use std::net::IpAddr;

use crate::error::ConfigError;
use crate::generated::endpoints::{REGION_ENDPOINTS, REGIONAL_ENDPOINT, REGIONAL_ONLY};

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

impl Endpoint {
    /// The host, without port or IPv6 brackets' port: what a `NO_PROXY` entry names.
    pub(crate) fn host(&self) -> &str {
        let a = self.authority.as_str();
        if a.starts_with('[') {
            return a.split_once(']').map_or(a, |(h, _)| &h[1..]);
        }
        a.rsplit_once(':').map_or(a, |(h, _)| h)
    }
}

/// The network a client reaches the service over, which picks the endpoint of a region.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Network {
    /// The internet: the region's entry in the endpoint map, else `ccc.<region>.aliyuncs.com`.
    #[default]
    Public,
    /// A VPC of the region: `ccc-vpc.<region>.aliyuncs.com`.
    Vpc,
}

impl Network {
    /// `public` or `vpc`, as the official SDKs name them.
    pub(crate) fn parse(name: &str) -> Result<Network, ConfigError> {
        match name {
            "" | "public" => Ok(Network::Public),
            "vpc" => Ok(Network::Vpc),
            other => Err(ConfigError::new(format!(
                "network `{other}` is not one of: public, vpc"
            ))),
        }
    }
}

/// The regions this SDK knows an endpoint for, sorted.
pub(crate) fn known_regions() -> Vec<&'static str> {
    let mut all: Vec<&str> = REGION_ENDPOINTS
        .iter()
        .map(|(r, _)| *r)
        .chain(REGIONAL_ONLY.iter().copied())
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// How a client's endpoint is chosen.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Rule<'a> {
    pub(crate) explicit: Option<&'a str>,
    pub(crate) region: Option<&'a str>,
    pub(crate) network: Network,
    /// Whether a region absent from [`known_regions`] is taken at its regional host.
    pub(crate) allow_unknown_region: bool,
}

/// Resolves the endpoint of a client.
pub(crate) fn resolve(rule: Rule<'_>) -> Result<Endpoint, ConfigError> {
    if let Some(url) = rule.explicit {
        return parse_url(url, "endpoint");
    }
    let region = rule.region.ok_or_else(|| {
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
    let known = known_regions();
    if !rule.allow_unknown_region && known.binary_search(&region).is_err() {
        return Err(ConfigError::new(format!(
            "region `{region}` is not one this SDK knows a CCC endpoint for: {}; \
             ConfigBuilder::allow_unknown_region(true) uses ccc.{region}.aliyuncs.com anyway, \
             and endpoint_url sets any endpoint",
            known.join(", ")
        )));
    }
    let host = match rule.network {
        // The map lists public hosts; in a VPC the official rule names the region's VPC host.
        Network::Vpc => {
            let public = REGIONAL_ENDPOINT.replace("{region}", region);
            match public.split_once('.') {
                Some((product, rest)) => format!("{product}-vpc.{rest}"),
                None => public,
            }
        }
        Network::Public => REGION_ENDPOINTS
            .iter()
            .find(|(r, _)| *r == region)
            .map(|(_, h)| h.to_string())
            .unwrap_or_else(|| REGIONAL_ENDPOINT.replace("{region}", region)),
    };
    Ok(Endpoint {
        base: format!("https://{host}"),
        authority: host,
        loopback: false,
    })
}

/// An explicit endpoint URL, checked.
#[cfg(test)]
pub(crate) fn resolve_url(url: &str) -> Result<Endpoint, ConfigError> {
    parse_url(url, "endpoint")
}

/// Checks an endpoint URL read from `variable`, as an explicit endpoint is checked; the error
/// names the variable.
pub(crate) fn check_env_url(url: &str, variable: &str) -> Result<(), ConfigError> {
    parse_url(url, variable).map(|_| ())
}

/// The URL as an error may show it: without a user, password, query or fragment.
fn shown(url: &str) -> String {
    let base = url.split(['?', '#']).next().unwrap_or_default();
    let (scheme, rest) = match base.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, base),
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match scheme {
        Some(scheme) => format!("{scheme}://{host}{path}"),
        None => format!("{host}{path}"),
    }
}

/// Parses an endpoint URL; errors start with `from` (`endpoint`, or a variable's name).
fn parse_url(url: &str, from: &str) -> Result<Endpoint, ConfigError> {
    let bad = |why: &str| ConfigError::new(format!("{from} `{}`: {why}", shown(url)));
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(bad(&no_scheme(&shown(url))));
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(bad(
            "the scheme must be https (or http to a loopback address)",
        ));
    }
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.is_empty() || authority.starts_with(':') {
        return Err(bad("no host"));
    }
    if authority.contains(['/', '?', '#', '@', ' ']) {
        return Err(bad(
            "only scheme, host and port are allowed (no path, query or user)",
        ));
    }
    let (host, port) = split_host_port(authority).ok_or_else(|| {
        bad("bad host or port (a host name, an IPv4 address or a bracketed IPv6 address, then an optional port from 1 to 65535)")
    })?;
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
    let base = format!("{scheme}://{authority}");
    // What the transport will parse must parse now, so that `build` and not the first call
    // finds a bad address (e.g. `256.0.0.1`).
    reqwest::Url::parse(&base).map_err(|e| bad(&e.to_string()))?;
    Ok(Endpoint {
        base,
        loopback: is_loopback(host),
        authority,
    })
}

/// Why a URL without `://` is refused, with the URLs that were probably meant.
fn no_scheme(url: &str) -> String {
    // `http:host` or `https:/host`: a scheme with a mangled separator.
    if let Some((scheme, _)) = url.split_once(':')
        && ["http", "https"].contains(&scheme.to_ascii_lowercase().as_str())
    {
        return format!("the scheme `{scheme}` must be followed by `://`");
    }
    let trimmed = url.trim().trim_start_matches('/');
    if trimmed.is_empty() {
        return "empty; write `https://host[:port]` (or `http://` to a loopback address)".into();
    }
    let host = split_host_port(trimmed.strip_suffix('/').unwrap_or(trimmed)).map(|(h, _)| h);
    if host.is_some_and(is_loopback) {
        format!("no scheme; write `http://{trimmed}` for plain http or `https://{trimmed}` for TLS")
    } else {
        format!(
            "no scheme; write `https://{trimmed}` (plain `http://{trimmed}` is allowed only to a loopback address)"
        )
    }
}

fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        host.parse::<std::net::Ipv6Addr>().ok()?;
        let host = &authority[..host.len() + 2];
        return match after {
            "" => Some((host, None)),
            p => Some((host, Some(port_number(p.strip_prefix(':')?)?))),
        };
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(port_number(p)?)),
        None => (authority, None),
    };
    // A DNS name: labels of 1 to 63 letters, digits, '-' and '_', at most 253 characters, with an
    // optional final dot.
    let name = host.strip_suffix('.').unwrap_or(host);
    let valid = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    valid.then_some((host, port))
}

/// A port: 1 to 65535, digits only.
fn port_number(text: &str) -> Option<u16> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|p| *p != 0)
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
        resolve(Rule {
            explicit,
            region,
            ..Rule::default()
        })
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
            base(Some("HTTPS://ccc.example.com:8443"), None),
            "https://ccc.example.com:8443"
        );
        assert_eq!(
            base(Some("https://ccc.example.com.:443"), None),
            "https://ccc.example.com."
        );
        assert_eq!(base(Some("https://10.1.2.3:1"), None), "https://10.1.2.3:1");
        assert_eq!(
            base(Some("https://[2001:db8::1]:8443"), None),
            "https://[2001:db8::1]:8443"
        );
        assert_eq!(
            base(Some("https://my_host.internal"), None),
            "https://my_host.internal"
        );
        assert_eq!(
            base(Some("http://127.0.0.1:65535/"), None),
            "http://127.0.0.1:65535"
        );
        assert_eq!(
            base(Some("https://Example.com:443/"), None),
            "https://example.com"
        );
        let e = resolve_url("http://127.0.0.1:8080").unwrap();
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
    fn a_url_without_a_scheme_is_refused_with_both_forms() {
        let err = base(Some("127.0.0.1:38699"), None);
        assert_eq!(
            err,
            "invalid configuration: endpoint `127.0.0.1:38699`: no scheme; write \
             `http://127.0.0.1:38699` for plain http or `https://127.0.0.1:38699` for TLS"
        );
        let err = base(Some("localhost:8080"), None);
        assert!(
            err.contains("`http://localhost:8080`") && err.contains("`https://localhost:8080`"),
            "{err}"
        );
        let err = base(Some("ccc.cn-shanghai.aliyuncs.com"), Some("cn-shanghai"));
        assert!(
            err.contains("no scheme; write `https://ccc.cn-shanghai.aliyuncs.com`")
                && err.contains("allowed only to a loopback address"),
            "{err}"
        );
        for mangled in ["http:127.0.0.1:8080", "https:/ccc.aliyuncs.com", "HTTP:x"] {
            let err = base(Some(mangled), None);
            assert!(
                err.contains("must be followed by `://`"),
                "{mangled}: {err}"
            );
        }
        assert!(base(Some(""), None).contains("endpoint ``: empty"));
    }

    #[test]
    fn malformed_urls_are_refused() {
        for (url, why) in [
            ("https://", "no host"),
            ("https:///", "no host"),
            ("https://:8443", "no host"),
            ("https://host:", "bad host or port"),
            ("https://host:0", "bad host or port"),
            ("https://host:65536", "bad host or port"),
            ("https://host:+80", "bad host or port"),
            ("https://host:8a", "bad host or port"),
            ("https://a..b", "bad host or port"),
            ("https://.host", "bad host or port"),
            ("https://ho%73t", "bad host or port"),
            ("https://[::1", "bad host or port"),
            ("https://[not-v6]:1", "bad host or port"),
            ("https://[::1]x", "bad host or port"),
            ("https://user@host", "no path"),
            ("https://user:pw@host", "no path"),
            ("https://host/ccc", "no path"),
            ("https://host?x=1", "no path"),
            ("https://ho st", "no path"),
            ("https://256.0.0.1", "invalid IPv4"),
        ] {
            let err = base(Some(url), None);
            assert!(
                err.starts_with("invalid configuration: endpoint `") && err.contains(why),
                "{url}: {err}"
            );
        }
        let err = base(Some("https://alice:s3cret@host/p?token=t0k"), None);
        assert!(
            err.contains("`https://host/p`") && !err.contains("s3cret") && !err.contains("t0k"),
            "{err}"
        );
        let err = base(Some("alice:s3cret@host"), None);
        assert!(
            err.contains("`https://host`") && !err.contains("s3cret"),
            "{err}"
        );
        let long = format!("https://{}.com", "a".repeat(64));
        assert!(base(Some(&long), None).contains("bad host or port"));
        let longest_label = format!("https://{}.com", "a".repeat(63));
        assert!(base(Some(&longest_label), None).starts_with("https://"));
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

    #[test]
    fn vpc_endpoints_follow_the_regional_rule() {
        let vpc = |region| {
            resolve(Rule {
                region: Some(region),
                network: Network::Vpc,
                ..Rule::default()
            })
            .unwrap()
            .base
        };
        assert_eq!(
            vpc("cn-shanghai"),
            "https://ccc-vpc.cn-shanghai.aliyuncs.com"
        );
        assert_eq!(vpc("cn-beijing"), "https://ccc-vpc.cn-beijing.aliyuncs.com");
        assert_eq!(Network::parse("vpc").unwrap(), Network::Vpc);
        assert_eq!(Network::parse("public").unwrap(), Network::Public);
        let err = Network::parse("intranet").unwrap_err().to_string();
        assert!(err.contains("not one of: public, vpc"), "{err}");
    }

    #[test]
    fn unknown_regions_are_refused_unless_allowed() {
        let err = base(None, Some("xx-nowhere-1"));
        assert!(
            err.contains("region `xx-nowhere-1` is not one this SDK knows")
                && err.contains("cn-beijing, cn-chengdu")
                && err.contains("cn-shanghai")
                && err.contains("allow_unknown_region(true)"),
            "{err}"
        );
        let allowed = resolve(Rule {
            region: Some("xx-nowhere-1"),
            allow_unknown_region: true,
            ..Rule::default()
        })
        .unwrap();
        assert_eq!(allowed.base, "https://ccc.xx-nowhere-1.aliyuncs.com");
        assert!(known_regions().windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn host_leaves_out_the_port() {
        for (url, host) in [
            ("https://ccc.aliyuncs.com", "ccc.aliyuncs.com"),
            ("https://example.com:8443", "example.com"),
            ("http://[::1]:9", "::1"),
            ("http://127.0.0.1:9", "127.0.0.1"),
        ] {
            assert_eq!(resolve_url(url).unwrap().host(), host);
        }
    }
}
