//! Structs shared by actions: their shape on the wire, and the loader's step that fills in a
//! reference (`"struct": "CallContext"`) with the product struct's fields.

use crate::model::{Action, Field, Product, Type};

/// The shape of a type on the wire, as text: wire names, types, enumerations and which fields
/// are secrets, recursively; fields in wire-name order, since a JSON object's keys have none (the
/// same fields in another order are the same struct on the wire). Names given in Rust (`typeName`), descriptions and
/// examples do not count. Two types with one fingerprint decode and encode the same JSON.
///
/// A reference to a product struct (the parsed form, see [`Type::referenced_struct`]) is written
/// `@Name`, so in a parsed spec two structs holding the same reference have one shape.
///
/// `String`, `String<UserState>`, `[Integer]`, `{*:Any}` (a map), `{Id:String,!Token:String}`.
pub fn fingerprint(ty: &Type) -> String {
    let mut out = String::new();
    write_fingerprint(ty, &mut out);
    out
}

/// The fingerprint of a struct with these fields.
pub fn fields_fingerprint(fields: &[Field]) -> String {
    let mut out = String::new();
    write_fields(fields, &mut out);
    out
}

/// Whether two types are the same on the wire ([`fingerprint`]).
pub fn same_shape(a: &Type, b: &Type) -> bool {
    fingerprint(a) == fingerprint(b)
}

fn write_fingerprint(ty: &Type, out: &mut String) {
    if let Some(name) = ty.referenced_struct() {
        out.push('@');
        out.push_str(name);
        return;
    }
    match ty {
        Type::Scalar {
            scalar,
            enumeration,
        } => {
            out.push_str(scalar.as_str());
            if let Some(e) = enumeration {
                out.push('<');
                out.push_str(e);
                out.push('>');
            }
        }
        Type::Struct { fields, .. } => write_fields(fields, out),
        Type::List { items } => {
            out.push('[');
            write_fingerprint(items, out);
            out.push(']');
        }
        Type::Map { values } => {
            out.push_str("{*:");
            write_fingerprint(values, out);
            out.push('}');
        }
    }
}

fn write_fields(fields: &[Field], out: &mut String) {
    out.push('{');
    let mut sorted: Vec<&Field> = fields.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for (i, f) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if f.sensitive {
            out.push('!');
        }
        out.push_str(&f.name);
        out.push(':');
        write_fingerprint(&f.ty, out);
    }
    out.push('}');
}

/// Fills in the references of one parsed action with the fields of the product structs they name
/// (themselves filled in), as loading does: for an importer that merges what it read with an
/// action file, so that both sides hold whole structs.
pub fn fill_in_structs(product: &Product, action: &mut Action) {
    let mut product = product.clone();
    resolve(&mut product, std::slice::from_mut(action));
}

/// Fills in every reference of the product's structs and of `actions` with the fields of the
/// struct it names, themselves filled in. A reference to a struct the product lacks, or inside a
/// cycle, stays as it is: the validator reports those.
pub(crate) fn resolve(product: &mut Product, actions: &mut [Action]) {
    // Each round fills in the structs whose references are all resolved: at most one round per
    // struct, as a cycle never resolves.
    let mut done: Vec<Option<Vec<Field>>> = vec![None; product.structs.len()];
    for _ in 0..product.structs.len() {
        let mut progress = false;
        for i in 0..product.structs.len() {
            if done[i].is_some() {
                continue;
            }
            let mut fields = product.structs[i].fields.clone();
            if fields
                .iter_mut()
                .all(|f| fill(&mut f.ty, product, &done, true))
            {
                done[i] = Some(fields);
                progress = true;
            }
        }
        if !progress {
            break;
        }
    }
    for a in actions.iter_mut() {
        for f in &mut a.response {
            fill(&mut f.ty, product, &done, false);
        }
        for p in &mut a.parameters {
            fill(&mut p.ty, product, &done, false);
        }
    }
    for (s, fields) in product.structs.iter_mut().zip(done) {
        if let Some(fields) = fields {
            s.fields = fields;
        }
    }
}

/// Fills in the references of `ty` from `done`; whether all of them could be (with `strict`,
/// stops at the first that cannot).
fn fill(ty: &mut Type, product: &Product, done: &[Option<Vec<Field>>], strict: bool) -> bool {
    if let Some(name) = ty.referenced_struct() {
        let resolved = product
            .structs
            .iter()
            .position(|s| s.name == name)
            .and_then(|i| done[i].clone());
        return match resolved {
            Some(fields) => {
                if let Type::Struct { fields: slot, .. } = ty {
                    *slot = fields;
                }
                true
            }
            None => false,
        };
    }
    match ty {
        Type::Scalar { .. } => true,
        Type::Struct { fields, .. } => {
            let mut all = true;
            for f in fields {
                all &= fill(&mut f.ty, product, done, strict);
                if strict && !all {
                    return false;
                }
            }
            all
        }
        Type::List { items: t } | Type::Map { values: t } => fill(t, product, done, strict),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scalar;

    fn field(name: &str, ty: Type) -> Field {
        Field {
            name: name.into(),
            ty,
            sensitive: false,
            example: None,
            description: None,
        }
    }

    fn string() -> Type {
        Type::Scalar {
            scalar: Scalar::String,
            enumeration: None,
        }
    }

    #[test]
    fn shapes_compare_wire_names_and_types_but_not_docs() {
        let a = Type::Struct {
            type_name: Some("CallContext".into()),
            fields: vec![field("CallId", string())],
        };
        let mut b = Type::Struct {
            type_name: None,
            fields: vec![field("CallId", string())],
        };
        if let Type::Struct { fields, .. } = &mut b {
            fields[0].example = Some("job-1".into());
            fields[0].description = Some("The call.".into());
        }
        assert!(same_shape(&a, &b));
        assert_eq!(fingerprint(&a), "{CallId:String}");
        let renamed = Type::Struct {
            type_name: None,
            fields: vec![field("CallID", string())],
        };
        assert!(!same_shape(&a, &renamed));
        let two = |x: &str, y: &str| Type::Struct {
            type_name: None,
            fields: vec![field(x, string()), field(y, string())],
        };
        assert!(same_shape(&two("A", "B"), &two("B", "A")));
        assert_eq!(fingerprint(&two("B", "A")), "{A:String,B:String}");
        let enumerated = Type::Struct {
            type_name: None,
            fields: vec![field(
                "CallId",
                Type::Scalar {
                    scalar: Scalar::String,
                    enumeration: Some("E".into()),
                },
            )],
        };
        assert!(!same_shape(&a, &enumerated));
        let mut secret = b.clone();
        if let Type::Struct { fields, .. } = &mut secret {
            fields[0].sensitive = true;
        }
        assert!(!same_shape(&a, &secret));
        let nested = Type::List {
            items: Box::new(Type::Map {
                values: Box::new(Type::struct_ref("CallContext")),
            }),
        };
        assert_eq!(fingerprint(&nested), "[{*:@CallContext}]");
    }

    #[test]
    fn references_are_filled_in_through_other_shared_structs() {
        let src = r#"{"product": "CCC", "version": "1", "style": "RPC", "regionalEndpoint": "x",
            "docUrl": "y", "endpoints": {}, "errors": [], "enums": [],
            "structs": [
              {"name": "Outer", "fields": [{"name": "Inner", "type": "List",
                "items": {"type": "Struct", "struct": "Inner"}}]},
              {"name": "Inner", "fields": [{"name": "Id", "type": "String"}]},
              {"name": "Loop", "fields": [{"name": "Me", "type": "Struct", "struct": "Loop"}]}
            ]}"#;
        let mut product = crate::parse_product(std::path::Path::new("p.json"), src).unwrap();
        let mut actions = vec![
            crate::parse_action(
                std::path::Path::new("actions/A.json"),
                r#"{"action": "A", "method": "GET", "idempotent": true,
                    "response": [{"name": "Data", "type": "Struct", "struct": "Outer"}]}"#,
            )
            .unwrap(),
        ];
        resolve(&mut product, &mut actions);
        let expected = "{Inner:[{Id:String}]}";
        assert_eq!(fields_fingerprint(&product.structs[0].fields), expected);
        assert_eq!(fingerprint(&actions[0].response[0].ty), expected);
        // The shared name stays, so readers know the struct is shared.
        assert!(product.shared_struct(&actions[0].response[0].ty).is_some());
        // A cycle stays unresolved, for the validator to report.
        assert_eq!(fields_fingerprint(&product.structs[2].fields), "{Me:@Loop}");
    }
}
