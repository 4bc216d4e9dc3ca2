//! The in-memory form of the spec: what `spec/product.json` and `spec/actions/*.json` describe.

use std::collections::BTreeMap;

/// The whole API: the product file and every action file.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    pub product: Product,
    /// Sorted by action name.
    pub actions: Vec<Action>,
    /// The actions grouped for readers (`spec/areas.json`); empty when the spec has none.
    pub areas: Vec<crate::Area>,
}

/// `spec/product.json`: facts shared by every action.
#[derive(Clone, Debug, PartialEq)]
pub struct Product {
    /// Product code, `CCC`.
    pub code: String,
    /// API version, `2020-07-01`.
    pub version: String,
    /// API style; only `RPC` is supported.
    pub style: String,
    /// Region id → endpoint host.
    pub endpoints: BTreeMap<String, String>,
    /// Host used for a region absent from `endpoints`; `{region}` is replaced.
    pub regional_endpoint: String,
    /// Regions the service has that `endpoints` does not list: they are served at
    /// `regional_endpoint`. With `endpoints`, the regions a client accepts without being told to
    /// allow an unknown one.
    pub regional_only: Vec<String>,
    /// Link to an action's official API reference; `{action}` is replaced.
    pub doc_url: String,
    /// Errors any action can return.
    pub errors: Vec<ErrorSpec>,
    /// Enumerations shared by several actions.
    pub enums: Vec<EnumSpec>,
    /// Structs shared by several actions' responses: one type for one shape on the wire.
    pub structs: Vec<StructSpec>,
    /// String parameters and fields kept plain although named like an enumeration, one
    /// `Action: response Data.WorkMode` (or `Action: parameter Name`) each: the override of
    /// [`rules::enumerations_by_name`](crate::rules::enumerations_by_name).
    pub plain_strings: Vec<String>,
}

/// A struct of `product.json`, shared by the actions that refer to it by name.
#[derive(Clone, Debug, PartialEq)]
pub struct StructSpec {
    /// Rust type name, e.g. `CallContext`.
    pub name: String,
    pub description: Option<String>,
    /// Sent, not received: requests hold it (users build it, it is written into parameters),
    /// responses do not. A struct is one or the other, since the two get different impls.
    pub request: bool,
    /// As parsed, a struct among them is a reference to another product struct; once loaded,
    /// references are filled in (see [`Type::Struct`]).
    pub fields: Vec<Field>,
}

/// One action, from `spec/actions/<Action>.json`.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// Wire name, e.g. `ResetAgentState`.
    pub name: String,
    pub method: Method,
    /// Request path, `/` for RPC actions.
    pub path: String,
    /// One-line summary (kept only where the source allows descriptions).
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    /// Safe to repeat: sent twice, it has the effect of sending it once, so a client may retry
    /// it when it cannot know whether an attempt reached the service. Importers decide it with
    /// [`rules::safe_to_repeat`](crate::rules::safe_to_repeat); the spec keeps overrides.
    pub idempotent: bool,
    pub parameters: Vec<Parameter>,
    /// Fields of the response body.
    pub response: Vec<Field>,
    /// Errors specific to this action.
    pub errors: Vec<ErrorSpec>,
    /// Enumerations used only by this action.
    pub enums: Vec<EnumSpec>,
    /// Example response bodies, verbatim.
    pub examples: Examples,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A request parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// Wire name, e.g. `InstanceId`.
    pub name: String,
    pub ty: Type,
    /// Required by the service: a call without it is refused before anything is sent. Alibaba's
    /// definition of the API decides it wherever it has the action.
    pub required: bool,
    /// The API reference lists the parameter as required although the service's definition does
    /// not: a fact for the docs; the SDK sends it only when set.
    pub reference_required: bool,
    /// The values an integer parameter takes, where a source states them (or, for a page size,
    /// the API's convention).
    pub range: Option<Range>,
    pub location: Location,
    /// How a list, struct or map travels; `None` for scalars.
    pub style: Option<Style>,
    /// A secret (password, token): redacted in `Debug`.
    pub sensitive: bool,
    pub example: Option<String>,
    pub description: Option<String>,
}

/// The values an integer parameter takes, `min` to `max` inclusive, and whose word that is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub min: i64,
    pub max: i64,
    pub from: RangeSource,
}

/// Whose word a [`Range`] is; it decides what the SDK does with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RangeSource {
    /// No source states one: the rule `ccc_spec::rules::page_size_range` gives a page size the
    /// API's documented convention. Documentation, and a paginator's default page size.
    Convention,
    /// The API reference states it. Documentation, and a paginator's default page size; the
    /// SDK does not refuse other values (the service's definition decides what it accepts).
    Reference,
    /// Alibaba's definition of the API states it: the SDK refuses other values before sending.
    Definition,
}

impl RangeSource {
    /// The name the spec files use.
    pub fn as_str(self) -> &'static str {
        match self {
            RangeSource::Convention => "convention",
            RangeSource::Reference => "reference",
            RangeSource::Definition => "definition",
        }
    }
}

/// Where a request parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// The URL query string.
    Query,
    /// The `application/x-www-form-urlencoded` body.
    Body,
}

/// Serialization of a list, struct or map parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Flattened: `Name.1`, `Name.1.Sub`, `Name.Key`.
    Flat,
    /// One parameter holding the value as a JSON string.
    Json,
}

/// A field of a response (or of a struct inside a request or response).
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Wire name, e.g. `UserState`.
    pub name: String,
    pub ty: Type,
    /// A secret (password, token): redacted in `Debug`.
    pub sensitive: bool,
    pub example: Option<String>,
    pub description: Option<String>,
}

/// The type of a parameter, field, list item or map value.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Scalar {
        scalar: Scalar,
        /// Name of an enumeration (action's own, then product's) whose values this string takes.
        enumeration: Option<String>,
    },
    /// A struct. One whose `type_name` names a struct of the product ([`Product::structs`]) is
    /// that shared struct: in a file it is written `"struct": "CallContext"`, parsed with no
    /// fields, and the loader ([`load_dir`](crate::load_dir), [`load_sources`](crate::load_sources))
    /// fills in the product struct's fields, so that what reads a loaded spec sees every struct
    /// whole and knows a shared one by its name.
    Struct {
        /// Rust type name to use instead of the one derived from the field name.
        type_name: Option<String>,
        fields: Vec<Field>,
    },
    List {
        items: Box<Type>,
    },
    Map {
        values: Box<Type>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalar {
    String,
    Integer,
    Long,
    Boolean,
    Float,
    Double,
    /// Any JSON value.
    Any,
}

impl Scalar {
    pub const ALL: [Scalar; 7] = [
        Scalar::String,
        Scalar::Integer,
        Scalar::Long,
        Scalar::Boolean,
        Scalar::Float,
        Scalar::Double,
        Scalar::Any,
    ];

    /// The name used in spec files.
    pub fn as_str(self) -> &'static str {
        match self {
            Scalar::String => "String",
            Scalar::Integer => "Integer",
            Scalar::Long => "Long",
            Scalar::Boolean => "Boolean",
            Scalar::Float => "Float",
            Scalar::Double => "Double",
            Scalar::Any => "Any",
        }
    }
}

impl Type {
    /// A reference to the product struct `name`, as a file spells it (`"struct": name`).
    pub fn struct_ref(name: &str) -> Type {
        Type::Struct {
            type_name: Some(name.to_string()),
            fields: Vec::new(),
        }
    }

    /// The name of the product struct this type refers to, in the parsed form: a struct with a
    /// `type_name` and no fields (a struct with no fields needs no name).
    pub fn referenced_struct(&self) -> Option<&str> {
        match self {
            Type::Struct {
                type_name: Some(name),
                fields,
            } if fields.is_empty() => Some(name),
            _ => None,
        }
    }
}

/// An error the service may return.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorSpec {
    pub http_status: u16,
    pub code: String,
    /// Message template as the service sends it (`%s` marks a substituted value).
    pub message: String,
    pub description: Option<String>,
}

/// An enumeration of string values.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumSpec {
    /// Rust type name, e.g. `UserState`.
    pub name: String,
    pub description: Option<String>,
    pub values: Vec<EnumValue>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumValue {
    /// The value on the wire, e.g. `ON_SITE`.
    pub value: String,
    pub description: Option<String>,
}

/// Example response bodies.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Examples {
    pub json: Option<String>,
    pub xml: Option<String>,
}

impl Spec {
    /// The area an action is listed in, if the spec has areas.
    pub fn area_of(&self, action: &str) -> Option<&crate::Area> {
        self.areas
            .iter()
            .find(|a| a.actions.iter().any(|n| n == action))
    }

    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.name == name)
    }

    /// The enumeration a field refers to: the action's own first, then the product's.
    pub fn find_enum<'a>(&'a self, action: &'a Action, name: &str) -> Option<&'a EnumSpec> {
        action
            .enums
            .iter()
            .chain(self.product.enums.iter())
            .find(|e| e.name == name)
    }
}

impl Product {
    /// The shared struct of this name.
    pub fn struct_named(&self, name: &str) -> Option<&StructSpec> {
        self.structs.iter().find(|s| s.name == name)
    }

    /// The shared struct a type is, if it is one.
    pub fn shared_struct(&self, ty: &Type) -> Option<&StructSpec> {
        match ty {
            Type::Struct {
                type_name: Some(name),
                ..
            } => self.struct_named(name),
            _ => None,
        }
    }

    /// The official API reference page of an action.
    pub fn doc_url_of(&self, action: &str) -> String {
        self.doc_url.replace("{action}", action)
    }
}
