//! The two body formats a client may ask for, and XML rendered from a JSON answer.

use serde_json::Value;

/// Body format a client asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Xml,
}

/// The `Content-Type` of an answer in `format`.
pub(crate) fn content_type(format: Format) -> &'static str {
    match format {
        Format::Json => "application/json;charset=utf-8",
        Format::Xml => "text/xml;charset=utf-8",
    }
}

/// XML the way Alibaba's RPC gateway turns a JSON answer into XML: one element per key, list
/// items repeated under the list's name, all inside `<ActionResponse>`.
pub(crate) fn render_xml(action: &str, body: &Value) -> Vec<u8> {
    let mut out = String::with_capacity(256);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let root = format!("{action}Response");
    xml_element(&mut out, &root, body);
    out.into_bytes()
}

fn xml_element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Array(items) => {
            for item in items {
                xml_element(out, name, item);
            }
        }
        Value::Null => {}
        Value::Object(map) => {
            xml_open(out, name);
            for (k, v) in map {
                xml_element(out, k, v);
            }
            xml_close(out, name);
        }
        Value::String(s) => {
            xml_open(out, name);
            xml_escape_into(out, s);
            xml_close(out, name);
        }
        Value::Bool(_) | Value::Number(_) => {
            xml_open(out, name);
            out.push_str(&value.to_string());
            xml_close(out, name);
        }
    }
}

fn xml_open(out: &mut String, name: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
}

fn xml_close(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

pub(crate) fn xml_escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_renders_lists_and_escapes() {
        let v = serde_json::json!({"A": [1, 2], "B": {"C": "x<y"}, "D": null, "E": true});
        let xml = String::from_utf8(render_xml("Act", &v)).unwrap();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ActResponse><A>1</A><A>2</A><B><C>x&lt;y</C></B><E>true</E></ActResponse>"
        );
    }
}
