//! The action table of the `ccc` command line (`ccc-cli/src/generated/actions.rs`): for each
//! action its command, its flags with their types, enumerations, ranges and docs, and how it
//! pages; and the areas of `ccc --help`. The command line reads nothing else about an action, so
//! nothing about one is written by hand.
//!
//! The table is plain `static` data over types that `ccc-cli/src/table.rs` declares: the binary
//! looks an action up and builds the parser of that one action only, which keeps its start
//! cheap however many actions there are.

use ccc_spec::{Action, Location, Parameter, RangeSource, Scalar, Spec, Style, Type};
use proc_macro2::TokenStream;
use quote::quote;

use crate::{Error, GeneratedFile};

/// Where the command line's generated files live, relative to the workspace root.
pub const CLI_GENERATED_DIR: &str = "ccc-cli/src/generated";

/// Flags the command line takes for itself, before or after the action. A parameter whose
/// flag would be one of these is given the flag `param-<name>` instead (`ListRealtimeAgentStates`
/// has a parameter `Query`, and `--query` is the JMESPath filter). `ccc-cli` checks that its
/// own flags are exactly these.
pub const GLOBAL_FLAGS: &[&str] = &[
    "all",
    "attempt-timeout",
    "columns",
    "debug",
    "dry-run",
    "endpoint",
    "help",
    "input-json",
    "max-items",
    "output",
    "profile",
    "query",
    "region",
    "retries",
    "signature-version",
    "version",
];

/// The command of an action: its wire name in kebab case (`ResetAgentState` →
/// `reset-agent-state`).
pub fn command_name(action: &str) -> String {
    kebab(action)
}

/// The flag of a parameter, without its dashes: the wire name in kebab case (`InstanceId` →
/// `instance-id`), or `param-<that>` when the command line uses that flag itself.
pub fn flag_name(wire: &str) -> String {
    let flag = kebab(wire);
    if GLOBAL_FLAGS.contains(&flag.as_str()) {
        format!("param-{flag}")
    } else {
        flag
    }
}

fn kebab(wire: &str) -> String {
    ccc_spec::naming::snake(wire).replace('_', "-")
}

/// The command line's generated files for `spec`, formatted as they are checked in.
pub fn render(spec: &Spec, root: Option<&std::path::Path>) -> Result<Vec<GeneratedFile>, Error> {
    let mut files = vec![actions(spec)?];
    crate::format::rustfmt(&mut files, root)?;
    Ok(files)
}

/// `actions.rs`: every action, sorted by command, and the areas.
pub fn actions(spec: &Spec) -> Result<GeneratedFile, Error> {
    let mut actions: Vec<&Action> = spec.actions.iter().collect();
    actions.sort_by_key(|a| command_name(&a.name));
    for pair in actions.windows(2) {
        if command_name(&pair[0].name) == command_name(&pair[1].name) {
            return Err(Error::Generate {
                file: format!("spec/actions/{}.json", pair[1].name),
                message: format!(
                    "its command `{}` is also the command of {}",
                    command_name(&pair[1].name),
                    pair[0].name
                ),
            });
        }
    }
    let entries = actions
        .iter()
        .map(|a| action(spec, a))
        .collect::<Result<Vec<_>, _>>()?;
    let areas = spec.areas.iter().map(|area| {
        let (name, title, summary) = (&area.name, &area.title, &area.summary);
        let commands = area.actions.iter().map(|a| command_name(a));
        quote! {
            Area {
                name: #name,
                title: #title,
                summary: #summary,
                commands: &[#(#commands),*],
            }
        }
    });
    let globals = GLOBAL_FLAGS;
    let count = entries.len();
    let tokens = quote! {
        #![doc = " The actions of the API as `ccc` knows them, and the areas that group them."]

        use ccc_sdk::raw::{HttpMethod, ParamLocation, RawAction, RawPageStyleFacts, RawPaging};

        use crate::table::{Action, Area, Field, Param, Range, Shape, Style};

        #[doc = " Flags `ccc` takes for itself; a parameter that would have one of them is `--param-<name>`."]
        #[cfg(test)]
        pub(crate) static GLOBAL_FLAGS: &[&str] = &[#(#globals),*];

        #[doc = " The areas of `ccc --help`, in the order a reader meets them."]
        pub(crate) static AREAS: &[Area] = &[#(#areas),*];

        #[doc = " Every action, sorted by command (looked up by binary search)."]
        pub(crate) static ACTIONS: [Action; #count] = [#(#entries),*];
    };
    crate::print_file(
        format!("{CLI_GENERATED_DIR}/actions.rs"),
        "spec/",
        tokens,
        &[],
    )
}

fn action(spec: &Spec, a: &Action) -> Result<TokenStream, Error> {
    let command = command_name(&a.name);
    let name = &a.name;
    let summary = a.summary.as_deref().unwrap_or_default();
    let description = a.description.as_deref().unwrap_or_default();
    let method = match a.method {
        ccc_spec::Method::Get => quote!(HttpMethod::Get),
        ccc_spec::Method::Post => quote!(HttpMethod::Post),
    };
    let (idempotent, deprecated) = (a.idempotent, a.deprecated);
    let doc_url = spec.product.doc_url_of(&a.name);
    let mut flags: Vec<String> = Vec::new();
    let mut params = Vec::new();
    for p in &a.parameters {
        let flag = flag_name(&p.name);
        if flags.contains(&flag) {
            return Err(Error::Generate {
                file: format!("spec/actions/{}.json", a.name),
                message: format!("two parameters have the flag `--{flag}`"),
            });
        }
        flags.push(flag.clone());
        params.push(param(spec, a, p, &flag)?);
    }
    let paging = match ccc_spec::rules::pagination(a) {
        None => quote!(None),
        Some(rule) => {
            let (page, items) = (&rule.page, &rule.items);
            let size = opt_str(rule.page_size.as_deref());
            let default_size = match rule.page_size.as_deref() {
                Some(wire) => {
                    let n = a
                        .parameters
                        .iter()
                        .find(|p| p.name == wire)
                        .and_then(|p| p.range)
                        .map_or(ccc_spec::rules::PAGE_SIZE_CONVENTION.1, |r| r.max);
                    let n = int(n);
                    quote!(Some(#n))
                }
                None => quote!(None),
            };
            let style = match &rule.style {
                ccc_spec::rules::PageStyle::Number {
                    parameter,
                    total,
                    number,
                } => {
                    let number = opt_str(number.as_deref());
                    quote!(RawPageStyleFacts::Number { parameter: #parameter, total: #total, number: #number })
                }
                ccc_spec::rules::PageStyle::Token { parameter, next } => {
                    quote!(RawPageStyleFacts::Token { parameter: #parameter, next: #next })
                }
            };
            quote! {
                Some(RawPaging {
                    style: #style,
                    page: #page,
                    items: #items,
                    size: #size,
                    default_size: #default_size,
                })
            }
        }
    };
    Ok(quote! {
        Action {
            command: #command,
            op: RawAction::new(#name, #method, #idempotent),
            summary: #summary,
            description: #description,
            deprecated: #deprecated,
            doc_url: #doc_url,
            params: &[#(#params),*],
            paging: #paging,
        }
    })
}

fn param(spec: &Spec, a: &Action, p: &Parameter, flag: &str) -> Result<TokenStream, Error> {
    let wire = &p.name;
    let shape = shape(spec, a, &p.ty)?;
    let (required, reference_required, sensitive) = (p.required, p.reference_required, p.sensitive);
    let location = match p.location {
        Location::Query => quote!(ParamLocation::Query),
        Location::Body => quote!(ParamLocation::Body),
    };
    let style = match (&p.ty, p.style) {
        (Type::Scalar { .. }, _) => quote!(Style::Plain),
        (_, Some(Style::Json)) => quote!(Style::Json),
        (_, _) => quote!(Style::Flat),
    };
    let range = match p.range {
        Some(r) => {
            let (min, max) = (int(r.min), int(r.max));
            let enforced = r.from == RangeSource::Definition;
            quote!(Some(Range { min: #min, max: #max, enforced: #enforced }))
        }
        None => quote!(None),
    };
    let example = opt_str(p.example.as_deref());
    let description = p.description.as_deref().unwrap_or_default();
    Ok(quote! {
        Param {
            flag: #flag,
            wire: #wire,
            shape: #shape,
            required: #required,
            reference_required: #reference_required,
            location: #location,
            style: #style,
            sensitive: #sensitive,
            range: #range,
            example: #example,
            description: #description,
        }
    })
}

/// The shape a value must have: scalars by type, enumerations with their values, lists,
/// structs (field by field) and maps.
fn shape(spec: &Spec, a: &Action, ty: &Type) -> Result<TokenStream, Error> {
    Ok(match ty {
        Type::Scalar {
            scalar: Scalar::String,
            enumeration: Some(name),
        } => {
            let e = spec.find_enum(a, name).ok_or_else(|| Error::Generate {
                file: format!("spec/actions/{}.json", a.name),
                message: format!("unknown enumeration `{name}`"),
            })?;
            let values = e.values.iter().map(|v| &v.value);
            quote!(Shape::Enum(&[#(#values),*]))
        }
        Type::Scalar { scalar, .. } => match scalar {
            Scalar::String => quote!(Shape::String),
            Scalar::Integer => quote!(Shape::Integer),
            Scalar::Long => quote!(Shape::Long),
            Scalar::Boolean => quote!(Shape::Boolean),
            Scalar::Float => quote!(Shape::Float),
            Scalar::Double => quote!(Shape::Double),
            Scalar::Any => quote!(Shape::Any),
        },
        Type::List { items } => {
            let items = shape(spec, a, items)?;
            quote!(Shape::List(&#items))
        }
        Type::Map { values } => {
            let values = shape(spec, a, values)?;
            quote!(Shape::Map(&#values))
        }
        Type::Struct { fields, .. } => {
            let fields = fields
                .iter()
                .map(|f| {
                    let wire = &f.name;
                    let shape = shape(spec, a, &f.ty)?;
                    Ok(quote!(Field { wire: #wire, shape: #shape }))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            quote!(Shape::Struct(&[#(#fields),*]))
        }
    })
}

fn int(n: i64) -> proc_macro2::Literal {
    proc_macro2::Literal::i64_unsuffixed(n)
}

fn opt_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_flags_are_kebab_case_and_globals_are_renamed() {
        assert_eq!(command_name("ResetAgentState"), "reset-agent-state");
        assert_eq!(
            command_name("ListCallDetailRecordsV2"),
            "list-call-detail-records-v2"
        );
        assert_eq!(flag_name("InstanceId"), "instance-id");
        assert_eq!(flag_name("Query"), "param-query");
        assert_eq!(flag_name("Region"), "param-region");
        assert!(GLOBAL_FLAGS.windows(2).all(|w| w[0] < w[1]), "sorted");
    }
}
