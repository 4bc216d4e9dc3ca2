//! XML response bodies read into the same tree as JSON ones, so one decoder serves both.
//!
//! An element with child elements becomes an object; a repeated child becomes a list; an element
//! with only text becomes a string (typed later, leniently). A document wrapped in one root such as
//! `<ResetAgentStateResponse>` or `<Error>` is unwrapped; a bare sequence of elements (as the API
//! reference prints its examples) is read as the root's children.
//!
//! The reader keeps its own stack (no recursion), refuses nesting deeper than [`MAX_DEPTH`], and
//! finds a repeated child by a per-element index once an element has many children, so that the
//! work grows linearly with the body whatever its shape.

use std::borrow::Cow;
use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::MAX_DEPTH;
use super::node::{Fields, Node};

/// Beyond this many children, an element indexes them by name instead of scanning.
const SCAN_LIMIT: usize = 16;

/// An element being read.
struct Frame {
    name: String,
    children: Vec<(Cow<'static, str>, Node<'static>)>,
    /// Name → position in `children`, built once the element has more than `SCAN_LIMIT`.
    index: Option<HashMap<String, usize>>,
    text: String,
}

impl Frame {
    fn new(name: String) -> Self {
        Frame {
            name,
            children: Vec::new(),
            index: None,
            text: String::new(),
        }
    }

    fn into_node(self) -> Node<'static> {
        if self.children.is_empty() {
            Node::String(Cow::Owned(trim_in_place(self.text)))
        } else {
            Node::Object(Fields::from_vec(self.children))
        }
    }

    fn position(&mut self, name: &str) -> Option<usize> {
        if let Some(index) = &self.index {
            return index.get(name).copied();
        }
        self.children.iter().position(|(k, _)| k == name)
    }

    /// Adds a child; a name seen before turns that child into a list of all of them.
    fn add_child(&mut self, name: String, value: Node<'static>) {
        match self.position(&name) {
            Some(at) => match &mut self.children[at].1 {
                Node::Array(items) => items.push(value),
                existing => {
                    let first = std::mem::replace(existing, Node::Null);
                    *existing = Node::Array(vec![first, value]);
                }
            },
            None => {
                if let Some(index) = &mut self.index {
                    index.insert(name.clone(), self.children.len());
                }
                self.children.push((Cow::Owned(name), value));
                if self.index.is_none() && self.children.len() > SCAN_LIMIT {
                    self.index = Some(
                        self.children
                            .iter()
                            .enumerate()
                            .map(|(i, (k, _))| (k.to_string(), i))
                            .collect(),
                    );
                }
            }
        }
    }
}

/// Parses an XML body into a tree; the error says where the XML broke.
pub(crate) fn parse(text: &str) -> Result<Node<'static>, String> {
    let mut reader = Reader::from_str(text);
    let mut stack = vec![Frame::new(String::new())];
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("malformed XML at byte {}: {e}", reader.error_position()))?;
        match event {
            Event::Start(e) => {
                // The root frame is not an element: `stack.len()` is the new element's depth.
                if stack.len() > MAX_DEPTH {
                    return Err(format!(
                        "XML nested deeper than {MAX_DEPTH} levels (at byte {})",
                        reader.buffer_position()
                    ));
                }
                stack.push(Frame::new(name_of(e.name().as_ref())));
            }
            Event::Empty(e) => {
                let top = stack.last_mut().ok_or("unbalanced XML")?;
                top.add_child(name_of(e.name().as_ref()), Node::String(Cow::Borrowed("")));
            }
            Event::End(_) => {
                let mut done = stack.pop().ok_or("unbalanced XML")?;
                let parent = stack.last_mut().ok_or_else(|| {
                    format!(
                        "malformed XML at byte {}: unexpected end tag",
                        reader.buffer_position()
                    )
                })?;
                let name = std::mem::take(&mut done.name);
                parent.add_child(name, done.into_node());
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
    if let [(name, _)] = root.as_slice()
        && name.eq_ignore_ascii_case("html")
    {
        return Err("an HTML page, not an answer of the API".into());
    }
    Ok(unwrap_root(root))
}

/// The text without its leading and trailing whitespace, in the string it came in: an element's
/// text is most of what a response holds, and most of it needs no trimming, so no copy.
fn trim_in_place(mut text: String) -> String {
    let end = text.trim_end().len();
    text.truncate(end);
    let start = end - text.trim_start().len();
    if start > 0 {
        text.drain(..start);
    }
    text
}

fn name_of(raw: &str) -> String {
    raw.to_string()
}

/// `<XResponse>…</XResponse>` and `<Error>…</Error>` hold the fields; a bare sequence is the fields.
fn unwrap_root(mut root: Vec<(Cow<'static, str>, Node<'static>)>) -> Node<'static> {
    if let [(name, Node::Object(_))] = root.as_slice()
        && (name.ends_with("Response") || name == "Error")
        && let Some((_, fields)) = root.pop()
    {
        return fields;
    }
    Node::Object(Fields::from_vec(root))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn value(text: &str) -> serde_json::Value {
        parse(text).unwrap().into_value()
    }

    #[test]
    fn fragment_reads_as_fields() {
        let v = value(
            "<RequestId>R</RequestId>\n<Data>\n  <UserState>OFFLINE</UserState>\n</Data>\n<Code>OK</Code>",
        );
        assert_eq!(
            v,
            json!({"RequestId": "R", "Data": {"UserState": "OFFLINE"}, "Code": "OK"})
        );
    }

    #[test]
    fn response_root_is_unwrapped_and_repeats_become_lists() {
        let v = value(
            r#"<?xml version="1.0" encoding="UTF-8"?><ListResponse><List><N>1</N></List><List><N>2</N></List><List><N>3</N></List></ListResponse>"#,
        );
        assert_eq!(v, json!({"List": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}));
    }

    #[test]
    fn text_is_trimmed_at_both_ends_only() {
        let v = value("<A>\n  a  b \t</A><B>plain</B><C>   </C><D>\u{3000}x\u{3000}</D>");
        assert_eq!(v, json!({"A": "a  b", "B": "plain", "C": "", "D": "x"}));
    }

    #[test]
    fn entities_and_cdata_are_text() {
        let v = value("<A>a-&gt;b &amp; &#x4E2D;</A><B><![CDATA[<x>]]></B><C/>");
        assert_eq!(v, json!({"A": "a->b & 中", "B": "<x>", "C": ""}));
    }

    #[test]
    fn truncated_and_malformed_xml_are_errors() {
        assert!(parse("<A><B>1</B>").unwrap_err().contains("not closed"));
        assert!(parse("<A>1</B>").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn an_xhtml_page_is_not_an_answer() {
        let page = r#"<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>Moved</p></body></html>"#;
        assert!(parse(page).unwrap_err().contains("HTML page"));
    }

    #[test]
    fn nesting_is_bounded_and_named() {
        let deep = |n: usize| "<a>".repeat(n) + "x" + &"</a>".repeat(n);
        // The limit itself is fine; one more level is refused; far more never overflows.
        assert!(parse(&deep(MAX_DEPTH)).is_ok());
        let e = parse(&deep(MAX_DEPTH + 1)).unwrap_err();
        assert!(e.contains("deeper than 128 levels"), "{e}");
        assert!(parse(&deep(100_000)).unwrap_err().contains("deeper than"));
    }

    #[test]
    fn many_repeated_names_group_like_few() {
        // Past the scan limit, children are found by the index: same result as a scan.
        let mut body = String::new();
        for round in 0..3 {
            for i in 0..40 {
                body.push_str(&format!("<K{i}>{round}</K{i}>"));
            }
        }
        let v = value(&body);
        let o = v.as_object().unwrap();
        assert_eq!(o.len(), 40);
        assert_eq!(o["K0"], json!(["0", "1", "2"]));
        assert_eq!(o["K39"], json!(["0", "1", "2"]));
    }
}
