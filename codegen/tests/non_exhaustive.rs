//! Every generated type a user can name the insides of is `#[non_exhaustive]`: inputs, outputs,
//! the structs inside them, the shared structs, every enumeration, every error enum and
//! `ErrorCode`. The API change report (`codegen::api_changes`) counts a new field, value or
//! error code as additive on that ground, so this test keeps the ground under it.

use std::path::Path;

use syn::{Fields, Item, Visibility};

#[derive(Default, Debug)]
struct Seen {
    /// Public structs with public fields, each `#[non_exhaustive]`.
    structs: usize,
    /// Public enums, each `#[non_exhaustive]`.
    enums: usize,
    /// Of them, the actions' error enums.
    error_enums: usize,
    /// Public structs with fields, all private (builders): nothing to exhaust.
    opaque: usize,
    /// Types lacking the attribute, by file and name.
    missing: Vec<String>,
}

fn non_exhaustive(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("non_exhaustive"))
}

fn public(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn walk(file: &str, items: &[Item], seen: &mut Seen) {
    for item in items {
        match item {
            Item::Struct(s) if public(&s.vis) => {
                // A struct with no fields at all can be written `X {}`: adding a private
                // field later breaks that, so it counts as open.
                let open = match &s.fields {
                    Fields::Named(f) => {
                        f.named.is_empty() || f.named.iter().any(|f| public(&f.vis))
                    }
                    Fields::Unnamed(f) => {
                        f.unnamed.is_empty() || f.unnamed.iter().any(|f| public(&f.vis))
                    }
                    Fields::Unit => true,
                };
                if !open {
                    seen.opaque += 1;
                } else if non_exhaustive(&s.attrs) {
                    seen.structs += 1;
                } else {
                    seen.missing.push(format!("{file}: struct {}", s.ident));
                }
            }
            Item::Enum(e) if public(&e.vis) => {
                if non_exhaustive(&e.attrs) {
                    seen.enums += 1;
                    if e.ident.to_string().ends_with("Error") {
                        seen.error_enums += 1;
                    }
                } else {
                    seen.missing.push(format!("{file}: enum {}", e.ident));
                }
            }
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    walk(file, inner, seen);
                }
            }
            _ => {}
        }
    }
}

fn check(spec_dir: &Path, root: &Path) -> Seen {
    let spec = codegen::sync::load(spec_dir, root).unwrap_or_else(|e| panic!("{e}"));
    let files = codegen::generate(&spec).unwrap_or_else(|e| panic!("{e}"));
    let mut seen = Seen::default();
    for f in files.iter().filter(|f| f.path.ends_with(".rs")) {
        let parsed = syn::parse_file(&f.contents).unwrap_or_else(|e| panic!("{}: {e}", f.path));
        walk(&f.path, &parsed.items, &mut seen);
    }
    assert!(
        seen.missing.is_empty(),
        "not #[non_exhaustive]:\n{}",
        seen.missing.join("\n")
    );
    seen
}

#[test]
fn every_generated_struct_and_enum_is_non_exhaustive_in_the_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zoo");
    let seen = check(&dir, &dir);
    // Inputs and outputs of five actions, their structs, the shared ones.
    assert!(seen.structs >= 10, "{seen:?}");
    // Five error enums, `ErrorCode`, `Color`, `WidgetKind`.
    assert_eq!(seen.error_enums, 5, "{seen:?}");
    assert!(seen.enums >= 8, "{seen:?}");
    // Each action's builder and fluent builder, but LegacyPing's builder, which has no fields.
    assert_eq!(seen.opaque, 9, "{seen:?}");
}

#[test]
fn every_generated_struct_and_enum_is_non_exhaustive_in_the_sdk() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let seen = check(&root.join("spec"), &root);
    let spec = codegen::sync::load(&root.join("spec"), &root).unwrap_or_else(|e| panic!("{e}"));
    let actions = spec.actions.len();
    assert_eq!(seen.error_enums, actions, "{seen:?}");
    // An input and an output per action at least, then the structs inside them.
    assert!(seen.structs > 2 * actions, "{seen:?}");
    assert_eq!(seen.opaque, 2 * actions, "{seen:?}");
}
