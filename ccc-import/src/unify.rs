//! One name, one shape across the crate: the structs that take one Rust name in several actions
//! become one product struct when they can, and take their action's name otherwise.
//!
//! Structs are grouped by the name the generator gives them (`typeName`, else
//! [`naming::struct_ident`]); a product struct belongs to the group of its name. A group whose
//! structs are compatible becomes one product struct that holds them all (`union`): the same
//! wire names with the same types, where a field may be missing from some places (the merged
//! struct has every field, each optional), an `Integer` in one place may be a `Long` in another
//! (the merged field is a `Long`), and a plain `String` may be a String of a product
//! enumeration in another (the merged field has the enumeration, which keeps values it does not
//! list). So the merged struct decodes everything each place decoded, and encodes it back the
//! same. The structs inside a merged struct are shared too, under the name of the product struct
//! one place already refers to, else the name the generator would give them.
//!
//! A group that cannot be one struct keeps the product struct of its name, which takes the places
//! compatible with it, one after the other in action order; every other place is renamed after its
//! action ([`naming::own_struct_ident`]: `ListHistoricalAgentReportInbound`, `GetTicketResult`). Request structs
//! are never merged (users build them; [`share`](crate::shared_structs::share) shares those of one
//! name and shape): one named like a response struct or a product struct, or like a request
//! struct of another shape, is renamed after its action too.
//!
//! Groups are taken from the outside in, so that merging a struct merges what it holds first.
//! A name an earlier run gave after the action counts as the name it replaced, so every run
//! decides each struct again and the spec it wrote is a fixed point.

use std::collections::{BTreeMap, BTreeSet};

use ccc_spec::naming::{self, StructPlace};
use ccc_spec::{Action, Field, Product, Scalar, StructSpec, Type, fields_fingerprint};

/// Deepest nesting of structs followed; the validator refuses a struct that holds itself, so a
/// real spec stays far below.
const MAX_DEPTH: usize = 64;

/// Merges and renames, as the module says; returns one line per decision.
pub fn unify(product: &mut Product, actions: &mut [Action]) -> Vec<String> {
    // Request structs of the product are not merged with responses': only their names count.
    let mut shared: BTreeMap<String, Vec<Field>> = product
        .structs
        .iter()
        .filter(|s| !s.request)
        .map(|s| (s.name.clone(), deep_fields(&s.fields, product, 0)))
        .collect();
    let sent: BTreeSet<String> = product
        .structs
        .iter()
        .filter(|s| s.request)
        .map(|s| s.name.clone())
        .collect();
    let mut deep_actions: Vec<Action> = actions
        .iter()
        .map(|a| {
            let mut a = a.clone();
            for f in &mut a.response {
                f.ty = deep(&f.ty, product, 0);
            }
            a
        })
        .collect();
    let whole_product = product.clone();
    let ctx = Context {
        product: &whole_product,
        taken: whole_product
            .enums
            .iter()
            .map(|e| e.name.clone())
            .chain(ccc_spec::TYPES_NAMES.iter().map(|n| (*n).to_owned()))
            .chain(sent.iter().cloned())
            .collect(),
    };
    let mut report = Vec::new();
    // Names an earlier run gave after the action are taken back first, so that this run decides
    // them again, and the same way.
    for role in [Role::Response, Role::Request] {
        for o in collect_all(&deep_actions, &shared, role, true) {
            let a = &mut deep_actions[o.action];
            let ty = match role {
                Role::Response => &mut a.response[o.top].ty,
                Role::Request => &mut a.parameters[o.top].ty,
            };
            if let Type::Struct { type_name, .. } = node_mut(ty, &o.path)
                && type_name.as_ref().is_some_and(|t| *t != o.name)
            {
                *type_name = (o.name != o.derived).then(|| o.name.clone());
            }
        }
    }
    // Each round merges or renames one group for good: renamed structs take names of their own.
    let limit = rounds_bound(&deep_actions);
    for _ in 0..limit {
        let found = collect_all(&deep_actions, &shared, Role::Response, false);
        let Some((name, places)) = next_group(&found, &shared) else {
            break;
        };
        let mut candidate = shared.clone();
        let whole = places
            .iter()
            .all(|o| absorb(&mut candidate, &name, &o.fields, &ctx, 0));
        let actions_of = |os: &[&Occurrence]| {
            os.iter()
                .map(|o| deep_actions[o.action].name.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", ")
        };
        if whole {
            shared = candidate;
            report.push(format!(
                "one struct `{name}`: {} places in {}",
                places.len(),
                actions_of(&places)
            ));
            let paths: Vec<(usize, usize, Vec<usize>)> = places
                .iter()
                .map(|o| (o.action, o.top, o.path.clone()))
                .collect();
            for (a, top, path) in paths {
                *node_mut(&mut deep_actions[a].response[top].ty, &path) =
                    shared_node(&name, &shared);
            }
            continue;
        }
        let mut joined = Vec::new();
        let mut renamed = Vec::new();
        for o in &places {
            let mut candidate = shared.clone();
            if shared.contains_key(&name) && absorb(&mut candidate, &name, &o.fields, &ctx, 0) {
                shared = candidate;
                joined.push(*o);
            } else {
                renamed.push(*o);
            }
        }
        if !joined.is_empty() {
            report.push(format!(
                "struct `{name}` takes {} places in {}",
                joined.len(),
                actions_of(&joined)
            ));
        }
        let joined_paths: Vec<_> = joined
            .iter()
            .map(|o| (o.action, o.top, o.path.clone()))
            .collect();
        let renamed_paths: Vec<_> = renamed
            .iter()
            .map(|o| {
                let own = o.own_name(&deep_actions[o.action].name);
                (o.action, o.top, o.path.clone(), o.place.clone(), own)
            })
            .collect();
        for (a, top, path) in joined_paths {
            *node_mut(&mut deep_actions[a].response[top].ty, &path) = shared_node(&name, &shared);
        }
        for (a, top, path, place, own) in renamed_paths {
            report.push(format!(
                "{}: response {place}: another shape than other structs named `{name}`; \
                 named `{own}`",
                deep_actions[a].name
            ));
            if let Type::Struct { type_name, .. } =
                node_mut(&mut deep_actions[a].response[top].ty, &path)
            {
                *type_name = Some(own);
            }
        }
    }
    rename_requests(&mut deep_actions, &shared, &sent, &mut report);
    // Back to the file form: shared structs are references.
    for a in &mut deep_actions {
        for f in &mut a.response {
            shallow(&mut f.ty, &shared);
        }
        for p in &mut a.parameters {
            shallow(&mut p.ty, &shared);
        }
    }
    for (name, fields) in &shared {
        let mut fields = fields.clone();
        for f in &mut fields {
            shallow(&mut f.ty, &shared);
        }
        match product.structs.iter_mut().find(|s| &s.name == name) {
            Some(s) => s.fields = fields,
            None => product.structs.push(StructSpec {
                name: name.clone(),
                description: None,
                request: false,
                fields,
            }),
        }
    }
    product.structs.sort_by(|a, b| a.name.cmp(&b.name));
    for (a, new) in actions.iter_mut().zip(deep_actions) {
        *a = new;
    }
    report
}

struct Context<'a> {
    product: &'a Product,
    /// Names a new product struct cannot take.
    taken: BTreeSet<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Request,
    Response,
}

/// An inline struct of an action, under the name the generator gives it.
struct Occurrence {
    action: usize,
    /// Index of the parameter or response field that holds it.
    top: usize,
    /// Field indexes from there down to the struct (lists and maps are passed through).
    path: Vec<usize>,
    depth: usize,
    name: String,
    /// The name the generator gives it without a `typeName`.
    derived: String,
    /// Whether the generator took `name` from the action ([`naming::struct_ident`] for a
    /// top-level `Data` or a generic list's items), and whether the struct is a list's item.
    named_by_action: bool,
    list_item: bool,
    place: String,
    fields: Vec<Field>,
}

impl Occurrence {
    /// The name this struct takes when its own is another shape's.
    fn own_name(&self, action: &str) -> String {
        naming::own_struct_ident(action, &self.name, self.named_by_action, self.list_item)
    }
}

/// How many rounds of sharing or merging response structs can change anything: one more than
/// the structs the actions' responses hold, since each round settles one at least.
pub(crate) fn rounds_bound(actions: &[Action]) -> usize {
    1 + actions
        .iter()
        .flat_map(|a| &a.response)
        .map(|f| count_structs(&f.ty))
        .sum::<usize>()
}

fn count_structs(ty: &Type) -> usize {
    match ty {
        Type::Scalar { .. } => 0,
        Type::Struct { fields, .. } => {
            1 + fields.iter().map(|f| count_structs(&f.ty)).sum::<usize>()
        }
        Type::List { items: t } | Type::Map { values: t } => count_structs(t),
    }
}

/// `ty` with every reference filled in with the product struct's fields, themselves filled in.
fn deep(ty: &Type, product: &Product, depth: usize) -> Type {
    if let Some(name) = ty.referenced_struct()
        && let Some(s) = product.struct_named(name)
        && depth < MAX_DEPTH
    {
        return Type::Struct {
            type_name: Some(name.to_string()),
            fields: deep_fields(&s.fields, product, depth + 1),
        };
    }
    match ty {
        Type::Scalar { .. } => ty.clone(),
        Type::Struct { type_name, fields } => Type::Struct {
            type_name: type_name.clone(),
            fields: deep_fields(fields, product, depth + 1),
        },
        Type::List { items } => Type::List {
            items: Box::new(deep(items, product, depth)),
        },
        Type::Map { values } => Type::Map {
            values: Box::new(deep(values, product, depth)),
        },
    }
}

fn deep_fields(fields: &[Field], product: &Product, depth: usize) -> Vec<Field> {
    fields
        .iter()
        .map(|f| Field {
            ty: deep(&f.ty, product, depth),
            ..f.clone()
        })
        .collect()
}

/// A shared struct as a node of the deep form: its name and its fields.
fn shared_node(name: &str, shared: &BTreeMap<String, Vec<Field>>) -> Type {
    Type::Struct {
        type_name: Some(name.to_string()),
        fields: shared.get(name).cloned().unwrap_or_default(),
    }
}

/// Whether a node of the deep form is a shared struct.
fn is_shared(ty: &Type, shared: &BTreeMap<String, Vec<Field>>) -> bool {
    matches!(ty, Type::Struct { type_name: Some(n), .. } if shared.contains_key(n))
}

/// The deep form back to the file form: shared structs become references.
fn shallow(ty: &mut Type, shared: &BTreeMap<String, Vec<Field>>) {
    if let Type::Struct {
        type_name: Some(n), ..
    } = ty
        && shared.contains_key(n.as_str())
    {
        *ty = Type::struct_ref(&n.clone());
        return;
    }
    match ty {
        Type::Scalar { .. } => {}
        Type::Struct { fields, .. } => {
            for f in fields {
                shallow(&mut f.ty, shared);
            }
        }
        Type::List { items: t } | Type::Map { values: t } => shallow(t, shared),
    }
}

fn node_mut<'t>(ty: &'t mut Type, path: &[usize]) -> &'t mut Type {
    let descend = match ty {
        Type::List { .. } | Type::Map { .. } => true,
        Type::Struct { .. } => !path.is_empty(),
        Type::Scalar { .. } => false,
    };
    if !descend {
        return ty;
    }
    match ty {
        Type::List { items: t } | Type::Map { values: t } => node_mut(t, path),
        Type::Struct { fields, .. } => node_mut(&mut fields[path[0]].ty, &path[1..]),
        Type::Scalar { .. } => unreachable!("not descended into"),
    }
}

/// Every inline struct of `role`, named as the generator names it.
fn collect_all(
    actions: &[Action],
    shared: &BTreeMap<String, Vec<Field>>,
    role: Role,
    unrename: bool,
) -> Vec<Occurrence> {
    let mut out = Vec::new();
    for (i, a) in actions.iter().enumerate() {
        let prefix = naming::type_ident(&a.name);
        let tops: Vec<(&str, &Type)> = match role {
            Role::Response => a
                .response
                .iter()
                .map(|f| (f.name.as_str(), &f.ty))
                .collect(),
            Role::Request => a
                .parameters
                .iter()
                .map(|p| (p.name.as_str(), &p.ty))
                .collect(),
        };
        let parent = match role {
            Role::Response => format!("{prefix}Output"),
            Role::Request => format!("{prefix}Input"),
        };
        for (top, (wire, ty)) in tops.into_iter().enumerate() {
            let mut walk = Walk {
                unrename,
                action: i,
                action_name: &a.name,
                top,
                shared,
                out: &mut out,
            };
            walk.visit(
                ty,
                wire,
                wire,
                (&parent, StructPlace::Top, false),
                &mut Vec::new(),
            );
        }
    }
    out
}

struct Walk<'w> {
    /// Whether names an earlier run gave after the action count as the names they replaced.
    unrename: bool,
    action: usize,
    action_name: &'w str,
    top: usize,
    shared: &'w BTreeMap<String, Vec<Field>>,
    out: &'w mut Vec<Occurrence>,
}

impl Walk<'_> {
    /// The name a struct is grouped under: its `typeName`, else the generator's; a name an
    /// earlier run gave after the action ([`naming::own_struct_ident`]) counts as the name it
    /// replaced, so that each run decides again, and the same way.
    fn base_name(&self, type_name: Option<&str>, derived: &str, list_item: bool) -> String {
        let Some(t) = type_name else {
            return derived.to_string();
        };
        if !self.unrename {
            return t.to_string();
        }
        if t != derived && naming::own_struct_ident(self.action_name, derived, true, list_item) == t
        {
            return derived.to_string();
        }
        match t.strip_prefix(&naming::type_ident(self.action_name)) {
            Some(base)
                if !base.is_empty() && (self.shared.contains_key(base) || base == derived) =>
            {
                base.to_string()
            }
            _ => t.to_string(),
        }
    }

    /// As the generator names structs (`codegen`'s `name_structs`), without its prefix for a
    /// name taken twice in one module.
    fn visit(
        &mut self,
        ty: &Type,
        wire: &str,
        place: &str,
        at: (&str, StructPlace<'_>, bool),
        path: &mut Vec<usize>,
    ) {
        let (parent, sits, list_item) = at;
        // A reference left as it is (a request's) is a product struct, decided there.
        if path.len() > MAX_DEPTH || is_shared(ty, self.shared) || ty.referenced_struct().is_some()
        {
            return;
        }
        match ty {
            Type::Scalar { .. } => {}
            Type::List { items } => self.visit(items, wire, place, (parent, sits, true), path),
            Type::Map { values } => self.visit(values, wire, place, (parent, sits, false), path),
            Type::Struct { type_name, fields } => {
                let holds_list = fields.iter().any(|f| {
                    naming::is_generic_struct_name(&f.name)
                        && matches!(&f.ty, Type::List { items } if matches!(**items, Type::Struct { .. }))
                });
                let derived =
                    naming::struct_ident(self.action_name, wire, sits, list_item, holds_list);
                let name = self.base_name(type_name.as_deref(), &derived, list_item);
                self.out.push(Occurrence {
                    action: self.action,
                    top: self.top,
                    path: path.clone(),
                    depth: path.len(),
                    name: name.clone(),
                    derived: derived.clone(),
                    // A `typeName` that says what the rule says counts as the rule's.
                    named_by_action: name == derived
                        && sits != StructPlace::In(parent)
                        && naming::is_generic_struct_name(&naming::type_ident(wire)),
                    list_item,
                    place: place.to_string(),
                    fields: fields.clone(),
                });
                let inner = if sits == StructPlace::Top && !list_item && wire == "Data" {
                    StructPlace::InData
                } else {
                    StructPlace::In(&name)
                };
                for (i, f) in fields.iter().enumerate() {
                    path.push(i);
                    let deeper = format!("{place}.{}", f.name);
                    self.visit(&f.ty, &f.name, &deeper, (&name, inner, false), path);
                    path.pop();
                }
            }
        }
    }
}

/// The next group to decide: a name held by inline structs of two actions or more, or by an
/// inline struct and a product struct; the outermost first, then by name.
fn next_group<'o>(
    found: &'o [Occurrence],
    shared: &BTreeMap<String, Vec<Field>>,
) -> Option<(String, Vec<&'o Occurrence>)> {
    let mut groups: BTreeMap<&str, Vec<&Occurrence>> = BTreeMap::new();
    for o in found {
        groups.entry(&o.name).or_default().push(o);
    }
    groups
        .into_iter()
        .filter(|(name, os)| {
            shared.contains_key(*name)
                || os.iter().map(|o| o.action).collect::<BTreeSet<_>>().len() >= 2
        })
        .min_by_key(|(name, os)| (os.iter().map(|o| o.depth).min(), name.to_string()))
        .map(|(name, os)| (name.to_string(), os))
}

/// Makes `fields` part of the shared struct `name` (created when missing), and every struct inside
/// them shared in turn; false when they are not compatible, and `shared` is then to be dropped.
fn absorb(
    shared: &mut BTreeMap<String, Vec<Field>>,
    name: &str,
    fields: &[Field],
    ctx: &Context<'_>,
    depth: usize,
) -> bool {
    if depth > MAX_DEPTH || (!shared.contains_key(name) && ctx.taken.contains(name)) {
        return false;
    }
    let mut merged = match shared.get(name) {
        Some(existing) => match union_fields(existing, fields, ctx, shared) {
            Some(m) => m,
            None => return false,
        },
        None => fields.to_vec(),
    };
    for f in &mut merged {
        if !share_inner(shared, &mut f.ty, (name, &f.name, false), ctx, depth) {
            return false;
        }
    }
    shared.insert(name.to_string(), merged);
    true
}

/// The structs inside a shared struct's field become shared: under the product struct's name they
/// already have, else the name the generator gives them there.
fn share_inner(
    shared: &mut BTreeMap<String, Vec<Field>>,
    ty: &mut Type,
    (parent, wire, list_item): (&str, &str, bool),
    ctx: &Context<'_>,
    depth: usize,
) -> bool {
    match ty {
        Type::Scalar { .. } => true,
        Type::List { items: t } => share_inner(shared, t, (parent, wire, true), ctx, depth),
        Type::Map { values: t } => share_inner(shared, t, (parent, wire, false), ctx, depth),
        Type::Struct { type_name, fields } => {
            let holds_list = fields.iter().any(|f| {
                naming::is_generic_struct_name(&f.name)
                    && matches!(&f.ty, Type::List { items } if matches!(**items, Type::Struct { .. }))
            });
            let name = type_name.clone().unwrap_or_else(|| {
                naming::struct_ident("", wire, StructPlace::In(parent), list_item, holds_list)
            });
            let fields = fields.clone();
            if !absorb(shared, &name, &fields, ctx, depth + 1) {
                return false;
            }
            *ty = shared_node(&name, shared);
            true
        }
    }
}

/// The fields of a struct that decodes what either decodes: `a`'s fields in order, then those
/// only `b` has; `None` when a field is not compatible ([`union`]).
fn union_fields(
    a: &[Field],
    b: &[Field],
    ctx: &Context<'_>,
    shared: &BTreeMap<String, Vec<Field>>,
) -> Option<Vec<Field>> {
    let mut out: Vec<Field> = a.to_vec();
    for f in b {
        match out.iter_mut().find(|g| g.name == f.name) {
            Some(g) => {
                if g.sensitive != f.sensitive {
                    return None;
                }
                g.ty = union(&g.ty, &f.ty, ctx, shared)?;
                if g.example.is_none() {
                    g.example = f.example.clone();
                }
                if g.description.is_none() {
                    g.description = f.description.clone();
                }
            }
            None => out.push(f.clone()),
        }
    }
    Some(out)
}

/// The scalar type that decodes what the scalars `a` and `b` decode and encodes it back the same,
/// if there is one: the same scalar, `Long` for an `Integer` and a `Long`, a String with the
/// product enumeration one of them has (it keeps values it does not list). `None` for anything
/// else, structs, lists and maps included.
pub(crate) fn scalar_union(a: &Type, b: &Type, product: &Product) -> Option<Type> {
    let (
        Type::Scalar {
            scalar: sa,
            enumeration: ea,
        },
        Type::Scalar {
            scalar: sb,
            enumeration: eb,
        },
    ) = (a, b)
    else {
        return None;
    };
    let scalar = match (sa, sb) {
        (x, y) if x == y => *x,
        (Scalar::Integer, Scalar::Long) | (Scalar::Long, Scalar::Integer) => Scalar::Long,
        _ => return None,
    };
    let product_enum = |e: &String| product.enums.iter().any(|p| &p.name == e);
    let enumeration = match (ea, eb) {
        (x, y) if x == y => x.clone(),
        (Some(e), None) | (None, Some(e)) if product_enum(e) => Some(e.clone()),
        _ => return None,
    };
    Some(Type::Scalar {
        scalar,
        enumeration,
    })
}

/// The type that decodes what `a` and `b` decode and encodes it back the same, if there is one:
/// the same scalar, `Long` for an `Integer` and a `Long`, a String with the product enumeration
/// one of them has, and structs, lists and maps of such.
fn union(
    a: &Type,
    b: &Type,
    ctx: &Context<'_>,
    shared: &BTreeMap<String, Vec<Field>>,
) -> Option<Type> {
    match (a, b) {
        (Type::Scalar { .. }, Type::Scalar { .. }) => scalar_union(a, b, ctx.product),
        (Type::List { items: x }, Type::List { items: y }) => Some(Type::List {
            items: Box::new(union(x, y, ctx, shared)?),
        }),
        (Type::Map { values: x }, Type::Map { values: y }) => Some(Type::Map {
            values: Box::new(union(x, y, ctx, shared)?),
        }),
        (
            Type::Struct {
                type_name: na,
                fields: fa,
            },
            Type::Struct {
                type_name: nb,
                fields: fb,
            },
        ) => {
            let is_shared = |n: &Option<String>| n.as_ref().is_some_and(|n| shared.contains_key(n));
            let type_name = match (is_shared(na), is_shared(nb)) {
                (true, true) if na != nb => return None,
                (true, _) => na.clone(),
                (false, true) => nb.clone(),
                (false, false) => na.clone().or_else(|| nb.clone()),
            };
            Some(Type::Struct {
                type_name,
                fields: union_fields(fa, fb, ctx, shared)?,
            })
        }
        _ => None,
    }
}

/// A request struct is the struct a user names to build one, and is never merged: an inline one
/// named like a shared struct (a response's, or a product request struct, `sent`, it does not
/// refer to), or like a request struct of another shape, takes its action's name; a response
/// struct (not shared) named like a request struct takes its action's name instead. Request
/// structs of one name and shape in several actions become one product struct in
/// [`share`](crate::shared_structs::share).
fn rename_requests(
    actions: &mut [Action],
    shared: &BTreeMap<String, Vec<Field>>,
    sent: &BTreeSet<String>,
    report: &mut Vec<String>,
) {
    let found = collect_all(actions, shared, Role::Request, false);
    let mut shapes: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for o in &found {
        shapes
            .entry(&o.name)
            .or_default()
            .insert(fields_fingerprint(&o.fields));
    }
    for name in sent {
        shapes.entry(name).or_default();
    }
    let mut renames = Vec::new();
    for o in &found {
        if shared.contains_key(&o.name)
            || sent.contains(&o.name)
            || shapes[o.name.as_str()].len() > 1
        {
            let own = o.own_name(&actions[o.action].name);
            renames.push((
                Role::Request,
                o.action,
                o.top,
                o.path.clone(),
                own,
                o.place.clone(),
            ));
        }
    }
    for o in collect_all(actions, shared, Role::Response, false) {
        if shapes.contains_key(o.name.as_str()) {
            let own = o.own_name(&actions[o.action].name);
            renames.push((Role::Response, o.action, o.top, o.path, own, o.place));
        }
    }
    for (role, a, top, path, own, place) in renames {
        let action = &mut actions[a];
        let (what, ty) = match role {
            Role::Request => ("parameter", &mut action.parameters[top].ty),
            Role::Response => ("response", &mut action.response[top].ty),
        };
        report.push(format!(
            "{}: {what} {place}: named like a request struct of another shape; named `{own}`",
            action.name
        ));
        if let Type::Struct { type_name, .. } = node_mut(ty, &path) {
            *type_name = Some(own);
        }
    }
}
