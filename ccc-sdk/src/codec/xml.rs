//! XML response bodies read into the same tree as JSON ones, so one decoder serves both.
//!
//! An element with child elements becomes an object; a repeated child becomes a list; an element
//! with only text becomes a string (typed later, leniently). A document wrapped in one root such as
//! `<ResetAgentStateResponse>` or `<Error>` is unwrapped; a bare sequence of elements (as the API
//! reference prints its examples) is read as the root's children.

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::{Map, Value};

/// An element being read.
struct Frame {
    name: String,
    children: Map<String, Value>,
    /// Children seen more than once, whose value is already a list.
    repeated: Vec<String>,
    text: String,
}

impl Frame {
    fn new(name: String) -> Self {
        Frame {
            name,
            children: Map::new(),
            repeated: Vec::new(),
            text: String::new(),
        }
    }

    fn into_value(self) -> Value {
        if self.children.is_empty() {
            Value::String(self.text.trim().to_string())
        } else {
            Value::Object(self.children)
        }
    }

    fn add_child(&mut self, name: String, value: Value) {
        match self.children.get_mut(&name) {
            None => {
                self.children.insert(name, value);
            }
            Some(Value::Array(items)) if self.repeated.contains(&name) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
                self.repeated.push(name);
            }
        }
    }
}

/// Parses an XML body into a tree; the error says where the XML broke.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    let mut reader = Reader::from_str(text);
    let mut stack = vec![Frame::new(String::new())];
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("malformed XML at byte {}: {e}", reader.error_position()))?;
        match event {
            Event::Start(e) => stack.push(Frame::new(e.name().as_ref().to_string())),
            Event::Empty(e) => {
                let top = stack.last_mut().ok_or("unbalanced XML")?;
                top.add_child(e.name().as_ref().to_string(), Value::String(String::new()));
            }
            Event::End(_) => {
                let done = stack.pop().ok_or("unbalanced XML")?;
                let parent = stack.last_mut().ok_or_else(|| {
                    format!(
                        "malformed XML at byte {}: unexpected end tag",
                        reader.buffer_position()
                    )
                })?;
                let name = done.name.clone();
                parent.add_child(name, done.into_value());
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => match &*r {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(format!("unknown XML entity `&{other};`")),
                    },
                    Err(e) => return Err(format!("bad XML character reference: {e}")),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(ch);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if stack.len() != 1 {
        let open = stack.last().map(|f| f.name.clone()).unwrap_or_default();
        return Err(format!("truncated XML: element <{open}> is not closed"));
    }
    let root = stack.pop().map(|f| f.children).unwrap_or_default();
    if root.is_empty() {
        return Err("no XML element in the body".into());
    }
    Ok(unwrap_root(root))
}

/// `<XResponse>…</XResponse>` and `<Error>…</Error>` hold the fields; a bare sequence is the fields.
fn unwrap_root(root: Map<String, Value>) -> Value {
    if root.len() == 1 {
        let (name, value) = root
            .iter()
            .next()
            .map(|(k, v)| (k.as_str(), v))
            .unwrap_or_default();
        if value.is_object() && (name.ends_with("Response") || name == "Error") {
            return value.clone();
        }
    }
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fragment_reads_as_fields() {
        let v = parse("<RequestId>R</RequestId>\n<Data>\n  <UserState>OFFLINE</UserState>\n</Data>\n<Code>OK</Code>").unwrap();
        assert_eq!(
            v,
            json!({"RequestId": "R", "Data": {"UserState": "OFFLINE"}, "Code": "OK"})
        );
    }

    #[test]
    fn response_root_is_unwrapped_and_repeats_become_lists() {
        let v = parse(r#"<?xml version="1.0" encoding="UTF-8"?><ListResponse><List><N>1</N></List><List><N>2</N></List><List><N>3</N></List></ListResponse>"#).unwrap();
        assert_eq!(v, json!({"List": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}));
    }

    #[test]
    fn entities_and_cdata_are_text() {
        let v = parse("<A>a-&gt;b &amp; &#x4E2D;</A><B><![CDATA[<x>]]></B><C/>").unwrap();
        assert_eq!(v, json!({"A": "a->b & 中", "B": "<x>", "C": ""}));
    }

    #[test]
    fn truncated_and_malformed_xml_are_errors() {
        assert!(parse("<A><B>1</B>").unwrap_err().contains("not closed"));
        assert!(parse("<A>1</B>").is_err());
        assert!(parse("").is_err());
    }
}
