//! Writes the model back as spec JSON, in one canonical layout: keys in a fixed order, two-space
//! indent, a newline at the end. Importers write through this so that re-importing is a no-op.

use crate::model::*;

/// Pretty JSON written key by key, so the order is the spec's, not alphabetical.
struct W {
    out: String,
    depth: usize,
    /// Whether the current container already holds an entry.
    first: Vec<bool>,
}

impl W {
    fn new() -> Self {
        W {
            out: String::new(),
            depth: 0,
            first: Vec::new(),
        }
    }

    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn entry_start(&mut self) {
        if let Some(first) = self.first.last_mut() {
            if !*first {
                self.out.push(',');
            }
            *first = false;
            self.newline();
        }
    }

    fn open(&mut self, c: char) {
        self.out.push(c);
        self.depth += 1;
        self.first.push(true);
    }

    fn close(&mut self, c: char) {
        self.depth -= 1;
        let empty = self.first.pop().unwrap_or(true);
        if !empty {
            self.newline();
        }
        self.out.push(c);
    }

    fn key(&mut self, k: &str) {
        self.entry_start();
        self.string_raw(k);
        self.out.push_str(": ");
    }

    fn string_raw(&mut self, s: &str) {
        self.out
            .push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
    }

    fn str(&mut self, k: &str, v: &str) {
        self.key(k);
        self.string_raw(v);
    }

    fn opt_str(&mut self, k: &str, v: &Option<String>) {
        if let Some(v) = v {
            self.str(k, v);
        }
    }

    /// Writes `k: true`; `false` is the default and is left out.
    fn flag(&mut self, k: &str, v: bool) {
        if v {
            self.key(k);
            self.out.push_str("true");
        }
    }

    /// Writes `k: true` or `k: false`, always.
    fn bool(&mut self, k: &str, v: bool) {
        self.key(k);
        self.out.push_str(if v { "true" } else { "false" });
    }

    fn obj(&mut self, k: Option<&str>, f: impl FnOnce(&mut Self)) {
        match k {
            Some(k) => self.key(k),
            None => self.entry_start(),
        }
        self.open('{');
        f(self);
        self.close('}');
    }

    fn arr<T>(&mut self, k: &str, items: &[T], mut f: impl FnMut(&mut Self, &T)) {
        self.key(k);
        self.open('[');
        for item in items {
            self.entry_start();
            self.open('{');
            f(self, item);
            self.close('}');
        }
        self.close(']');
    }

    /// Writes `k: ["a", …]`; an empty list is the default and is left out.
    fn strings(&mut self, k: &str, items: &[String]) {
        if items.is_empty() {
            return;
        }
        self.key(k);
        self.open('[');
        for item in items {
            self.entry_start();
            self.string_raw(item);
        }
        self.close(']');
    }

    fn ty(&mut self, ty: &Type) {
        match ty {
            Type::Scalar {
                scalar,
                enumeration,
            } => {
                self.str("type", scalar.as_str());
                self.opt_str("enum", enumeration);
            }
            Type::Struct { .. } if ty.referenced_struct().is_some() => {
                self.str("type", "Struct");
                self.opt_str("struct", &ty.referenced_struct().map(str::to_string));
            }
            Type::Struct { type_name, fields } => {
                self.str("type", "Struct");
                self.opt_str("typeName", type_name);
                self.arr("fields", fields, W::field);
            }
            Type::List { items } => {
                self.str("type", "List");
                self.obj(Some("items"), |w| w.ty(items));
            }
            Type::Map { values } => {
                self.str("type", "Map");
                self.obj(Some("values"), |w| w.ty(values));
            }
        }
    }

    fn field(&mut self, f: &Field) {
        self.str("name", &f.name);
        self.ty(&f.ty);
        self.flag("sensitive", f.sensitive);
        self.opt_str("example", &f.example);
        self.opt_str("description", &f.description);
    }

    fn parameter(&mut self, p: &Parameter) {
        self.str("name", &p.name);
        self.ty(&p.ty);
        self.key("required");
        self.out.push_str(if p.required { "true" } else { "false" });
        self.flag("referenceRequired", p.reference_required);
        if let Some(r) = &p.range {
            self.obj(Some("range"), |w| {
                w.key("min");
                w.out.push_str(&r.min.to_string());
                w.key("max");
                w.out.push_str(&r.max.to_string());
                w.str("from", r.from.as_str());
            });
        }
        self.str(
            "in",
            match p.location {
                Location::Query => "query",
                Location::Body => "body",
            },
        );
        if let Some(style) = p.style {
            self.str(
                "style",
                match style {
                    Style::Flat => "flat",
                    Style::Json => "json",
                },
            );
        }
        self.flag("sensitive", p.sensitive);
        self.opt_str("example", &p.example);
        self.opt_str("description", &p.description);
    }

    fn error(&mut self, e: &ErrorSpec) {
        self.key("httpStatus");
        self.out.push_str(&e.http_status.to_string());
        self.str("code", &e.code);
        self.str("message", &e.message);
        self.opt_str("description", &e.description);
    }

    fn enumeration(&mut self, e: &EnumSpec) {
        self.str("name", &e.name);
        self.opt_str("description", &e.description);
        self.arr("values", &e.values, |w, v| {
            w.str("value", &v.value);
            w.opt_str("description", &v.description);
        });
    }

    fn finish(mut self) -> String {
        self.out.push('\n');
        self.out
    }
}

/// The canonical text of an action file.
pub fn action_to_json(a: &Action) -> String {
    let mut w = W::new();
    w.obj(None, |w| {
        w.str("action", &a.name);
        w.str("method", a.method.as_str());
        w.str("path", &a.path);
        w.flag("deprecated", a.deprecated);
        w.bool("idempotent", a.idempotent);
        w.opt_str("summary", &a.summary);
        w.opt_str("description", &a.description);
        w.arr("parameters", &a.parameters, W::parameter);
        w.arr("response", &a.response, W::field);
        w.arr("errors", &a.errors, W::error);
        if !a.enums.is_empty() {
            w.arr("enums", &a.enums, W::enumeration);
        }
        if a.examples.json.is_some() || a.examples.xml.is_some() {
            w.obj(Some("examples"), |w| {
                w.opt_str("json", &a.examples.json);
                w.opt_str("xml", &a.examples.xml);
            });
        }
    });
    w.finish()
}

/// The canonical text of the product file.
pub fn product_to_json(p: &Product) -> String {
    let mut w = W::new();
    w.obj(None, |w| {
        w.str("product", &p.code);
        w.str("version", &p.version);
        w.str("style", &p.style);
        w.str("docUrl", &p.doc_url);
        w.str("regionalEndpoint", &p.regional_endpoint);
        w.obj(Some("endpoints"), |w| {
            for (region, host) in &p.endpoints {
                w.str(region, host);
            }
        });
        w.strings("regionalOnly", &p.regional_only);
        w.arr("errors", &p.errors, W::error);
        w.arr("enums", &p.enums, W::enumeration);
        if !p.structs.is_empty() {
            w.arr("structs", &p.structs, |w, s| {
                w.str("name", &s.name);
                w.opt_str("description", &s.description);
                w.flag("request", s.request);
                w.arr("fields", &s.fields, W::field);
            });
        }
        w.strings("plainStrings", &p.plain_strings);
    });
    w.finish()
}
