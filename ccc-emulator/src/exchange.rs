//! One request and its answer as every endpoint of the emulator sees them, independent of the
//! HTTP library.

/// One HTTP request, as the HTTP layer hands it over.
pub(crate) struct Incoming<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) headers: &'a hyper::HeaderMap,
    pub(crate) body: &'a [u8],
}

/// What to send back.
#[derive(Debug)]
pub(crate) enum Reply {
    Send {
        status: u16,
        content_type: String,
        body: Vec<u8>,
        /// Send only half of `body` under its full length, then close.
        truncate: bool,
    },
    /// Close the connection without answering.
    Drop,
}

/// A header's value, when it is text.
pub(crate) fn header<'h>(headers: &'h hyper::HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A parameter's value (the first of its name).
pub(crate) fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
