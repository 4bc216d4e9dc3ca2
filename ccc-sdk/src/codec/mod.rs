//! What generated code is built from: decoding responses, encoding parameters, enum plumbing.
//! Hand-written; the generator only calls into it.

mod decode;
mod encode;
#[cfg(test)]
mod examples;
mod node;
mod params;
mod xml;

pub use decode::DecodeError;
pub(crate) use decode::{Decode, describe, fields, set};
pub(crate) use encode::{Encode, put};
#[cfg(test)]
pub(crate) use examples::check_example;
pub(crate) use node::Node;
pub use params::Params;
pub(crate) use params::{
    Flat, JsonObject, JsonText, Loc, Pairs, ToParam, WriteParams, flat_field, write_json_string,
};

/// How deeply a response body may nest (objects, arrays, XML elements). serde_json refuses JSON
/// past this depth; the XML reader refuses XML past it. The API's answers nest under ten levels;
/// the bound keeps a hostile body from exhausting the stack, and every tree the SDK builds or
/// drops is at most this deep.
pub const MAX_DEPTH: usize = 128;

/// A value of an enumeration that this version of the SDK does not know.
///
/// It is kept as received so that nothing is lost; it cannot be built by users, so code that
/// matches on it does not silently change meaning when a later SDK version learns the value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(pub(crate) String);

impl UnknownValue {
    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The format of a response body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyFormat {
    Json,
    Xml,
}

impl BodyFormat {
    /// Chosen by Content-Type; without a telling one, by the first non-blank byte.
    pub(crate) fn detect(content_type: Option<&str>, body: &[u8]) -> Option<BodyFormat> {
        if let Some(ct) = content_type {
            // An HTML or XHTML page (a proxy's error page) looks like XML but is never an answer.
            if has_word(ct, b"html") {
                return None;
            }
            if has_word(ct, b"json") {
                return Some(BodyFormat::Json);
            }
            if has_word(ct, b"xml") {
                return Some(BodyFormat::Xml);
            }
        }
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Some(BodyFormat::Json),
            Some(b'<') => Some(BodyFormat::Xml),
            _ => None,
        }
    }
}

/// Whether `text` holds `word` (lowercase ASCII), in any case; without allocating, as a
/// Content-Type is read on every call.
fn has_word(text: &str, word: &[u8]) -> bool {
    text.as_bytes()
        .windows(word.len())
        .any(|w| w.eq_ignore_ascii_case(word))
}

/// Reads a response body into a tree, which borrows from the body where it can.
pub(crate) fn parse_body<'a>(
    content_type: Option<&str>,
    body: &'a [u8],
) -> Result<Node<'a>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("empty body".into());
    }
    match BodyFormat::detect(content_type, body) {
        Some(BodyFormat::Json) => Node::from_json(body).map_err(|e| {
            if e.to_string().starts_with("recursion limit exceeded") {
                format!(
                    "JSON nested deeper than {MAX_DEPTH} levels (line {} column {})",
                    e.line(),
                    e.column()
                )
            } else {
                format!("malformed JSON: {e}")
            }
        }),
        Some(BodyFormat::Xml) => {
            let text =
                std::str::from_utf8(body).map_err(|e| format!("XML body is not UTF-8: {e}"))?;
            xml::parse(text)
        }
        None => Err(format!(
            "neither JSON nor XML (Content-Type {})",
            content_type.unwrap_or("absent")
        )),
    }
}

/// Implements the plumbing of a generated enumeration: wire-value conversions, `Display`,
/// decoding, encoding, parameters and `serde::Serialize`; `#[inline]`, so compiled only where
/// used, as the generated methods are.
macro_rules! wire_enum {
    ($name:ident { $($variant:ident => $wire:literal),* $(,)? }) => {
        impl $name {
            /// The value as sent on the wire.
            #[inline]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unknown(v) => v.as_str(),
                }
            }

            /// Every value this version of the SDK knows, as sent on the wire.
            #[inline]
            pub const fn values() -> &'static [&'static str] {
                &[$($wire),*]
            }
        }

        impl ::std::convert::From<&str> for $name {
            #[inline]
            fn from(s: &str) -> Self {
                match s {
                    $($wire => Self::$variant,)*
                    other => Self::Unknown($crate::codec::UnknownValue(other.to_string())),
                }
            }
        }

        impl ::std::convert::From<String> for $name {
            #[inline]
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($wire => Self::$variant,)*
                    _ => Self::Unknown($crate::codec::UnknownValue(s)),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            #[inline]
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            #[inline]
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::codec::Decode for $name {
            #[inline]
            fn decode(v: $crate::codec::Node<'_>) -> Result<Self, $crate::codec::DecodeError> {
                <String as $crate::codec::Decode>::decode(v).map(Self::from)
            }
        }

        impl $crate::codec::Encode for $name {
            #[inline]
            fn encode(&self) -> ::serde_json::Value {
                ::serde_json::Value::String(self.as_str().to_string())
            }
        }

        impl $crate::codec::ToParam for $name {
            #[inline]
            fn to_param(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(self.as_str())
            }
        }

        impl $crate::codec::Flat for $name {
            #[inline]
            fn flatten<'a>(&'a self, prefix: &str, out: &mut $crate::codec::Pairs<'a>) {
                out.push((
                    ::std::borrow::Cow::Owned(prefix.to_string()),
                    ::std::borrow::Cow::Borrowed(self.as_str()),
                ));
            }
        }

        impl $crate::codec::JsonText for $name {
            #[inline]
            fn write_json(&self, out: &mut String) {
                $crate::codec::write_json_string(self.as_str(), out);
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}
pub(crate) use wire_enum;

/// Implements `serde::Serialize` for a generated struct through its wire-named JSON tree.
macro_rules! serialize_via_encode {
    ($($name:ident),* $(,)?) => {$(
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                ::serde::Serialize::serialize(&$crate::codec::Encode::encode(self), s)
            }
        }
    )*};
}
pub(crate) use serialize_via_encode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_format_follows_content_type_then_content() {
        assert_eq!(
            BodyFormat::detect(Some("application/json;charset=utf-8"), b"<x/>"),
            Some(BodyFormat::Json)
        );
        assert_eq!(
            BodyFormat::detect(Some("text/xml"), b"{}"),
            Some(BodyFormat::Xml)
        );
        assert_eq!(
            BodyFormat::detect(Some("text/plain"), b"  {\"a\":1}"),
            Some(BodyFormat::Json)
        );
        assert_eq!(BodyFormat::detect(None, b"<a/>"), Some(BodyFormat::Xml));
        assert_eq!(
            BodyFormat::detect(Some("Application/JSON"), b""),
            Some(BodyFormat::Json)
        );
        assert_eq!(
            BodyFormat::detect(Some("application/xhtml+xml"), b"<html/>"),
            None
        );
        assert_eq!(BodyFormat::detect(None, b"Bad Gateway"), None);
        assert_eq!(
            BodyFormat::detect(Some("text/html"), b"<html></html>"),
            None
        );
    }

    #[test]
    fn unreadable_bodies_say_why() {
        assert_eq!(parse_body(None, b"  ").unwrap_err(), "empty body");
        assert!(
            parse_body(Some("application/json"), b"{\"a\":")
                .unwrap_err()
                .starts_with("malformed JSON")
        );
        assert!(
            parse_body(Some("text/html"), b"oops")
                .unwrap_err()
                .contains("text/html")
        );
    }
}
