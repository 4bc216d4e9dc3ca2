//! The parser for the subset of Darabonba that API definitions use, and the syntax tree it builds.
//!
//! Declarations (`import`, `extends`, `model`, function signatures) are parsed fully. Statement
//! bodies (`init`, functions) are checked only for balanced brackets; from them the parser picks
//! the few statement shapes that carry facts about the wire: `query['W'] = request.f;`,
//! `body['W'] = request.f;`, the `arrayToStringWithSpecifiedStyle` shrink calls, the whole
//! request sent as the query (`OpenApiUtil.query(Util.toMap(request))`), local models
//! (`var request = new XShrinkRequest{}`), the `new OpenApi.Params{ … }` block and, in `init`,
//! `@endpointMap = { … }`.

use super::error::{Pos, TeaError};
use super::lexer::{Comment, Tok, Token, lex};

/// A parsed `.tea` file.
#[derive(Clone, Debug, PartialEq)]
pub struct TeaFile {
    /// The file name used in error messages.
    pub file: String,
    pub imports: Vec<String>,
    pub extends: Option<String>,
    pub init: Option<Init>,
    pub models: Vec<Model>,
    pub functions: Vec<Function>,
}

/// Facts of the `init(…) { … }` block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Init {
    pub pos: Pos,
    pub params: Vec<Param>,
    /// `@endpointRule = '…'`.
    pub endpoint_rule: Option<String>,
    /// `@endpointMap = { 'region' = 'host', … }`, in file order.
    pub endpoint_map: Vec<(String, String)>,
}

/// `model Name { … }` or `model Name = { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub name: String,
    pub pos: Pos,
    pub fields: Vec<ModelField>,
    /// A doc comment with `@deprecated` or a `// Deprecated` line precedes it.
    pub deprecated: bool,
}

/// `name?: type(key='value', …)`.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelField {
    pub name: String,
    pub pos: Pos,
    /// Declared with `?`.
    pub optional: bool,
    pub ty: TeaType,
    /// The annotation list, in order; values of numbers and booleans are kept as written.
    pub attrs: Vec<(String, String)>,
}

impl ModelField {
    /// The value of an annotation, e.g. `name` or `example`.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The wire name: the `name` annotation, else the field's own name.
    pub fn wire_name(&self) -> &str {
        self.attr("name").unwrap_or(&self.name)
    }
}

/// A type as written.
#[derive(Clone, Debug, PartialEq)]
pub enum TeaType {
    /// A primitive (`string`, `int32`, …), a model of this file, or a dotted name of an import
    /// (`Util.RuntimeOptions`).
    Named { name: String, pos: Pos },
    /// `[ T ]`.
    List(Box<TeaType>),
    /// `map[K]V`.
    Map {
        key: Box<TeaType>,
        value: Box<TeaType>,
    },
    /// An inline model `{ … }`.
    Struct(Vec<ModelField>),
}

/// A parameter of a function or of `init`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: TeaType,
}

/// `async function name(params): Type { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    pub name: String,
    pub pos: Pos,
    pub is_async: bool,
    pub params: Vec<Param>,
    pub returns: Option<TeaType>,
    /// A doc comment with `@deprecated` or a `// Deprecated` line precedes it.
    pub deprecated: bool,
    /// What the body says about the wire.
    pub facts: Facts,
}

/// Where a parameter is put.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Query,
    Body,
}

/// `query['Wire'] = var.field;` or `body['Wire'] = var.field;`.
#[derive(Clone, Debug, PartialEq)]
pub struct SendStmt {
    pub target: Target,
    pub wire: String,
    pub var: String,
    pub field: String,
    pub pos: Pos,
}

/// `var.field = OpenApiUtil.arrayToStringWithSpecifiedStyle(from_var.from_field, 'Wire', 'style')`.
#[derive(Clone, Debug, PartialEq)]
pub struct ShrinkStmt {
    pub var: String,
    pub field: String,
    pub from_var: String,
    pub from_field: String,
    pub wire: String,
    pub style: String,
    pub pos: Pos,
}

/// The facts a function body holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    pub sends: Vec<SendStmt>,
    pub shrinks: Vec<ShrinkStmt>,
    /// `var query = OpenApiUtil.query(Util.toMap(v))`: every field of `v` goes to the query.
    pub whole_query: Option<(String, Pos)>,
    /// `var v = new Model{}`: local variable → model name.
    pub locals: Vec<(String, String)>,
    /// The `new OpenApi.Params{ key = 'value', … }` block, with its place.
    pub params: Option<(Vec<(String, String)>, Pos)>,
}

impl Facts {
    /// A value of the `OpenApi.Params` block, e.g. `action`.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .as_ref()
            .and_then(|(kv, _)| kv.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()))
    }
}

/// Parses a whole `.tea` file; `file` names it in error messages.
pub fn parse(file: &str, text: &str) -> Result<TeaFile, TeaError> {
    let lexed = lex(file, text)?;
    let mut p = Parser {
        file,
        tokens: lexed.tokens,
        comments: lexed.comments,
        i: 0,
    };
    p.file_items()
}

struct Parser<'a> {
    file: &'a str,
    tokens: Vec<Token>,
    comments: Vec<Comment>,
    i: usize,
}

/// One element of a statement shape matched inside a body.
enum Pat {
    /// This punctuation.
    P(&'static str),
    /// This identifier.
    I(&'static str),
    /// Any identifier (captured).
    Id,
    /// Any string (captured).
    S,
}

impl Parser<'_> {
    fn tok(&self) -> &Tok {
        &self.tokens[self.i].tok
    }

    fn pos(&self) -> Pos {
        self.tokens[self.i].pos
    }

    fn advance(&mut self) {
        if self.i + 1 < self.tokens.len() {
            self.i += 1;
        }
    }

    fn error(&self, pos: Pos, message: impl Into<String>) -> TeaError {
        TeaError::new(self.file, pos, message)
    }

    /// "expected X, found Y" at the current token.
    fn expected(&self, what: &str) -> TeaError {
        self.error(
            self.pos(),
            format!("expected {what}, found {}", self.tok().describe()),
        )
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.tok(), Tok::Punct(q) if *q == p)
    }

    fn is_ident(&self, s: &str) -> bool {
        matches!(self.tok(), Tok::Ident(q) if q == s)
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        let yes = self.is_punct(p);
        if yes {
            self.advance();
        }
        yes
    }

    fn expect_punct(&mut self, p: &str, context: &str) -> Result<Pos, TeaError> {
        let pos = self.pos();
        if self.eat_punct(p) {
            Ok(pos)
        } else {
            Err(self.expected(&format!("'{p}' {context}")))
        }
    }

    fn ident(&mut self, what: &str) -> Result<(String, Pos), TeaError> {
        let pos = self.pos();
        match self.tok() {
            Tok::Ident(s) => {
                let s = s.clone();
                self.advance();
                Ok((s, pos))
            }
            _ => Err(self.expected(what)),
        }
    }

    /// `a.b.c`.
    fn dotted(&mut self, what: &str) -> Result<(String, Pos), TeaError> {
        let (mut name, pos) = self.ident(what)?;
        while self.is_punct(".") {
            self.advance();
            let (next, _) = self.ident(&format!("a name after '{name}.'"))?;
            name.push('.');
            name.push_str(&next);
        }
        Ok((name, pos))
    }

    /// Whether the comments before the current token mark the next item deprecated.
    fn deprecated_marker(&self) -> bool {
        let (from, to) = self.tokens[self.i].comments;
        self.comments[from..to].iter().any(|c| {
            if c.block {
                c.text.lines().any(|line| {
                    line.trim_start()
                        .trim_start_matches('*')
                        .trim_start()
                        .starts_with("@deprecated")
                })
            } else {
                let t = c.text.trim();
                t.starts_with("Deprecated") || t.starts_with("@deprecated")
            }
        })
    }

    fn file_items(&mut self) -> Result<TeaFile, TeaError> {
        let mut out = TeaFile {
            file: self.file.to_string(),
            imports: Vec::new(),
            extends: None,
            init: None,
            models: Vec::new(),
            functions: Vec::new(),
        };
        loop {
            let deprecated = self.deprecated_marker();
            match self.tok().clone() {
                Tok::Eof => break,
                Tok::Ident(kw) if kw == "import" => {
                    self.advance();
                    let (name, _) = self.dotted("a module name after 'import'")?;
                    self.expect_punct(";", "after an import")?;
                    out.imports.push(name);
                }
                Tok::Ident(kw) if kw == "extends" => {
                    self.advance();
                    let (name, _) = self.dotted("a module name after 'extends'")?;
                    self.expect_punct(";", "after 'extends'")?;
                    out.extends = Some(name);
                }
                Tok::Ident(kw) if kw == "init" => {
                    let pos = self.pos();
                    if out.init.is_some() {
                        return Err(self.error(pos, "a second 'init'"));
                    }
                    self.advance();
                    let params = self.params()?;
                    let body = self.block()?;
                    let mut init = self.init_facts(body)?;
                    init.pos = pos;
                    init.params = params;
                    out.init = Some(init);
                }
                Tok::Ident(kw) if kw == "model" => {
                    let pos = self.pos();
                    self.advance();
                    let (name, _) = self.ident("a model name after 'model'")?;
                    self.eat_punct("=");
                    if !self.is_punct("{") {
                        return Err(self.expected(&format!("'{{' to open model '{name}'")));
                    }
                    let fields = self.struct_fields(&name)?;
                    out.models.push(Model {
                        name,
                        pos,
                        fields,
                        deprecated,
                    });
                }
                Tok::Ident(kw) if matches!(kw.as_str(), "async" | "static" | "function") => {
                    let pos = self.pos();
                    let mut is_async = false;
                    while let Tok::Ident(m) = self.tok() {
                        match m.as_str() {
                            "async" => is_async = true,
                            "static" => {}
                            _ => break,
                        }
                        self.advance();
                    }
                    if !self.is_ident("function") {
                        return Err(self.expected("'function'"));
                    }
                    self.advance();
                    let (name, _) = self.ident("a function name")?;
                    let params = self.params()?;
                    if self.is_ident("throws") {
                        self.advance();
                    }
                    let returns = if self.eat_punct(":") {
                        Some(self.ty()?)
                    } else {
                        None
                    };
                    if self.is_ident("throws") {
                        self.advance();
                    }
                    let facts = if self.eat_punct(";") {
                        Facts::default()
                    } else if self.is_punct("{") {
                        let body = self.block()?;
                        self.function_facts(body)?
                    } else {
                        return Err(
                            self.expected(&format!("'{{' to open the body of function '{name}'"))
                        );
                    };
                    out.functions.push(Function {
                        name,
                        pos,
                        is_async,
                        params,
                        returns,
                        deprecated,
                        facts,
                    });
                }
                _ => {
                    return Err(self.expected(
                        "'import', 'extends', 'init', 'model' or 'function' at the top level",
                    ));
                }
            }
        }
        Ok(out)
    }

    /// `( name: type, … )`.
    fn params(&mut self) -> Result<Vec<Param>, TeaError> {
        self.expect_punct("(", "to open a parameter list")?;
        let mut params = Vec::new();
        while !self.is_punct(")") {
            let (name, _) = self.ident("a parameter name")?;
            self.expect_punct(":", &format!("after parameter '{name}'"))?;
            let ty = self.ty()?;
            params.push(Param { name, ty });
            if !self.eat_punct(",") && !self.is_punct(")") {
                return Err(self.expected("',' or ')' in a parameter list"));
            }
        }
        self.advance();
        Ok(params)
    }

    /// `{ field, … }`; the current token is `{`.
    fn struct_fields(&mut self, owner: &str) -> Result<Vec<ModelField>, TeaError> {
        self.expect_punct("{", "to open a model")?;
        let mut fields = Vec::new();
        while !self.is_punct("}") {
            let (name, pos) = self.ident(&format!("a field name or '}}' in model '{owner}'"))?;
            let optional = self.eat_punct("?");
            self.expect_punct(":", &format!("after field '{name}'"))?;
            let ty = self.ty()?;
            let attrs = if self.is_punct("(") {
                self.annotations()?
            } else {
                Vec::new()
            };
            fields.push(ModelField {
                name: name.clone(),
                pos,
                optional,
                ty,
                attrs,
            });
            if !self.eat_punct(",") && !self.is_punct("}") {
                return Err(self.expected(&format!(
                    "',' or '}}' after field '{name}' of model '{owner}'"
                )));
            }
        }
        self.advance();
        Ok(fields)
    }

    /// `(key='value', key=1, key=true)`.
    fn annotations(&mut self) -> Result<Vec<(String, String)>, TeaError> {
        self.expect_punct("(", "to open an annotation list")?;
        let mut attrs = Vec::new();
        while !self.is_punct(")") {
            let (key, _) = match self.tok() {
                Tok::Ident(_) => self.ident("an annotation name")?,
                _ => return Err(self.expected("an annotation name or ')' in an annotation list")),
            };
            self.expect_punct("=", &format!("after annotation '{key}'"))?;
            let value = match self.tok().clone() {
                Tok::Str(s) | Tok::Num(s) | Tok::Ident(s) => s,
                _ => return Err(self.expected(&format!("a value for annotation '{key}'"))),
            };
            self.advance();
            attrs.push((key, value));
            if !self.eat_punct(",") && !self.is_punct(")") {
                return Err(self.expected("')' after annotation list"));
            }
        }
        self.advance();
        Ok(attrs)
    }

    fn ty(&mut self) -> Result<TeaType, TeaError> {
        if self.is_punct("[") {
            self.advance();
            let item = self.ty()?;
            if self.is_punct("(") {
                // An annotation on a list item says nothing the field's does not.
                self.annotations()?;
            }
            self.expect_punct("]", "to close a list type")?;
            return Ok(TeaType::List(Box::new(item)));
        }
        if self.is_punct("{") {
            return Ok(TeaType::Struct(self.struct_fields("(inline)")?));
        }
        if self.is_ident("map") && matches!(&self.tokens[self.i + 1].tok, Tok::Punct("[")) {
            self.advance();
            self.advance();
            let key = self.ty()?;
            self.expect_punct("]", "after the key type of a map")?;
            let value = self.ty()?;
            return Ok(TeaType::Map {
                key: Box::new(key),
                value: Box::new(value),
            });
        }
        if matches!(self.tok(), Tok::Ident(_)) {
            let (name, pos) = self.dotted("a type")?;
            return Ok(TeaType::Named { name, pos });
        }
        Err(self.expected("a type"))
    }

    /// Skips a `{ … }` block, checking that brackets balance; returns the range of its inner
    /// tokens.
    fn block(&mut self) -> Result<(usize, usize), TeaError> {
        if !self.is_punct("{") {
            return Err(self.expected("'{' to open a block"));
        }
        let start = self.i + 1;
        let mut open: Vec<(&'static str, Pos)> = Vec::new();
        loop {
            let pos = self.pos();
            match self.tok() {
                Tok::Punct(p @ ("{" | "(" | "[")) => open.push((p, pos)),
                Tok::Punct(p @ ("}" | ")" | "]")) => {
                    let p: &'static str = p;
                    let Some((o, opened)) = open.pop() else {
                        return Err(self.error(pos, format!("unexpected '{p}'")));
                    };
                    let want = match o {
                        "{" => "}",
                        "(" => ")",
                        _ => "]",
                    };
                    if p != want {
                        return Err(self.error(
                            pos,
                            format!(
                                "expected '{want}' to close '{o}' opened at {}:{}, found '{p}'",
                                opened.line, opened.col
                            ),
                        ));
                    }
                    if open.is_empty() {
                        let end = self.i;
                        self.advance();
                        return Ok((start, end));
                    }
                }
                Tok::Eof => {
                    let (o, opened) = open.last().copied().unwrap_or(("{", pos));
                    return Err(self.error(
                        pos,
                        format!(
                            "'{o}' opened at {}:{} is never closed",
                            opened.line, opened.col
                        ),
                    ));
                }
                _ => {}
            }
            self.advance();
        }
    }

    /// Matches a statement shape at token `j`; returns the captured identifiers and strings.
    fn shape(&self, j: usize, end: usize, pats: &[Pat]) -> Option<Vec<String>> {
        let mut caps = Vec::new();
        for (k, pat) in pats.iter().enumerate() {
            if j + k >= end {
                return None;
            }
            let t = &self.tokens[j + k].tok;
            match (pat, t) {
                (Pat::P(p), Tok::Punct(q)) if p == q => {}
                (Pat::I(s), Tok::Ident(q)) if s == q => {}
                (Pat::Id, Tok::Ident(q)) | (Pat::S, Tok::Str(q)) => caps.push(q.clone()),
                _ => return None,
            }
        }
        Some(caps)
    }

    /// `{ key = 'value', … }` starting at `j` (the `{`): the string pairs, up to the matching `}`.
    fn key_values(
        &self,
        mut j: usize,
        end: usize,
        key_is_string: bool,
    ) -> Result<Vec<(String, String)>, TeaError> {
        let mut out = Vec::new();
        j += 1;
        while j < end {
            let t = &self.tokens[j];
            match &t.tok {
                Tok::Punct("}") => return Ok(out),
                Tok::Ident(k) | Tok::Str(k) if matches!(t.tok, Tok::Ident(_)) != key_is_string => {
                    if !matches!(self.tokens[j + 1].tok, Tok::Punct("=")) {
                        return Err(self.error(
                            self.tokens[j + 1].pos,
                            format!(
                                "expected '=' after '{k}', found {}",
                                self.tokens[j + 1].tok.describe()
                            ),
                        ));
                    }
                    let v = &self.tokens[j + 2];
                    if let Tok::Str(v) = &v.tok {
                        out.push((k.clone(), v.clone()));
                        j += 3;
                    } else {
                        // A computed value: skip it up to the next ',' or '}' at this depth.
                        j += 2;
                        let mut depth = 0usize;
                        while j < end {
                            match self.tokens[j].tok {
                                Tok::Punct("{" | "(" | "[") => depth += 1,
                                Tok::Punct("}" | ")" | "]") if depth > 0 => depth -= 1,
                                Tok::Punct("," | "}") if depth == 0 => break,
                                _ => {}
                            }
                            j += 1;
                        }
                    }
                    if matches!(self.tokens[j].tok, Tok::Punct(",")) {
                        j += 1;
                    }
                }
                other => {
                    return Err(self.error(
                        t.pos,
                        format!(
                            "expected {} or '}}', found {}",
                            if key_is_string {
                                "a string key"
                            } else {
                                "a key"
                            },
                            other.describe()
                        ),
                    ));
                }
            }
        }
        Err(self.error(self.tokens[end].pos, "expected '}'"))
    }

    fn init_facts(&self, (start, end): (usize, usize)) -> Result<Init, TeaError> {
        use Pat::*;
        let mut init = Init::default();
        for j in start..end {
            if self
                .shape(j, end, &[P("@"), I("endpointMap"), P("="), P("{")])
                .is_some()
            {
                init.endpoint_map = self.key_values(j + 3, end, true)?;
            } else if let Some(c) = self.shape(j, end, &[P("@"), I("endpointRule"), P("="), S]) {
                init.endpoint_rule = c.into_iter().next();
            }
        }
        Ok(init)
    }

    fn function_facts(&self, (start, end): (usize, usize)) -> Result<Facts, TeaError> {
        use Pat::*;
        let mut f = Facts::default();
        for j in start..end {
            let pos = self.tokens[j].pos;
            let after_dot = j > 0 && matches!(self.tokens[j - 1].tok, Tok::Punct("."));
            if let Some(c) = self.shape(
                j,
                end,
                &[Id, P("["), S, P("]"), P("="), Id, P("."), Id, P(";")],
            ) && !after_dot
            {
                let target = match c[0].as_str() {
                    "query" => Target::Query,
                    "body" => Target::Body,
                    _ => continue,
                };
                f.sends.push(SendStmt {
                    target,
                    wire: c[1].clone(),
                    var: c[2].clone(),
                    field: c[3].clone(),
                    pos,
                });
            } else if let Some(c) = self.shape(
                j,
                end,
                &[
                    Id,
                    P("."),
                    Id,
                    P("="),
                    I("OpenApiUtil"),
                    P("."),
                    I("arrayToStringWithSpecifiedStyle"),
                    P("("),
                    Id,
                    P("."),
                    Id,
                    P(","),
                    S,
                    P(","),
                    S,
                    P(")"),
                ],
            ) && !after_dot
            {
                f.shrinks.push(ShrinkStmt {
                    var: c[0].clone(),
                    field: c[1].clone(),
                    from_var: c[2].clone(),
                    from_field: c[3].clone(),
                    wire: c[4].clone(),
                    style: c[5].clone(),
                    pos,
                });
            } else if let Some(c) = self.shape(
                j,
                end,
                &[
                    I("OpenApiUtil"),
                    P("."),
                    I("query"),
                    P("("),
                    I("Util"),
                    P("."),
                    I("toMap"),
                    P("("),
                    Id,
                    P(")"),
                    P(")"),
                ],
            ) {
                f.whole_query = Some((c[0].clone(), pos));
            } else if let Some(c) =
                self.shape(j, end, &[I("var"), Id, P("="), I("new"), Id, P("{")])
            {
                f.locals.push((c[0].clone(), c[1].clone()));
            } else if self
                .shape(
                    j,
                    end,
                    &[I("new"), I("OpenApi"), P("."), I("Params"), P("{")],
                )
                .is_some()
            {
                if f.params.is_some() {
                    return Err(self.error(pos, "a second 'new OpenApi.Params' in one function"));
                }
                f.params = Some((self.key_values(j + 4, end, false)?, pos));
            }
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_forms_and_types() {
        let t = parse(
            "t.tea",
            "model A = { x?: string(name='X', example='1'), y: [ { z?: long(name='Z') } ](name='Y') }\n\
             model B { m?: map[string]A(name='M'), n?: [ map[string]any ](name='N'), }",
        )
        .unwrap();
        assert_eq!(t.models.len(), 2);
        let a = &t.models[0];
        assert_eq!(a.fields[0].wire_name(), "X");
        assert_eq!(a.fields[0].attr("example"), Some("1"));
        assert!(a.fields[0].optional);
        assert!(!a.fields[1].optional);
        let TeaType::List(item) = &a.fields[1].ty else {
            panic!()
        };
        let TeaType::Struct(fields) = item.as_ref() else {
            panic!()
        };
        assert_eq!(fields[0].wire_name(), "Z");
        let TeaType::Map { key, value } = &t.models[1].fields[0].ty else {
            panic!()
        };
        assert!(matches!(key.as_ref(), TeaType::Named { name, .. } if name == "string"));
        assert!(matches!(value.as_ref(), TeaType::Named { name, .. } if name == "A"));
    }

    #[test]
    fn unbalanced_body_is_reported_where_it_breaks() {
        let e = parse("t.tea", "function f(): void {\n  if (x] {\n}\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.tea:2:8: expected ')' to close '(' opened at 2:6, found ']'"
        );
        let e = parse("t.tea", "function f(): void {\n  {\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.tea:3:1: '{' opened at 2:3 is never closed"
        );
    }
}
