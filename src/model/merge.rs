//! Three-way merge of one document's annotations, as git's merge driver for
//! sidecars does it: the common ancestor (`base`), our version and theirs.
//!
//! Annotations, relations and events are sets keyed by id: what either side
//! added is kept, what either side deleted goes, and edits to different
//! fields of one item are combined. A field both sides changed differently is
//! a true conflict: our value is kept and theirs is recorded as a
//! [`Conflict`] on the item, so nothing is lost and the analyst can choose.
//! Fields are compared through the items' serde form, so a field added to
//! [`Annotation`] later is merged without changes here.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::annotation::{AnnId, Annotation, Relation};
use super::document::DocAnnotations;
use super::events::{Equivalence, Event};

/// A field both sides changed differently. Our value was kept; theirs is here.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Conflict {
    /// Which field, as a dotted path in the item's fields (`label`,
    /// `kind.Claim.stance`, `attributes.role`), or [`DELETED`] when one side
    /// deleted what the other changed.
    pub field: String,
    /// The value kept, as JSON (`null` when this side had deleted the item).
    pub ours: String,
    /// The other side's value, as JSON (`null` when that side deleted it).
    pub theirs: String,
}

/// One plain sentence for a conflict: what the two sides did.
pub fn describe(c: &Conflict) -> String {
    if c.field == DELETED || c.field.ends_with(&format!(": {DELETED}")) {
        let what = c
            .field
            .strip_suffix(DELETED)
            .unwrap_or("")
            .trim_end_matches([':', ' ']);
        let what = if what.is_empty() {
            "it".to_owned()
        } else {
            what.to_owned()
        };
        return if c.ours == "null" {
            format!("{what} was deleted here but changed or linked to in the other version, which was kept")
        } else {
            format!("{what} was changed here but deleted in the other version; the change was kept")
        };
    }
    let field = if c.field.is_empty() {
        "the whole item"
    } else {
        c.field.as_str()
    };
    format!(
        "both versions changed {field}: this one has {}, the other had {}",
        plain(&c.ours),
        plain(&c.theirs)
    )
}

/// The annotation with its `i`-th conflict settled: our value kept, or
/// theirs put in its place (`take_theirs`). `None` when there is no such
/// conflict or theirs no longer fits the annotation. Taking theirs for a
/// deletion deletes nothing here: the caller removes the annotation.
pub fn resolve(a: &Annotation, i: usize, take_theirs: bool) -> Option<Annotation> {
    let c = a.conflicts.get(i)?;
    let mut out = a.clone();
    out.conflicts.remove(i);
    if !take_theirs || c.field == DELETED {
        return Some(out);
    }
    let theirs: Value = serde_json::from_str(&c.theirs).ok()?;
    let mut json = fold_extent(to_json(&out));
    let mut slot = &mut json;
    for key in c.field.split('.').filter(|k| !k.is_empty()) {
        slot = slot.as_object_mut()?.entry(key.to_owned()).or_insert(Value::Null);
    }
    *slot = theirs;
    serde_json::from_value(unfold_extent(json)).ok()
}

/// The fields that say where an annotation is: they change together, so they
/// merge (and conflict) as one field, `extent`.
const EXTENT: [&str; 4] = ["spans", "quote", "prefix", "suffix"];

fn fold_extent(v: Value) -> Value {
    let Value::Object(mut m) = v else { return v };
    if !m.contains_key("spans") {
        return Value::Object(m);
    }
    let mut extent = Map::new();
    for k in EXTENT {
        if let Some(x) = m.remove(k) {
            extent.insert(k.to_owned(), x);
        }
    }
    m.insert("extent".into(), Value::Object(extent));
    Value::Object(m)
}

fn unfold_extent(v: Value) -> Value {
    let Value::Object(mut m) = v else { return v };
    if let Some(Value::Object(extent)) = m.remove("extent") {
        m.extend(extent);
    }
    Value::Object(m)
}

/// A JSON value as a reader would write it: strings without escapes.
fn plain(json: &str) -> String {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::String(s)) => format!("\"{s}\""),
        Ok(Value::Object(m)) if m.contains_key("quote") => {
            format!("\"{}\"", m.get("quote").and_then(Value::as_str).unwrap_or(""))
        }
        Ok(Value::Null) => "nothing".into(),
        Ok(v) => v.to_string(),
        Err(_) => json.to_owned(),
    }
}

/// The `field` of a conflict where one side deleted an item the other changed.
pub const DELETED: &str = "(deleted)";

/// What merging found besides the merged data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Annotations, relations and events added by either side.
    pub added: usize,
    /// Items deleted by either side (and not changed by the other).
    pub deleted: usize,
    /// Items both sides changed, whose changes were combined.
    pub combined: usize,
    /// True conflicts recorded, by item id (`None` for the document's own fields).
    pub conflicts: Vec<(Option<AnnId>, Conflict)>,
}

/// Merges `ours` and `theirs`, both descended from `base`. Conflicts are kept
/// in the result (on the annotation, relation or event, or on the document)
/// and listed in the report. The result is sorted as the sidecar writes it.
pub fn merge(
    base: &DocAnnotations,
    ours: &DocAnnotations,
    theirs: &DocAnnotations,
) -> (DocAnnotations, MergeReport) {
    let mut report = MergeReport::default();
    let mut out = ours.clone();

    let mut doc_conflicts = Vec::new();
    out.annotations = merge_items(
        &base.annotations,
        &ours.annotations,
        &theirs.annotations,
        &mut report,
        &mut doc_conflicts,
    );
    out.relations = merge_items(
        &base.relations,
        &ours.relations,
        &theirs.relations,
        &mut report,
        &mut doc_conflicts,
    );
    out.events = merge_items(
        &base.events,
        &ours.events,
        &theirs.events,
        &mut report,
        &mut doc_conflicts,
    );
    out.equivalences = merge_sets(&base.equivalences, &ours.equivalences, &theirs.equivalences);

    // Document fields: status, metadata and fields of newer versions.
    let mut found = Vec::new();
    let doc = |d: &DocAnnotations| {
        let mut m = Map::new();
        m.insert("status".into(), to_json(&d.status));
        m.insert("meta".into(), to_json(&*d.meta));
        m.insert("extra".into(), to_json(&d.extra));
        Value::Object(m)
    };
    let merged = merge_value(
        "",
        Some(&doc(base)),
        Some(&doc(ours)),
        Some(&doc(theirs)),
        &mut found,
    )
    .unwrap_or(Value::Null);
    if let Some(v) = merged
        .get("status")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
    {
        out.status = v;
    }
    if let Some(v) = merged
        .get("meta")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
    {
        out.meta = Box::new(v);
    }
    if let Some(v) = merged
        .get("extra")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
    {
        out.extra = v;
    }
    let mut kept: BTreeSet<Conflict> = ours.conflicts.iter().chain(&theirs.conflicts).cloned().collect();
    for c in found {
        report.conflicts.push((None, c.clone()));
        kept.insert(c);
    }
    kept.extend(doc_conflicts);
    out.conflicts = kept.into_iter().collect();

    restore_referenced(base, &mut out, &mut report);
    follow_renames(base, ours, theirs, &mut out);
    out.sort();
    (out, report)
}

/// An item merged by id: annotations, relations and events.
trait Mergeable: Clone + PartialEq + Serialize + for<'de> Deserialize<'de> {
    /// What kind of item, for conflicts kept on the document.
    const NAME: &'static str;
    /// Its id.
    fn id(&self) -> &AnnId;
    /// Removes and returns the conflicts it holds, so they are not compared as
    /// fields. Only annotations hold conflicts; others have none.
    fn take_conflicts(&mut self) -> Vec<Conflict> {
        Vec::new()
    }
    /// Keeps `c` on the item; gives it back when the item cannot hold
    /// conflicts (the caller then keeps it on the document).
    fn hold(&mut self, c: Conflict) -> Option<Conflict> {
        Some(c)
    }
}

impl Mergeable for Annotation {
    const NAME: &'static str = "annotation";
    fn id(&self) -> &AnnId {
        &self.id
    }
    fn take_conflicts(&mut self) -> Vec<Conflict> {
        std::mem::take(&mut self.conflicts)
    }
    fn hold(&mut self, c: Conflict) -> Option<Conflict> {
        if !self.conflicts.contains(&c) {
            self.conflicts.push(c);
            self.conflicts.sort();
        }
        None
    }
}

impl Mergeable for Relation {
    const NAME: &'static str = "relation";
    fn id(&self) -> &AnnId {
        &self.id
    }
}

impl Mergeable for Event {
    const NAME: &'static str = "event";
    fn id(&self) -> &AnnId {
        &self.id
    }
}

/// Merges one kind of item by id. Conflicts an item cannot hold go to `doc`,
/// their field prefixed with the item's kind and id.
fn merge_items<T: Mergeable>(
    base: &[T],
    ours: &[T],
    theirs: &[T],
    report: &mut MergeReport,
    doc: &mut Vec<Conflict>,
) -> Vec<T> {
    let by_id = |items: &[T]| -> BTreeMap<AnnId, T> {
        // A hand-edited file can repeat an id: the first one counts, as everywhere.
        let mut m = BTreeMap::new();
        for x in items {
            m.entry(x.id().clone()).or_insert_with(|| x.clone());
        }
        m
    };
    let (o, a, b) = (by_id(base), by_id(ours), by_id(theirs));
    let ids: BTreeSet<&AnnId> = o.keys().chain(a.keys()).chain(b.keys()).collect();
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let mut keep = |mut item: T, found: Vec<Conflict>, report: &mut MergeReport| {
        for c in found {
            let id = item.id().clone();
            report.conflicts.push((Some(id.clone()), c.clone()));
            if let Some(mut c) = item.hold(c) {
                c.field = format!("{} {id}: {}", T::NAME, c.field);
                doc.push(c);
            }
        }
        out.push(item);
    };
    for key in ids {
        match (o.get(key), a.get(key), b.get(key)) {
            (_, Some(x), Some(y)) if x == y => keep(x.clone(), Vec::new(), report),
            (Some(base), Some(x), Some(y)) if x == base => keep(y.clone(), Vec::new(), report),
            (Some(base), Some(x), Some(y)) if y == base => keep(x.clone(), Vec::new(), report),
            (base, Some(x), Some(y)) => {
                report.combined += 1;
                let (item, found) = merge_fields(base, x, y);
                keep(item, found, report);
            }
            (None, Some(x), None) | (None, None, Some(x)) => {
                report.added += 1;
                keep(x.clone(), Vec::new(), report);
            }
            (Some(base), Some(x), None) | (Some(base), None, Some(x)) if x == base => report.deleted += 1,
            (Some(_), Some(x), None) => {
                let c = Conflict {
                    field: DELETED.into(),
                    ours: "\"changed\"".into(),
                    theirs: "null".into(),
                };
                keep(x.clone(), vec![c], report);
            }
            (Some(_), None, Some(y)) => {
                // We deleted what they changed: their change is kept, so
                // nothing is lost, and the deletion is reported.
                let c = Conflict {
                    field: DELETED.into(),
                    ours: "null".into(),
                    theirs: "\"changed\"".into(),
                };
                keep(y.clone(), vec![c], report);
            }
            (_, None, None) => report.deleted += 1,
        }
    }
    out
}

/// Merges one item both sides changed, field by field: the merged item and
/// the conflicts found (conflicts either side already held are kept on it).
fn merge_fields<T: Mergeable>(base: Option<&T>, ours: &T, theirs: &T) -> (T, Vec<Conflict>) {
    let mut held = Vec::new();
    let mut strip = |x: &T| {
        let mut x = x.clone();
        held.extend(x.take_conflicts());
        fold_extent(to_json(&x))
    };
    let (o, a, b) = (base.map(&mut strip), strip(ours), strip(theirs));
    let mut found = Vec::new();
    let merged = merge_value("", o.as_ref(), Some(&a), Some(&b), &mut found).map(unfold_extent);
    let mut out: T = match merged.and_then(|v| serde_json::from_value(v).ok()) {
        Some(v) => v,
        // The merged fields always come from values of the same type; should
        // they ever not form one, ours is kept whole and theirs recorded.
        None => {
            found = vec![Conflict {
                field: String::new(),
                ours: a.to_string(),
                theirs: b.to_string(),
            }];
            let mut x = ours.clone();
            x.take_conflicts();
            x
        }
    };
    for c in held {
        // Already-held conflicts stay where they were, reported when first found.
        let _ = out.hold(c);
    }
    (out, found)
}

/// Fields whose two new values are combined rather than chosen between.
fn settle(path: &str, a: &Value, b: &Value) -> Option<Value> {
    match path {
        // Both sides stamp the time of their edit: the later edit is the modification
        // time, the earlier creation the creation time (RFC 3339 UTC sorts as text).
        "modified" => Some(if a.as_str() >= b.as_str() {
            a.clone()
        } else {
            b.clone()
        }),
        "created" => Some(if a.as_str() <= b.as_str() {
            a.clone()
        } else {
            b.clone()
        }),
        _ => None,
    }
}

/// Three-way merge of one JSON value; `None` means absent.
fn merge_value(
    path: &str,
    o: Option<&Value>,
    a: Option<&Value>,
    b: Option<&Value>,
    conflicts: &mut Vec<Conflict>,
) -> Option<Value> {
    if a == b {
        return a.cloned();
    }
    if a == o {
        return b.cloned();
    }
    if b == o {
        return a.cloned();
    }
    if let (Some(x), Some(y)) = (a, b)
        && let Some(v) = settle(path, x, y)
    {
        return Some(v);
    }
    if let (Some(Value::Object(x)), Some(Value::Object(y))) = (a, b) {
        let base = match o {
            Some(Value::Object(m)) => Some(m),
            _ => None,
        };
        // An enum is an object with one key, its variant: two different variants
        // cannot be combined field by field.
        let is_variant = |m: &Map<String, Value>| m.len() == 1;
        let same_variant = !(is_variant(x) && is_variant(y)) || x.keys().eq(y.keys());
        if same_variant && path != "extent" {
            let keys: BTreeSet<&String> = x
                .keys()
                .chain(y.keys())
                .chain(base.into_iter().flat_map(|m| m.keys()))
                .collect();
            let mut out = Map::new();
            for k in keys {
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if let Some(v) = merge_value(&sub, base.and_then(|m| m.get(k)), x.get(k), y.get(k), conflicts)
                {
                    out.insert(k.clone(), v);
                }
            }
            return Some(Value::Object(out));
        }
    }
    conflicts.push(Conflict {
        field: path.to_owned(),
        ours: a.map_or_else(|| "null".into(), Value::to_string),
        theirs: b.map_or_else(|| "null".into(), Value::to_string),
    });
    a.cloned()
}

/// Equivalences have no id: each is kept unless one side removed it.
fn merge_sets(base: &[Equivalence], ours: &[Equivalence], theirs: &[Equivalence]) -> Vec<Equivalence> {
    let norm = |e: &Equivalence| {
        let mut e = e.clone();
        e.members.sort();
        e
    };
    let o: BTreeSet<Equivalence> = base.iter().map(norm).collect();
    let a: BTreeSet<Equivalence> = ours.iter().map(norm).collect();
    let b: BTreeSet<Equivalence> = theirs.iter().map(norm).collect();
    a.union(&b)
        .filter(|e| (a.contains(e) && b.contains(e)) || !o.contains(e))
        .cloned()
        .collect()
}

/// One side deleted an annotation the other side's new relation, event or
/// equivalence refers to: the annotation comes back from the base, marked,
/// rather than the link being dropped.
fn restore_referenced(base: &DocAnnotations, out: &mut DocAnnotations, report: &mut MergeReport) {
    let present: BTreeSet<AnnId> = out
        .annotations
        .iter()
        .map(|a| a.id.clone())
        .chain(out.events.iter().map(|e| e.id.clone()))
        .collect();
    let mut wanted: BTreeSet<AnnId> = BTreeSet::new();
    for r in &out.relations {
        wanted.insert(r.from.clone());
        if r.to.doc.is_none() {
            wanted.insert(r.to.id.clone());
        }
    }
    for e in &out.events {
        wanted.insert(e.trigger.clone());
        wanted.extend(e.arguments.iter().map(|a| a.id.clone()));
    }
    for q in &out.equivalences {
        wanted.extend(q.members.iter().cloned());
    }
    for id in wanted.difference(&present) {
        if let Some(a) = base.get(id) {
            let mut a = a.clone();
            let c = Conflict {
                field: DELETED.into(),
                ours: "null".into(),
                theirs: "\"linked\"".into(),
            };
            a.conflicts.push(c.clone());
            report.conflicts.push((Some(a.id.clone()), c));
            out.annotations.push(a);
        }
    }
}

/// Canonical ids one side renamed: every annotation of the base with id `x`
/// that the side kept now has `y`, and nothing of that side has `x` any more.
fn renames(base: &DocAnnotations, side: &DocAnnotations) -> BTreeMap<String, String> {
    let mut seen: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for a in &base.annotations {
        let (Some(x), Some(now)) = (a.canonical(), side.get(&a.id)) else {
            continue;
        };
        let entry = seen.entry(x).or_insert_with(|| now.canonical());
        if *entry != now.canonical() {
            *entry = None;
        }
    }
    let still: BTreeSet<&str> = side
        .annotations
        .iter()
        .filter_map(Annotation::canonical)
        .collect();
    seen.into_iter()
        .filter_map(|(x, y)| Some((x, y?)))
        .filter(|(x, y)| x != y && !still.contains(x))
        .map(|(x, y)| (x.to_owned(), y.to_owned()))
        .collect()
}

/// One side renamed a canonical id while the other tagged new mentions with
/// the old one: the new mentions follow the rename, so the entity stays one.
fn follow_renames(
    base: &DocAnnotations,
    ours: &DocAnnotations,
    theirs: &DocAnnotations,
    out: &mut DocAnnotations,
) {
    let mut map = renames(base, ours);
    for (x, y) in renames(base, theirs) {
        // Both renamed the same id differently: that stays as each side left it.
        if map.get(&x).is_some_and(|mine| *mine != y) {
            map.remove(&x);
        } else {
            map.insert(x, y);
        }
    }
    if map.is_empty() {
        return;
    }
    for a in &mut out.annotations {
        if base.get(&a.id).is_some() {
            continue;
        }
        if let super::annotation::Kind::Entity { canonical: Some(c) } = &mut a.kind
            && let Some(y) = map.get(c.as_str())
        {
            *c = y.clone();
        }
    }
}

fn to_json<T: Serialize + ?Sized>(x: &T) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}
