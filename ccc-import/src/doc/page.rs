//! One reference page → one [`Action`].

use ccc_spec::naming::type_ident;
use ccc_spec::{
    Action, EnumSpec, EnumValue, ErrorSpec, Examples, Field, Location, Method, Parameter, Scalar,
    Style, Type,
};

use super::enums::{self, is_upper_code};
use super::examples::Shapes;
use super::markdown::{Page, Problem, cell_text, problem};
use super::{Note, NoteKind, PageError, ParseOptions, ParsedPage};

/// Reads one reference page. `name` names the page in errors (usually its file name).
pub fn parse_page(name: &str, text: &str, opts: &ParseOptions) -> Result<ParsedPage, PageError> {
    parse(text, opts).map_err(|p| PageError {
        page: name.to_string(),
        line: (p.line > 0).then_some(p.line),
        reason: p.reason,
    })
}

/// A type as a page writes it.
#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Scalar(Scalar),
    Struct,
    /// `List` with no item type.
    List,
    /// `Array of X`.
    ArrayOf(String),
    Map,
}

fn scalar_named(s: &str) -> Option<Scalar> {
    Scalar::ALL
        .into_iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(s))
}

fn kind_of(s: &str) -> Option<Kind> {
    let s = s.trim();
    if let Some(sc) = scalar_named(s) {
        return Some(Kind::Scalar(sc));
    }
    if let Some(item) = s
        .strip_prefix("Array of ")
        .or_else(|| s.strip_prefix("array of "))
    {
        let item = item.trim();
        return (!item.is_empty() && item.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then(|| Kind::ArrayOf(item.to_string()));
    }
    match s.to_ascii_lowercase().as_str() {
        "struct" | "object" => Some(Kind::Struct),
        "list" | "array" => Some(Kind::List),
        "map" => Some(Kind::Map),
        _ => None,
    }
}

fn unknown_type(line: usize, name: &str, ty: &str) -> Problem {
    problem(
        line,
        format!(
            "unknown type `{ty}` for `{name}` (known: String, Integer, Long, Boolean, Float, Double, Struct, List, Map, Array of X)"
        ),
    )
}

/// A cell's example value, or `None` for a blank cell or `无` (none).
fn example_of(raw: &str) -> Option<String> {
    let t = cell_text(raw);
    let t = t.trim();
    (!t.is_empty() && t != "无").then(|| t.to_string())
}

fn wire_name(line: usize, raw: &str) -> Result<String, Problem> {
    let name = cell_text(raw);
    if name.is_empty()
        || !name.starts_with(|c: char| c.is_ascii_alphabetic())
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        return Err(problem(line, format!("`{name}` is not a wire name")));
    }
    Ok(name)
}

fn is_sensitive(name: &str) -> bool {
    ccc_spec::naming::is_sensitive(name)
}

/// A row of the response table.
struct ResponseRow {
    line: usize,
    name: String,
    kind: Kind,
    example: Option<String>,
    description: String,
}

/// A field of the response being put together.
struct Node {
    /// `None` for the root.
    row: Option<usize>,
    path: Vec<String>,
    children: Vec<usize>,
    /// A list whose items are structs (its rows follow it).
    list_of_structs: bool,
}

struct Builder<'o> {
    opts: &'o ParseOptions,
    action: String,
    enums: Vec<EnumSpec>,
    notes: Vec<Note>,
}

fn parse(text: &str, opts: &ParseOptions) -> Result<ParsedPage, Problem> {
    let page = Page::new(text);
    let (title_line, title) = page
        .title()
        .ok_or_else(|| problem(0, "no `# Title` line naming the action"))?;
    let name = title.split_whitespace().next().unwrap_or("");
    if !name.starts_with(|c: char| c.is_ascii_uppercase())
        || !name.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(problem(
            title_line,
            format!("the title `{title}` is not an action name"),
        ));
    }
    let mut b = Builder {
        opts,
        action: name.to_string(),
        enums: Vec::new(),
        notes: Vec::new(),
    };
    let summary = if opts.with_descriptions {
        page.summary(title_line)
    } else {
        None
    };

    let (examples, method) = read_examples(&page)?;
    let mut shapes = Shapes::default();
    if let Some((line, json)) = &examples.json {
        shapes
            .add_json(json)
            .map_err(|(at, e)| problem(line + at, format!("unparseable JSON example: {e}")))?;
    }
    if let Some((line, xml)) = &examples.xml {
        shapes
            .add_xml(xml)
            .map_err(|(at, e)| problem(line + at, format!("unparseable XML example: {e}")))?;
    }

    let (parameters, states_locations) = b.parameters(&page)?;
    let response = b.response(&page, &shapes)?;
    let errors = b.errors(&page)?;
    let mut notes = b.notes;
    notes.sort_by_key(|n| n.line);
    let mut action = Action {
        name: name.to_string(),
        method: method.unwrap_or(Method::Post),
        path: "/".into(),
        summary,
        description: None,
        deprecated: false,
        idempotent: ccc_spec::rules::safe_to_repeat(name),
        parameters,
        response,
        errors,
        enums: b.enums,
        examples: Examples {
            json: examples.json.map(|(_, t)| t),
            xml: examples.xml.map(|(_, t)| t),
        },
    };
    // Fields the descriptions left plain but that are named like a product enumeration.
    for decided in ccc_spec::rules::enumerations_by_name(&mut action, &opts.product_enums) {
        notes.push(Note {
            line: 0,
            kind: NoteKind::Enumeration,
            message: format!("{decided}, by its name"),
        });
    }
    Ok(ParsedPage {
        action,
        notes,
        states_method: method.is_some(),
        states_locations,
    })
}

#[derive(Default)]
struct PageExamples {
    json: Option<(usize, String)>,
    xml: Option<(usize, String)>,
}

/// The normal-response examples of `## 示例`, and the HTTP method if the page names one.
fn read_examples(page: &Page<'_>) -> Result<(PageExamples, Option<Method>), Problem> {
    let mut method = None;
    // A method written in prose: `请求方式：GET`.
    for l in &page.lines {
        if (l.contains("请求方式") || l.contains("请求方法") || l.contains("HTTP方法"))
            && !l.starts_with('|')
        {
            if l.contains("GET") {
                method = Some(Method::Get);
            } else if l.contains("POST") {
                method = Some(Method::Post);
            }
        }
    }
    let mut out = PageExamples::default();
    let Some(sec) = page.section("示例") else {
        return Ok((out, method));
    };
    let mut errors_part = false;
    let markers: Vec<(usize, &str)> = page.prose(sec).collect();
    for (i, l) in markers {
        if l.contains("异常返回示例") || l.contains("错误返回示例") {
            errors_part = true;
        } else if l.contains("请求示例") {
            if let Some(block) = page.block_after(i, sec)?
                && method.is_none()
            {
                let first = block.text.trim_start();
                if first.starts_with("GET ") {
                    method = Some(Method::Get);
                } else if first.starts_with("POST ") {
                    method = Some(Method::Post);
                }
            }
        } else if l.contains("`XML`") && !errors_part && out.xml.is_none() {
            if let Some(block) = page.block_after(i, sec)?
                && !block.text.trim().is_empty()
            {
                out.xml = Some((block.line, block.text));
            }
        } else if l.contains("`JSON`")
            && !errors_part
            && out.json.is_none()
            && let Some(block) = page.block_after(i, sec)?
            && !block.text.trim().is_empty()
        {
            out.json = Some((block.line, block.text));
        }
    }
    Ok((out, method))
}

impl Builder<'_> {
    fn description(&self, cleaned: &str) -> Option<String> {
        (self.opts.with_descriptions && !cleaned.is_empty()).then(|| cleaned.to_string())
    }

    fn note(&mut self, line: usize, kind: NoteKind, message: String) {
        self.notes.push(Note {
            line,
            kind,
            message,
        });
    }

    /// The parameters, and whether the page states where they travel.
    fn parameters(&mut self, page: &Page<'_>) -> Result<(Vec<Parameter>, bool), Problem> {
        let sec = page.section("请求参数").ok_or_else(|| {
            problem(
                0,
                "no parameter table: the page has no `## 请求参数` section",
            )
        })?;
        let table = page
            .table(sec)?
            .ok_or_else(|| problem(sec.heading_line, "no parameter table under `## 请求参数`"))?;
        let c_name = table.require(&["名称", "Name"])?;
        let c_type = table.require(&["类型", "Type"])?;
        let c_req = table.require(&["是否必选", "Required"])?;
        let c_example = table.column(&["示例值", "Example"]);
        let c_desc = table.column(&["描述", "Description"]);
        let c_in = table.column(&["位置", "Position", "In"]);
        let mut out = Vec::new();
        for row in &table.rows {
            let name = wire_name(row.line, &row.cells[c_name])?;
            if name == "Action" {
                continue;
            }
            let ty_text = cell_text(&row.cells[c_type]);
            let kind = kind_of(&ty_text).ok_or_else(|| unknown_type(row.line, &name, &ty_text))?;
            let required = match cell_text(&row.cells[c_req]).as_str() {
                "是" | "true" | "Yes" | "yes" => true,
                "否" | "false" | "No" | "no" => false,
                other => {
                    return Err(problem(
                        row.line,
                        format!("`{name}`: required must be 是 or 否, found `{other}`"),
                    ));
                }
            };
            let location = match c_in.map(|c| cell_text(&row.cells[c]).to_ascii_lowercase()) {
                None => Location::Query,
                Some(s) if s.is_empty() || s == "query" => Location::Query,
                Some(s) if s == "body" || s == "formdata" => Location::Body,
                Some(s) => {
                    return Err(problem(
                        row.line,
                        format!("`{name}`: unknown location `{s}` (Query or Body)"),
                    ));
                }
            };
            let example = c_example.and_then(|c| example_of(&row.cells[c]));
            let desc = c_desc.map(|c| cell_text(&row.cells[c])).unwrap_or_default();
            let ty = match kind {
                Kind::Scalar(scalar) => {
                    let enumeration = self.enumeration(
                        row.line,
                        &name,
                        &self.action.clone(),
                        &desc,
                        example.as_deref(),
                        scalar,
                    );
                    Type::Scalar {
                        scalar,
                        enumeration,
                    }
                }
                Kind::List => Type::List {
                    items: Box::new(infer_items(&[])),
                },
                Kind::ArrayOf(item) if scalar_named(&item).is_some() => Type::List {
                    items: Box::new(Type::Scalar {
                        scalar: scalar_named(&item).unwrap_or(Scalar::String),
                        enumeration: None,
                    }),
                },
                Kind::Map => Type::Map {
                    values: Box::new(any()),
                },
                Kind::Struct | Kind::ArrayOf(_) => {
                    return Err(problem(
                        row.line,
                        format!(
                            "`{name}` is a `{ty_text}` request parameter: nested request parameters are not supported"
                        ),
                    ));
                }
            };
            let style = (!matches!(ty, Type::Scalar { .. })).then_some(Style::Flat);
            // An integer's range, where the page states one (`分页大小，范围1-100。`).
            let range = matches!(
                ty,
                Type::Scalar {
                    scalar: Scalar::Integer | Scalar::Long,
                    ..
                }
            )
            .then(|| ccc_spec::rules::range_in_text(&desc))
            .flatten()
            .map(|(min, max)| ccc_spec::Range {
                min,
                max,
                from: ccc_spec::RangeSource::Reference,
            });
            out.push(Parameter {
                sensitive: is_sensitive(&name),
                name,
                ty,
                required,
                reference_required: false,
                range,
                location,
                style,
                example,
                description: self.description(&desc),
            });
        }
        Ok((out, c_in.is_some()))
    }

    fn response(&mut self, page: &Page<'_>, shapes: &Shapes) -> Result<Vec<Field>, Problem> {
        let sec = page.section("返回数据").ok_or_else(|| {
            problem(
                0,
                "no response table: the page has no `## 返回数据` section",
            )
        })?;
        let table = page
            .table(sec)?
            .ok_or_else(|| problem(sec.heading_line, "no response table under `## 返回数据`"))?;
        let c_name = table.require(&["名称", "Name"])?;
        let c_type = table.require(&["类型", "Type"])?;
        let c_example = table.column(&["示例值", "Example"]);
        let c_desc = table.column(&["描述", "Description"]);
        let mut rows = Vec::new();
        for row in &table.rows {
            let name = wire_name(row.line, &row.cells[c_name])?;
            let ty_text = cell_text(&row.cells[c_type]);
            let kind = kind_of(&ty_text).ok_or_else(|| unknown_type(row.line, &name, &ty_text))?;
            rows.push(ResponseRow {
                line: row.line,
                name,
                kind,
                example: c_example.and_then(|c| example_of(&row.cells[c])),
                description: c_desc.map(|c| cell_text(&row.cells[c])).unwrap_or_default(),
            });
        }
        let nodes = self.nest(&rows, shapes)?;
        self.unlisted(&rows, &nodes, shapes, table.header_line);
        Ok(self.fields(&rows, &nodes, shapes, 0))
    }

    /// Recovers the tree the flat table leaves implicit: each row goes into the innermost open
    /// struct whose example shows its name; a name no example shows goes into the innermost open
    /// struct (row order), and the choice is reported when there was more than one candidate.
    fn nest(&mut self, rows: &[ResponseRow], shapes: &Shapes) -> Result<Vec<Node>, Problem> {
        let mut nodes = vec![Node {
            row: None,
            path: Vec::new(),
            children: Vec::new(),
            list_of_structs: false,
        }];
        let mut open: Vec<usize> = vec![0];
        for (ri, row) in rows.iter().enumerate() {
            let candidates: Vec<usize> = (0..open.len())
                .rev()
                .filter(|&depth| {
                    !nodes[open[depth]]
                        .children
                        .iter()
                        .any(|&c| nodes[c].row.is_some_and(|r| rows[r].name == row.name))
                })
                .collect();
            let Some(&innermost) = candidates.first() else {
                return Err(problem(
                    row.line,
                    format!("`{}` appears twice in the same struct", row.name),
                ));
            };
            let shown = candidates.iter().copied().find(|&depth| {
                shapes
                    .keys(&nodes[open[depth]].path)
                    .is_some_and(|k| k.contains(&row.name))
            });
            let depth = match shown {
                Some(depth) => depth,
                None => {
                    if candidates.len() > 1 {
                        let chosen = place_name(&nodes, open[innermost]);
                        let others: Vec<String> = candidates[1..]
                            .iter()
                            .map(|&d| place_name(&nodes, open[d]))
                            .collect();
                        self.note(
                            row.line,
                            NoteKind::Ambiguity,
                            format!(
                                "`{}` is in neither example; placed in {chosen} by row order (could also be in {})",
                                row.name,
                                others.join(" or ")
                            ),
                        );
                    }
                    innermost
                }
            };
            open.truncate(depth + 1);
            let parent = open[depth];
            let mut path = nodes[parent].path.clone();
            path.push(row.name.clone());
            let list_of_structs = match &row.kind {
                Kind::ArrayOf(item) => scalar_named(item).is_none(),
                Kind::List => shapes.is_object(&path),
                _ => false,
            };
            let is_container = list_of_structs || row.kind == Kind::Struct;
            let id = nodes.len();
            nodes.push(Node {
                row: Some(ri),
                path,
                children: Vec::new(),
                list_of_structs,
            });
            nodes[parent].children.push(id);
            if is_container {
                open.push(id);
            }
        }
        Ok(nodes)
    }

    /// Reports names the examples show inside a struct that the table does not list there.
    fn unlisted(
        &mut self,
        rows: &[ResponseRow],
        nodes: &[Node],
        shapes: &Shapes,
        header_line: usize,
    ) {
        for (id, node) in nodes.iter().enumerate() {
            let is_struct = node.row.is_none()
                || node.list_of_structs
                || node.row.is_some_and(|r| rows[r].kind == Kind::Struct);
            let Some(keys) = shapes.keys(&node.path).filter(|_| is_struct) else {
                continue;
            };
            for key in keys {
                let listed = node
                    .children
                    .iter()
                    .any(|&c| nodes[c].row.is_some_and(|r| rows[r].name == *key));
                if !listed {
                    let line = node.row.map_or(header_line, |r| rows[r].line);
                    let place = place_name(nodes, id);
                    self.note(
                        line,
                        NoteKind::Ambiguity,
                        format!("an example shows `{key}` in {place}, which the table does not list there; left out"),
                    );
                }
            }
        }
    }

    fn fields(
        &mut self,
        rows: &[ResponseRow],
        nodes: &[Node],
        shapes: &Shapes,
        id: usize,
    ) -> Vec<Field> {
        let parent = match nodes[id].row {
            Some(r) => rows[r].name.clone(),
            None => self.action.clone(),
        };
        let mut out = Vec::new();
        for &child in &nodes[id].children {
            let node = &nodes[child];
            let row = &rows[node.row.expect("children have rows")];
            let ty = match &row.kind {
                Kind::Scalar(scalar) => {
                    let enumeration = self.enumeration(
                        row.line,
                        &row.name,
                        &parent,
                        &row.description,
                        row.example.as_deref(),
                        *scalar,
                    );
                    Type::Scalar {
                        scalar: *scalar,
                        enumeration,
                    }
                }
                Kind::Struct => Type::Struct {
                    type_name: None,
                    fields: self.fields(rows, nodes, shapes, child),
                },
                Kind::ArrayOf(item) => match scalar_named(item) {
                    Some(scalar) => Type::List {
                        items: Box::new(Type::Scalar {
                            scalar,
                            enumeration: None,
                        }),
                    },
                    None => Type::List {
                        items: Box::new(Type::Struct {
                            // `Array of Data` names nothing; the generator's rule will.
                            type_name: Some(type_ident(item))
                                .filter(|n| !ccc_spec::naming::is_generic_struct_name(n)),
                            fields: self.fields(rows, nodes, shapes, child),
                        }),
                    },
                },
                Kind::List if node.list_of_structs => Type::List {
                    items: Box::new(Type::Struct {
                        type_name: None,
                        fields: self.fields(rows, nodes, shapes, child),
                    }),
                },
                Kind::List => Type::List {
                    items: Box::new(infer_items(shapes.array_items(&node.path))),
                },
                Kind::Map => Type::Map {
                    values: Box::new(any()),
                },
            };
            out.push(Field {
                sensitive: is_sensitive(&row.name),
                name: row.name.clone(),
                ty,
                example: row.example.clone(),
                description: self.description(&row.description),
            });
        }
        out
    }

    fn errors(&mut self, page: &Page<'_>) -> Result<Vec<ErrorSpec>, Problem> {
        let Some(sec) = page.section("错误码") else {
            return Ok(Vec::new());
        };
        let Some(table) = page.table(sec)? else {
            return Ok(Vec::new());
        };
        let c_status = table.require(&["HttpCode", "HTTP状态码", "HttpStatus"])?;
        let c_code = table.require(&["错误码", "Code"])?;
        let c_message = table.require(&["错误信息", "Message"])?;
        let c_desc = table.column(&["描述", "Description"]);
        let mut out = Vec::new();
        for row in &table.rows {
            let status_text = cell_text(&row.cells[c_status]);
            let http_status = status_text
                .parse::<u16>()
                .ok()
                .filter(|s| (100..=599).contains(s))
                .ok_or_else(|| {
                    problem(row.line, format!("`{status_text}` is not an HTTP status"))
                })?;
            let code = cell_text(&row.cells[c_code]);
            if code.is_empty() || code.contains(char::is_whitespace) {
                return Err(problem(row.line, format!("`{code}` is not an error code")));
            }
            let desc = c_desc.map(|c| cell_text(&row.cells[c])).unwrap_or_default();
            out.push(ErrorSpec {
                http_status,
                code,
                message: cell_text(&row.cells[c_message]),
                description: self.description(&desc),
            });
        }
        Ok(out)
    }

    /// The enumeration a field's description lists, if it clearly lists one; reported either way.
    fn enumeration(
        &mut self,
        line: usize,
        field: &str,
        parent: &str,
        desc: &str,
        example: Option<&str>,
        scalar: Scalar,
    ) -> Option<String> {
        let listed = enums::listed(desc)?;
        if listed.coded_items() < 2 {
            return None;
        }
        let all: Vec<String> = listed.items.iter().filter_map(|i| i.code.clone()).collect();
        let shown = all.join(", ");
        let Some(codes) = listed.codes() else {
            self.note(
                line,
                NoteKind::Enumeration,
                format!("`{field}` lists {shown} and items without a code: not an enumeration"),
            );
            return None;
        };
        if !codes.iter().all(|c| is_upper_code(c)) {
            self.note(
                line,
                NoteKind::Enumeration,
                format!("`{field}` lists {shown}: not UPPER_CASE codes, not an enumeration"),
            );
            return None;
        }
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != codes.len() {
            self.note(
                line,
                NoteKind::Enumeration,
                format!("`{field}` lists {shown} with repeats: not an enumeration"),
            );
            return None;
        }
        if scalar != Scalar::String {
            self.note(
                line,
                NoteKind::Enumeration,
                format!(
                    "`{field}` lists {shown} but is {}: enumerations are String only, not an enumeration",
                    scalar.as_str()
                ),
            );
            return None;
        }
        if let Some(ex) = example
            && !codes.contains(&ex)
        {
            self.note(
                line,
                NoteKind::Enumeration,
                format!(
                    "`{field}` lists {shown} but its example `{ex}` is none of them: not an enumeration"
                ),
            );
            return None;
        }
        let own = type_ident(field);
        let product_match = self
            .opts
            .product_enums
            .iter()
            .filter(|e| codes.iter().all(|c| e.values.iter().any(|v| v.value == *c)))
            .min_by_key(|e| (e.name != own, e.values.len()));
        if let Some(e) = product_match {
            let name = e.name.clone();
            let of = if e.values.len() == codes.len() {
                String::new()
            } else {
                format!(" ({} of its {} values)", codes.len(), e.values.len())
            };
            self.note(
                line,
                NoteKind::Enumeration,
                format!("`{field}` lists {shown}: the product's enumeration `{name}`{of}"),
            );
            return Some(name);
        }
        let same_values = |e: &EnumSpec| {
            e.values.len() == codes.len() && e.values.iter().zip(&codes).all(|(v, c)| v.value == *c)
        };
        let taken = |name: &str, enums: &[EnumSpec]| {
            self.opts.product_enums.iter().any(|e| e.name == name)
                || enums.iter().any(|e| e.name == name && !same_values(e))
        };
        let mut name = own.clone();
        if taken(&name, &self.enums) {
            name = format!("{}{own}", type_ident(parent));
        }
        let mut n = 2;
        while taken(&name, &self.enums) {
            name = format!("{}{own}{n}", type_ident(parent));
            n += 1;
        }
        if let Some(existing) = self.enums.iter().find(|e| e.name == name) {
            let name = existing.name.clone();
            self.note(
                line,
                NoteKind::Enumeration,
                format!("`{field}` lists {shown}: the action's enumeration `{name}` again"),
            );
            return Some(name);
        }
        let with = self.opts.with_descriptions;
        self.enums.push(EnumSpec {
            name: name.clone(),
            description: if with { listed.lead.clone() } else { None },
            values: listed
                .items
                .iter()
                .map(|i| EnumValue {
                    value: i.code.clone().unwrap_or_default(),
                    description: if with { i.description.clone() } else { None },
                })
                .collect(),
        });
        self.note(
            line,
            NoteKind::Enumeration,
            format!("`{field}` lists {shown}: new enumeration `{name}` of this action"),
        );
        Some(name)
    }
}

/// How a place in the response is named in reports: `Data.CallContext` or `the top level`.
fn place_name(nodes: &[Node], id: usize) -> String {
    if nodes[id].path.is_empty() {
        "the top level".into()
    } else {
        format!("`{}`", nodes[id].path.join("."))
    }
}

fn any() -> Type {
    Type::Scalar {
        scalar: Scalar::Any,
        enumeration: None,
    }
}

/// The item type of a `List` with no item type: from the example's items, else String.
fn infer_items(items: &[serde_json::Value]) -> Type {
    use serde_json::Value;
    let scalar = if !items.is_empty() && items.iter().all(Value::is_boolean) {
        Scalar::Boolean
    } else if !items.is_empty() && items.iter().all(|v| v.is_i64() || v.is_u64()) {
        Scalar::Long
    } else if !items.is_empty() && items.iter().all(Value::is_number) {
        Scalar::Double
    } else {
        Scalar::String
    };
    Type::Scalar {
        scalar,
        enumeration: None,
    }
}
