//! What a page's example responses show about the nesting: which names each object holds.
//!
//! Paths are the wire names from the root; a list is transparent (its items sit at the list's
//! path), so `Data.List[].AgentId` is the path `Data/List/AgentId`.

use std::collections::{BTreeMap, BTreeSet};

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;

pub(crate) type Path = Vec<String>;

/// Shapes seen in the JSON and XML examples, merged.
#[derive(Debug, Default)]
pub(crate) struct Shapes {
    /// Paths that hold an object, with the names seen inside it.
    objects: BTreeMap<Path, BTreeSet<String>>,
    /// Scalar items of JSON arrays, by path.
    array_items: BTreeMap<Path, Vec<Value>>,
}

impl Shapes {
    /// The names an object at `path` holds in the examples, or `None` when they do not show one.
    pub fn keys(&self, path: &[String]) -> Option<&BTreeSet<String>> {
        self.objects.get(path)
    }

    pub fn is_object(&self, path: &[String]) -> bool {
        self.objects.contains_key(path)
    }

    /// Scalar items of a JSON array at `path`.
    pub fn array_items(&self, path: &[String]) -> &[Value] {
        self.array_items.get(path).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Reads a JSON example; an error gives the 1-based line within `text`.
    pub fn add_json(&mut self, text: &str) -> Result<(), (usize, String)> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            let message = e.to_string();
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            (e.line(), message)
        })?;
        self.walk_json(&mut Vec::new(), &value, false);
        Ok(())
    }

    fn walk_json(&mut self, path: &mut Path, v: &Value, in_array: bool) {
        match v {
            Value::Object(map) => {
                self.objects
                    .entry(path.clone())
                    .or_default()
                    .extend(map.keys().cloned());
                for (k, v) in map {
                    path.push(k.clone());
                    self.walk_json(path, v, false);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.walk_json(path, item, true);
                }
            }
            scalar if in_array => self
                .array_items
                .entry(path.clone())
                .or_default()
                .push(scalar.clone()),
            _ => {}
        }
    }

    /// Reads an XML example: a bare sequence of elements, with no root. An error gives the
    /// 1-based line within `text`.
    pub fn add_xml(&mut self, text: &str) -> Result<(), (usize, String)> {
        self.read_xml(text).map_err(|(pos, message)| {
            let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
            let line = text.as_bytes()[..pos]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            (line, message)
        })
    }

    fn read_xml(&mut self, text: &str) -> Result<(), (u64, String)> {
        let mut reader = Reader::from_str(text);
        // The names of the open elements.
        let mut path: Path = Vec::new();
        loop {
            let event = reader
                .read_event()
                .map_err(|e| (reader.error_position(), e.to_string()))?;
            match event {
                Event::Start(e) => {
                    let name = e.name().as_ref().to_string();
                    self.child_seen(&path, &name);
                    path.push(name);
                }
                Event::Empty(e) => {
                    let name = e.name().as_ref().to_string();
                    self.child_seen(&path, &name);
                }
                Event::End(e) => {
                    let name = e.name().as_ref().to_string();
                    if path.last() != Some(&name) {
                        return Err((
                            reader.buffer_position(),
                            format!("unexpected end tag </{name}>"),
                        ));
                    }
                    path.pop();
                }
                Event::Eof => break,
                _ => {}
            }
        }
        match path.last() {
            Some(open) => Err((
                reader.buffer_position(),
                format!("element <{open}> is not closed"),
            )),
            None => Ok(()),
        }
    }

    fn child_seen(&mut self, parent: &Path, name: &str) {
        self.objects
            .entry(parent.clone())
            .or_default()
            .insert(name.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &[&str]) -> Path {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn json_and_xml_shapes_merge() {
        let mut s = Shapes::default();
        s.add_json(r#"{"A": {"L": [{"X": "1"}, {"Y": "2"}]}, "N": ["a", "b"]}"#)
            .unwrap();
        s.add_xml("<A>\n  <L><Z>1</Z></L>\n</A>\n<B>x &gt; y</B>\n")
            .unwrap();
        let keys: Vec<&String> = s.keys(&p(&["A", "L"])).unwrap().iter().collect();
        assert_eq!(keys, ["X", "Y", "Z"]);
        assert!(s.keys(&[]).unwrap().contains("B"));
        assert!(!s.is_object(&p(&["B"])));
        assert_eq!(s.array_items(&p(&["N"])).len(), 2);
        assert!(s.add_xml("<A><B></A>").is_err());
    }
}
