//! Structs that are the same on the wire in several actions become one struct of the product.
//!
//! Two structs are the same when they have the same [shape](ccc_spec::fingerprint):
//! the same wire names in the same order, the same types and enumerations, the same secrets,
//! and structs inside them that are the same in turn. Docs and examples do not count; `typeName`
//! does not either (it only names the Rust type).
//!
//! [`share`] works bottom up, in rounds: a struct all of whose inner structs are already shared is
//! replaced by a reference when a product struct has its shape; otherwise, when its shape occurs
//! in at least two actions, it is lifted into `product.json` under a proposed name and every
//! occurrence refers to it. Requests' structs and responses' are shared apart: a struct users
//! build and the SDK writes into parameters is a request struct of the product (`request`), one
//! the SDK decodes a response struct, and a struct of one side never refers to the other's.
//!
//! The spec is the truth after the first decision: an existing product struct keeps its name and
//! shape, and later runs only refer to it. Every decision is reported, one line each.
//!
//! [`settle`] is the importers' step: after merging what they read with an action file, it refers
//! the action's structs to the product's structs and keeps the product's `plainStrings` plain.

use std::collections::{BTreeMap, BTreeSet};

use ccc_spec::naming::{self, StructPlace};
use ccc_spec::{Action, Field, Product, StructSpec, Type, fields_fingerprint};

/// The importers' step after merging: the action's response structs that have the shape of a
/// product struct become references to it ([`refer`]), and the Strings the product keeps plain
/// (`plainStrings`) lose an enumeration a rule gave them, and a paged action's page size that
/// states no range gets the API's convention ([`ccc_spec::rules::page_size_range`]). Returns
/// what it did, for the report.
pub fn settle(action: &mut Action, product: &Product) -> Vec<String> {
    let mut report = refer(action, product);
    report.extend(ccc_spec::rules::keep_plain(action, &product.plain_strings));
    report.extend(ccc_spec::rules::page_size_range(action));
    report
}

/// Replaces every struct of `action` that a product struct of its side (request or response)
/// holds with a reference to it, inner structs first: one of the product struct's shape, or one the generator would give the
/// product struct's name whose fields the product struct holds ([`fits`]: a field may be absent,
/// an `Integer` may be the product's `Long`, a plain String the product's enumeration). So a
/// page that documents fewer fields of a shared struct, or an `Integer` where the product merged
/// a `Long`, keeps referring to it. A struct named like a product struct (its `typeName`, else
/// the name the generator gives it) that does not fit keeps its fields and is named after the
/// action ([`naming::own_struct_ident`]: `AnswerCallChannelContext`): one name, one shape. Returns
/// one line per struct so renamed.
pub fn refer(action: &mut Action, product: &Product) -> Vec<String> {
    let mut report = Vec::new();
    let name = action.name.clone();
    let prefix = naming::type_ident(&action.name);
    for request in [true, false] {
        let known = known_shapes(product, request);
        let (top, what) = match request {
            true => (format!("{prefix}Input"), "parameter"),
            false => (format!("{prefix}Output"), "response"),
        };
        let places: Vec<(&str, &mut Type)> = match request {
            true => action
                .parameters
                .iter_mut()
                .map(|p| (p.name.as_str(), &mut p.ty))
                .collect(),
            false => action
                .response
                .iter_mut()
                .map(|f| (f.name.as_str(), &mut f.ty))
                .collect(),
        };
        for (wire, ty) in places {
            let place = format!("{what} {wire}");
            let mut walk = Referrer {
                known: &known,
                product,
                request,
                action: &name,
                report: &mut report,
            };
            walk.replace(ty, wire, &place, (&top, StructPlace::Top, false), 0);
        }
    }
    report
}

/// The shapes of the product's request structs (`request`) or response structs, as parsed (inner
/// structs are references).
fn known_shapes(product: &Product, request: bool) -> BTreeMap<String, String> {
    product
        .structs
        .iter()
        .filter(|s| s.request == request)
        .map(|s| (fields_fingerprint(&s.fields), s.name.clone()))
        .collect()
}

/// Deepest nesting [`refer`] follows; the validator refuses deeper specs long before.
const MAX_DEPTH: usize = 64;

struct Referrer<'r> {
    known: &'r BTreeMap<String, String>,
    product: &'r Product,
    /// Whether the structs walked are a request's.
    request: bool,
    action: &'r str,
    report: &'r mut Vec<String>,
}

impl Referrer<'_> {
    /// Bottom up: references for the structs a product struct decodes. `at`: the Rust name of
    /// the parent, where the struct sits and whether it is a list's item, as the generator names
    /// structs ([`naming::struct_ident`]).
    fn replace(
        &mut self,
        ty: &mut Type,
        wire: &str,
        place: &str,
        at: (&str, StructPlace<'_>, bool),
        depth: usize,
    ) {
        let (parent, sits, list_item) = at;
        if ty.referenced_struct().is_some() || depth > MAX_DEPTH {
            return;
        }
        match ty {
            Type::Scalar { .. } => {}
            Type::List { items: t } => {
                self.replace(t, wire, place, (parent, sits, true), depth + 1)
            }
            Type::Map { values: t } => {
                self.replace(t, wire, place, (parent, sits, false), depth + 1)
            }
            Type::Struct { type_name, fields } => {
                let holds_list = fields.iter().any(|f| {
                    naming::is_generic_struct_name(&f.name)
                        && matches!(&f.ty, Type::List { items } if matches!(**items, Type::Struct { .. }))
                });
                let derived = naming::struct_ident(self.action, wire, sits, list_item, holds_list);
                let name = type_name.clone().unwrap_or_else(|| derived.clone());
                let inner = if sits == StructPlace::Top && !list_item && wire == "Data" {
                    StructPlace::InData
                } else {
                    StructPlace::In(&name)
                };
                for f in fields.iter_mut() {
                    let deeper = format!("{place}.{}", f.name);
                    self.replace(
                        &mut f.ty,
                        &f.name,
                        &deeper,
                        (&name, inner, false),
                        depth + 1,
                    );
                }
                if let Some(shared) = self.known.get(&fields_fingerprint(fields)) {
                    *ty = Type::struct_ref(shared);
                    return;
                }
                let Some(s) = self.product.struct_named(&name) else {
                    return;
                };
                if s.request == self.request && fits_fields(fields, &s.fields, self.product) {
                    *ty = Type::struct_ref(&name);
                    return;
                }
                let named_by_action = type_name.is_none()
                    && name == derived
                    && naming::is_generic_struct_name(&naming::type_ident(wire));
                let own = naming::own_struct_ident(self.action, &name, named_by_action, list_item);
                self.report.push(format!(
                    "{place}: does not fit the shared struct `{name}`; kept in the action as \
                     `{own}`"
                ));
                *type_name = Some(own);
            }
        }
    }
}

/// Whether the product struct of `shared` fields decodes every struct of `fields` and encodes it
/// back the same: each field is one of the product's, of a type that [`fits`].
pub fn fits_fields(fields: &[Field], shared: &[Field], product: &Product) -> bool {
    fields.iter().all(|f| {
        shared
            .iter()
            .find(|g| g.name == f.name)
            .is_some_and(|g| g.sensitive == f.sensitive && fits(&f.ty, &g.ty, product))
    })
}

/// Whether a field of type `shared` holds every value of type `ty`: the same type, a `Long` for
/// an `Integer`, a String of a product enumeration (which keeps values it does not list) for a
/// plain String; the same reference for a reference (inner structs are referred to first).
pub fn fits(ty: &Type, shared: &Type, product: &Product) -> bool {
    match (ty.referenced_struct(), shared.referenced_struct()) {
        (Some(a), Some(b)) => return a == b,
        (None, None) => {}
        _ => return false,
    }
    match (ty, shared) {
        // The shared type holds every value of `ty` when it is what the two have in common.
        (Type::Scalar { .. }, Type::Scalar { .. }) => {
            crate::unify::scalar_union(ty, shared, product).as_ref() == Some(shared)
        }
        (Type::List { items: a }, Type::List { items: b })
        | (Type::Map { values: a }, Type::Map { values: b }) => fits(a, b, product),
        (Type::Struct { fields: a, .. }, Type::Struct { fields: b, .. }) => {
            fits_fields(a, b, product)
        }
        _ => false,
    }
}

/// A struct of one action that could be shared: all its inner structs are references.
struct Occurrence {
    action: usize,
    /// A request's struct (sent), else a response's.
    request: bool,
    place: String,
    name: String,
    /// Whether `name` comes from the action's name (a `Data` or `List` field without a
    /// `typeName`, or a name that starts with the action's, as [`refer`] gives): it says nothing
    /// about a struct other actions have too, so it is no proposal.
    from_action: bool,
    fields: Vec<Field>,
}

/// Lifts the response structs the same on the wire in two actions or more into `product.structs`
/// and refers to them; refers to the existing ones first. Returns every decision, one line each.
pub fn share(product: &mut Product, actions: &mut [Action]) -> Vec<String> {
    let mut report = Vec::new();
    // Each round shares at least one struct, or stops; a struct is shared once.
    let limit = crate::unify::rounds_bound(actions);
    for _ in 0..limit {
        for a in actions.iter_mut() {
            for line in refer(a, product) {
                report.push(format!("{}: {line}", a.name));
            }
        }
        let mut found = Vec::new();
        for (i, a) in actions.iter().enumerate() {
            let prefix = naming::type_ident(&a.name);
            let sent = a.parameters.iter().map(|p| (true, &p.name, &p.ty));
            let received = a.response.iter().map(|f| (false, &f.name, &f.ty));
            for (request, wire, ty) in sent.chain(received) {
                let (top, what) = match request {
                    true => (format!("{prefix}Input"), "parameter"),
                    false => (format!("{prefix}Output"), "response"),
                };
                let mut c = Collector {
                    action: (i, &a.name),
                    request,
                    out: &mut found,
                };
                let place = format!("{what} {wire}");
                c.collect(ty, wire, &place, (&top, StructPlace::Top, false));
            }
        }
        let lifted = lift(product, found, &mut report);
        if lifted == 0 {
            break;
        }
    }
    product.structs.sort_by(|a, b| a.name.cmp(&b.name));
    // A struct left unshared is found again in every round: report it once.
    let mut seen = BTreeSet::new();
    report.retain(|line| seen.insert(line.clone()));
    report
}

struct Collector<'c> {
    action: (usize, &'c str),
    /// Whether the structs collected are a request's.
    request: bool,
    out: &'c mut Vec<Occurrence>,
}

impl Collector<'_> {
    /// Collects the inline structs whose inner structs are all references. `at`: the Rust name
    /// of the parent, where the struct sits and whether it is a list's item, as the generator
    /// names structs ([`naming::struct_ident`]). Returns whether `ty` holds no inline struct.
    fn collect(
        &mut self,
        ty: &Type,
        wire: &str,
        place: &str,
        at: (&str, StructPlace<'_>, bool),
    ) -> bool {
        let (parent, sits, list_item) = at;
        if ty.referenced_struct().is_some() {
            return true;
        }
        match ty {
            Type::Scalar { .. } => true,
            Type::List { items } => self.collect(items, wire, place, (parent, sits, true)),
            Type::Map { values } => self.collect(values, wire, place, (parent, sits, false)),
            Type::Struct { type_name, fields } => {
                let action = self.action;
                let holds_list = fields.iter().any(|f| {
                    naming::is_generic_struct_name(&f.name)
                        && matches!(&f.ty, Type::List { items } if matches!(**items, Type::Struct { .. }))
                });
                let name = type_name.clone().unwrap_or_else(|| {
                    naming::struct_ident(action.1, wire, sits, list_item, holds_list)
                });
                let inner = if sits == StructPlace::Top && !list_item && wire == "Data" {
                    StructPlace::InData
                } else {
                    StructPlace::In(&name)
                };
                let mut ready = true;
                for f in fields {
                    let path = format!("{place}.{}", f.name);
                    ready &= self.collect(&f.ty, &f.name, &path, (&name, inner, false));
                }
                if ready {
                    self.out.push(Occurrence {
                        action: action.0,
                        request: self.request,
                        place: place.to_string(),
                        name: name.clone(),
                        from_action: (type_name.is_none()
                            && naming::is_generic_struct_name(&naming::type_ident(wire)))
                            || name.starts_with(&naming::type_ident(action.1)),
                        fields: fields.clone(),
                    });
                }
                false
            }
        }
    }
}

/// The key of a shape in [`lift`]: sent and received structs of one shape are different types.
fn shape_key(o: &Occurrence) -> String {
    let side = if o.request { "sent " } else { "" };
    format!("{side}{}", fields_fingerprint(&o.fields))
}

/// Lifts the shapes found in two actions or more; returns how many.
fn lift(product: &mut Product, found: Vec<Occurrence>, report: &mut Vec<String>) -> usize {
    // Name → shape → places of that shape proposing it, over every struct found, shared or not.
    let mut proposals: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for o in found.iter().filter(|o| !o.from_action) {
        *proposals
            .entry(o.name.clone())
            .or_default()
            .entry(shape_key(o))
            .or_default() += 1;
    }
    let mut groups: BTreeMap<String, Vec<Occurrence>> = BTreeMap::new();
    for o in found {
        groups.entry(shape_key(&o)).or_default().push(o);
    }
    let mut groups: Vec<(String, Vec<Occurrence>)> = groups
        .into_iter()
        .filter(|(_, os)| os.iter().map(|o| o.action).collect::<BTreeSet<_>>().len() >= 2)
        .collect();
    // The most used shape chooses its name first.
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    let mut taken: BTreeSet<String> = product
        .structs
        .iter()
        .map(|s| s.name.clone())
        .chain(product.enums.iter().map(|e| e.name.clone()))
        // What `types` holds or uses besides (the validator refuses these names).
        .chain(ccc_spec::TYPES_NAMES.iter().map(|n| n.to_string()))
        .collect();
    let mut lifted = 0;
    for (shape, occurrences) in groups {
        let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
        for o in occurrences.iter().filter(|o| !o.from_action) {
            *votes.entry(&o.name).or_default() += 1;
        }
        let voters: usize = votes.values().sum();
        let mut candidates: Vec<(&str, usize)> = votes.into_iter().collect();
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let places = occurrences.len();
        let actions = occurrences
            .iter()
            .map(|o| o.action)
            .collect::<BTreeSet<_>>()
            .len();
        let tally = |c: &[(&str, usize)]| {
            c.iter()
                .map(|(n, v)| format!("{n} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let at = &occurrences[0].place;
        let name = match candidates.first() {
            None => {
                report.push(format!(
                    "not shared: a struct at {places} places in {actions} actions (e.g. {at}) \
                     that only the actions' names name; to share it, name it in product.json"
                ));
                continue;
            }
            Some(&(_, v)) if v * 2 <= voters => {
                report.push(format!(
                    "not shared: a struct at {places} places in {actions} actions (e.g. {at}) \
                     whose places name it differently ({}); to share it, name it in product.json",
                    tally(&candidates)
                ));
                continue;
            }
            Some(&(n, v))
                if proposals[n]
                    .iter()
                    .any(|(other, &count)| *other != shape && count >= v) =>
            {
                report.push(format!(
                    "not shared: a struct at {places} places in {actions} actions (e.g. {at}), \
                     as as many places of another shape give it its name, {n}; to share it, \
                     name it in product.json"
                ));
                continue;
            }
            Some(&(n, _)) if taken.contains(n) => {
                report.push(format!(
                    "not shared: a struct at {places} places in {actions} actions (e.g. {at}), \
                     as the name its places give it, {n}, is another type's"
                ));
                continue;
            }
            Some(&(n, _)) => n,
        };
        let how = if candidates.len() == 1 && voters == places {
            "every place proposes this name".to_string()
        } else {
            format!(
                "most places propose this name ({}); review",
                tally(&candidates)
            )
        };
        let (fields, differing) = merged_docs(&occurrences);
        let mut line = format!("shared `{name}`: {places} places in {actions} actions, {how}");
        if !differing.is_empty() {
            line.push_str(&format!(
                "; places differ in the example or description of {}: kept the most common",
                differing.join(", ")
            ));
        }
        report.push(line);
        taken.insert(name.to_string());
        product.structs.push(StructSpec {
            name: name.to_string(),
            description: None,
            request: occurrences[0].request,
            fields,
        });
        lifted += 1;
    }
    lifted
}

/// The fields of a group, each with the example and the description most of its places give
/// (ties: the first place's); and the fields whose places disagree.
fn merged_docs(occurrences: &[Occurrence]) -> (Vec<Field>, Vec<String>) {
    fn most_common<'a>(texts: impl Iterator<Item = Option<&'a String>>) -> (Option<String>, bool) {
        let mut counts: Vec<(&String, usize)> = Vec::new();
        for t in texts.flatten() {
            match counts.iter_mut().find(|(s, _)| *s == t) {
                Some((_, n)) => *n += 1,
                None => counts.push((t, 1)),
            }
        }
        let mut best: Option<(&String, usize)> = None;
        for &(t, n) in &counts {
            if best.is_none_or(|(_, m)| n > m) {
                best = Some((t, n));
            }
        }
        (best.map(|(t, _)| t.clone()), counts.len() > 1)
    }
    let mut fields = occurrences[0].fields.clone();
    let mut differing = Vec::new();
    for (i, f) in fields.iter_mut().enumerate() {
        let (example, e_differs) =
            most_common(occurrences.iter().map(|o| o.fields[i].example.as_ref()));
        let (description, d_differs) =
            most_common(occurrences.iter().map(|o| o.fields[i].description.as_ref()));
        f.example = example;
        f.description = description;
        if e_differs || d_differs {
            differing.push(f.name.clone());
        }
    }
    (fields, differing)
}

/// What [`share_dir`] did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DirReport {
    /// Every decision, one line each.
    pub decisions: Vec<String>,
    /// Files whose text changed (written unless it was a dry run).
    pub changed: Vec<std::path::PathBuf>,
}

/// Runs [`share`] over a spec directory (`product.json`, `actions/`): reads every file, shares,
/// checks that the result loads, and only then writes the files whose text changes (unless
/// `dry_run`). On any error nothing is written; the error lists every problem.
pub fn share_dir(spec_dir: &std::path::Path, dry_run: bool) -> Result<DirReport, String> {
    use std::path::PathBuf;
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))
    };
    let show = |errors: Vec<ccc_spec::SpecError>| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let product_path = spec_dir.join(ccc_spec::PRODUCT_FILE);
    let product_text = read(&product_path)?;
    let mut product = ccc_spec::parse_product(&product_path, &product_text).map_err(show)?;
    let actions_dir = spec_dir.join(ccc_spec::ACTIONS_DIR);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&actions_dir)
        .map_err(|e| format!("{}: cannot read: {e}", actions_dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut texts = Vec::new();
    let mut actions = Vec::new();
    for f in &files {
        let text = read(f)?;
        actions.push(ccc_spec::parse_action(f, &text).map_err(show)?);
        texts.push(text);
    }
    let mut decisions = share(&mut product, &mut actions);
    decisions.extend(crate::unify::unify(&mut product, &mut actions));
    // A struct of the shape of a product struct the step above made refers to it.
    for a in &mut actions {
        for line in refer(a, &product) {
            decisions.push(format!("{}: {line}", a.name));
        }
    }
    let new_product = ccc_spec::product_to_json(&product);
    let mut errors = ccc_spec::check_product(&product_path, &product);
    let mut sources = Vec::new();
    for (f, a) in files.iter().zip(&actions) {
        errors.extend(ccc_spec::check_action(f, &product, a));
        sources.push((f.clone(), ccc_spec::action_to_json(a)));
    }
    ccc_spec::load_sources(Some(product.clone()), &sources, &mut errors);
    if !errors.is_empty() {
        return Err(show(errors));
    }
    let mut writes: Vec<(PathBuf, String)> = Vec::new();
    if new_product != product_text {
        writes.push((product_path, new_product));
    }
    for ((f, new), old) in sources.into_iter().zip(&texts) {
        if new != *old {
            writes.push((f, new));
        }
    }
    let changed = writes.iter().map(|(p, _)| p.clone()).collect();
    if !dry_run {
        for (path, text) in writes {
            std::fs::write(&path, text)
                .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
        }
    }
    Ok(DirReport { decisions, changed })
}
