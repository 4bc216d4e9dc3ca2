//! Percent-encoding as Alibaba Cloud signs it (RFC 3986 over UTF-8), and decoding of incoming
//! query strings and form bodies.

use std::fmt;

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// The characters RFC 3986 leaves unencoded.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `s` percent-encoded: unreserved characters kept, every other byte `%XX` (uppercase).
pub(crate) fn encode_into(out: &mut String, s: &str) {
    for &b in s.as_bytes() {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
        }
    }
}

/// `s` percent-encoded, see [`encode_into`].
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    encode_into(&mut out, s);
    out
}

/// Why a query string or form body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodeError {
    /// The raw (undecoded) name of the offending parameter, lossily shown.
    pub(crate) name: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot decode parameter `{}`", self.name)
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes one `application/x-www-form-urlencoded` component: `+` is a space, `%XX` a byte, and
/// the bytes must be UTF-8. `None` for a bad escape or bytes that are not UTF-8.
pub(crate) fn decode(input: &[u8]) -> Option<String> {
    if !input.iter().any(|&b| b == b'%' || b == b'+') {
        return std::str::from_utf8(input).ok().map(str::to_owned);
    }
    let mut bytes = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hi = input.get(i + 1).copied().and_then(hex_value)?;
                let lo = input.get(i + 2).copied().and_then(hex_value)?;
                bytes.push((hi << 4) | lo);
                i += 2;
            }
            b => bytes.push(b),
        }
        i += 1;
    }
    String::from_utf8(bytes).ok()
}

/// Splits `a=1&b=2` into decoded pairs appended to `out`. Empty segments are skipped; a segment
/// without `=` is a parameter with an empty value.
pub(crate) fn parse_pairs(
    input: &[u8],
    out: &mut Vec<(String, String)>,
) -> Result<(), DecodeError> {
    for segment in input.split(|&b| b == b'&') {
        if segment.is_empty() {
            continue;
        }
        let (raw_name, raw_value) = match segment.iter().position(|&b| b == b'=') {
            Some(i) => (&segment[..i], &segment[i + 1..]),
            None => (segment, &b""[..]),
        };
        let error = || DecodeError {
            name: String::from_utf8_lossy(raw_name).into_owned(),
        };
        let name = decode(raw_name).ok_or_else(error)?;
        let value = decode(raw_value).ok_or_else(error)?;
        out.push((name, value));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_rfc3986() {
        assert_eq!(encode("a b*c~d-e_f.g"), "a%20b%2Ac~d-e_f.g");
        assert_eq!(encode("2016-02-23T12:46:24Z"), "2016-02-23T12%3A46%3A24Z");
        assert_eq!(encode("é/+="), "%C3%A9%2F%2B%3D");
    }

    #[test]
    fn decodes_plus_percent_and_utf8() {
        assert_eq!(decode(b"a+b%20c%C3%A9").as_deref(), Some("a b cé"));
        assert_eq!(decode(b"plain").as_deref(), Some("plain"));
        assert_eq!(decode(b"%zz"), None);
        assert_eq!(decode(b"%4"), None);
        assert_eq!(decode(b"%FF"), None);
        assert_eq!(decode(b"\xff"), None);
    }

    #[test]
    fn parses_pairs() {
        let mut out = Vec::new();
        parse_pairs(b"a=1&&b=&c&d=x%3Dy", &mut out).unwrap();
        let expected = [("a", "1"), ("b", ""), ("c", ""), ("d", "x=y")];
        assert_eq!(out.len(), expected.len());
        for ((k, v), (ek, ev)) in out.iter().zip(expected) {
            assert_eq!((k.as_str(), v.as_str()), (ek, ev));
        }
        let err = parse_pairs(b"ok=1&bad%=2", &mut out).unwrap_err();
        assert_eq!(err.name, "bad%");
    }
}
