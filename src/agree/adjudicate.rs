//! Adjudication: two or more annotators' versions of one document lined up
//! as one list, each item marked agreed, only in some versions, or differing
//! (label, extent or another field), with the edits that take a version's
//! choice into the current version.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::model::{AnnId, Annotation, DocAnnotations, Edit, Span, new_id};

/// Agreement pooled over documents: span counts and the token table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// Span counts over every label.
    pub spans: super::SpanScores,
    /// Token labels, for Cohen's kappa.
    pub tokens: super::Confusion,
    /// Documents pooled.
    pub documents: usize,
}

impl Tally {
    /// The tally of one document's two versions.
    pub fn of(doc: &crate::model::Document, a: &DocAnnotations, b: &DocAnnotations) -> Self {
        let c = super::compare_document(doc, a, b);
        let mut t = Tally {
            documents: 1,
            ..Default::default()
        };
        for s in c.spans.values() {
            t.spans.add(s);
        }
        t.tokens = c.tokens;
        t
    }

    /// Pools `other` into this tally.
    pub fn add(&mut self, other: &Tally) {
        self.spans.add(&other.spans);
        self.tokens.merge(&other.tokens);
        self.documents += other.documents;
    }

    /// "F1 0.82, κ 0.75" (a dash where a figure is undefined).
    pub fn describe(&self) -> String {
        let f = self
            .spans
            .exact()
            .f1
            .map_or("–".to_owned(), |f| format!("{f:.2}"));
        let k = self
            .tokens
            .kappa()
            .kappa
            .map_or("–".to_owned(), |k| format!("{k:.2}"));
        format!("F1 {f}, κ {k}")
    }
}

/// Agreement over the corpus beside the adjudicated document: between each
/// pair of versions, and of the current version with each, over every other
/// document (the adjudicated one is added live, as it changes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CorpusTally {
    /// ((i, j), tally) for each pair of versions, every document included.
    pub pairs: Vec<((usize, usize), Tally)>,
    /// For each version, the current version against it, without the adjudicated document.
    pub others: Vec<Tally>,
}

/// Pools the agreement of `versions` (each a list of (document, annotations)
/// in the same order as `docs`) over every document, and of `current` with each.
pub fn corpus_tally(
    docs: &[(crate::model::Document, DocAnnotations)],
    versions: &[Vec<DocAnnotations>],
    adjudicated: &str,
) -> CorpusTally {
    let n = versions.len();
    let mut out = CorpusTally {
        pairs: Vec::new(),
        others: vec![Tally::default(); n],
    };
    for i in 0..n {
        for j in i + 1..n {
            let mut t = Tally::default();
            for (k, (doc, _)) in docs.iter().enumerate() {
                if let (Some(a), Some(b)) = (versions[i].get(k), versions[j].get(k)) {
                    t.add(&Tally::of(doc, a, b));
                }
            }
            out.pairs.push(((i, j), t));
        }
    }
    for (v, other) in out.others.iter_mut().enumerate() {
        for (k, (doc, current)) in docs.iter().enumerate() {
            if doc.path == adjudicated {
                continue;
            }
            if let Some(x) = versions[v].get(k) {
                other.add(&Tally::of(doc, x, current));
            }
        }
    }
    out
}

/// How the versions stand on one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every version has it, the same.
    Agreed,
    /// Only these versions (indices) have it.
    OnlyIn(Vec<usize>),
    /// Every version has it, but they differ in these fields (`label`,
    /// `extent`, `kind.Claim.stance`, `attributes.role`, …).
    Differing(Vec<String>),
}

impl Verdict {
    /// Short words for the list: "agreed", "only in A", "differs: label".
    pub fn describe(&self, names: &[String]) -> String {
        match self {
            Verdict::Agreed => "agreed".into(),
            Verdict::OnlyIn(v) => {
                let who: Vec<&str> = v
                    .iter()
                    .filter_map(|&i| names.get(i).map(String::as_str))
                    .collect();
                format!("only in {}", who.join(", "))
            }
            Verdict::Differing(f) => format!("differs: {}", f.join(", ")),
        }
    }
}

/// One item of the union: what each version has for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Each version's annotation for it (`None` where a version lacks it).
    pub versions: Vec<Option<Annotation>>,
    /// How the versions stand.
    pub verdict: Verdict,
    /// The current version's annotation for it, if it has one.
    pub current: Option<Annotation>,
}

impl Item {
    /// Where it is, for sorting and scrolling: the first version's extent.
    pub fn extent(&self) -> Span {
        self.versions
            .iter()
            .flatten()
            .chain(self.current.as_ref())
            .map(Annotation::extent)
            .next()
            .unwrap_or(Span::new(0, 0))
    }

    /// The version whose choice the current version holds, if it matches one.
    pub fn chosen(&self) -> Option<usize> {
        let cur = self.current.as_ref()?;
        self.versions
            .iter()
            .position(|v| v.as_ref().is_some_and(|v| same_content(v, cur)))
    }

    /// True when the current version holds version `v`'s annotation for it.
    pub fn holds(&self, v: usize) -> bool {
        match (&self.current, self.versions.get(v)) {
            (Some(cur), Some(Some(x))) => same_content(x, cur),
            _ => false,
        }
    }

    /// True when the current version holds one version's annotation for it.
    pub fn settled(&self) -> bool {
        self.chosen().is_some()
    }
}

/// Fields that say who and when, not what: never a disagreement.
const BOOKKEEPING: [&str; 7] = [
    "id",
    "annotator",
    "created",
    "modified",
    "conflicts",
    "origin",
    "extra",
];

/// The annotation's fields that carry meaning, as JSON, with the selector
/// folded into `extent` (quote and context follow the spans).
fn content(a: &Annotation) -> serde_json::Map<String, Value> {
    let mut m = match serde_json::to_value(a) {
        Ok(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    for k in BOOKKEEPING.iter().chain(&["quote", "prefix", "suffix"]) {
        m.remove(*k);
    }
    if let Some(spans) = m.remove("spans") {
        m.insert("extent".into(), spans);
    }
    m
}

fn same_content(a: &Annotation, b: &Annotation) -> bool {
    content(a) == content(b)
}

/// The fields in which `a` and `b` differ, as dotted paths.
fn differences(a: &Annotation, b: &Annotation) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    diff_values(
        "",
        &Value::Object(content(a)),
        &Value::Object(content(b)),
        &mut out,
    );
    out
}

fn diff_values(path: &str, a: &Value, b: &Value, out: &mut BTreeSet<String>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if !(x.len() == 1 && y.len() == 1 && !x.keys().eq(y.keys())) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                diff_values(
                    &sub,
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        _ => {
            out.insert(if path.is_empty() {
                "kind".into()
            } else {
                path.to_owned()
            });
        }
    }
}

/// How well `b` stands for `a` when ids differ: same extent and label, same
/// extent, overlapping with the same label, overlapping; `None` when apart.
fn closeness(a: &Annotation, b: &Annotation) -> Option<u8> {
    let same_extent = a.spans == b.spans;
    let same_label = a.label == b.label;
    let overlap = a.spans.iter().any(|x| b.spans.iter().any(|y| x.overlaps(y)));
    match (same_extent, same_label, overlap) {
        (true, true, _) => Some(4),
        (true, false, _) => Some(3),
        (false, true, true) => Some(2),
        (false, false, true) => Some(1),
        _ => None,
    }
}

/// Lines up `versions` of one document, and the `current` version, into items
/// sorted by position. An annotation is the same item across versions when it
/// has the same id (versions that branched from one another keep ids), else
/// the closest unmatched one (same extent and label first).
pub fn line_up(versions: &[&DocAnnotations], current: &DocAnnotations) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    for (v, data) in versions.iter().enumerate() {
        let mut taken: BTreeSet<usize> = BTreeSet::new();
        let mut pending: Vec<&Annotation> = Vec::new();
        for a in &data.annotations {
            let by_id = items.iter().position(|it| {
                it.versions[v].is_none() && it.versions.iter().flatten().any(|x| x.id == a.id)
            });
            match by_id {
                Some(i) if taken.insert(i) => items[i].versions[v] = Some(a.clone()),
                _ => pending.push(a),
            }
        }
        for a in pending {
            let best = items
                .iter()
                .enumerate()
                .filter(|(i, it)| it.versions[v].is_none() && !taken.contains(i))
                .filter_map(|(i, it)| {
                    let c = it
                        .versions
                        .iter()
                        .flatten()
                        .filter_map(|x| closeness(a, x))
                        .max()?;
                    Some((c, std::cmp::Reverse(i)))
                })
                .max()
                .map(|(_, std::cmp::Reverse(i))| i);
            match best {
                Some(i) => {
                    taken.insert(i);
                    items[i].versions[v] = Some(a.clone());
                }
                None => {
                    let mut it = Item {
                        versions: vec![None; versions.len()],
                        verdict: Verdict::Agreed,
                        current: None,
                    };
                    it.versions[v] = Some(a.clone());
                    taken.insert(items.len());
                    items.push(it);
                }
            }
        }
    }
    for it in &mut items {
        it.verdict = verdict(&it.versions);
        it.current = current_of(it, current);
    }
    items.sort_by_key(|it| (it.extent().start, it.extent().end));
    items
}

fn verdict(versions: &[Option<Annotation>]) -> Verdict {
    let present: Vec<usize> = (0..versions.len()).filter(|&i| versions[i].is_some()).collect();
    if present.len() < versions.len() {
        return Verdict::OnlyIn(present);
    }
    let first = versions[0].as_ref().expect("every version has it");
    let mut fields = BTreeSet::new();
    for other in versions[1..].iter().flatten() {
        fields.extend(differences(first, other));
    }
    if fields.is_empty() {
        Verdict::Agreed
    } else {
        Verdict::Differing(fields.into_iter().collect())
    }
}

/// The current version's annotation for an item: by id, else the closest.
fn current_of(it: &Item, current: &DocAnnotations) -> Option<Annotation> {
    let ids: BTreeSet<&AnnId> = it.versions.iter().flatten().map(|a| &a.id).collect();
    if let Some(a) = current.annotations.iter().find(|a| ids.contains(&a.id)) {
        return Some(a.clone());
    }
    current
        .annotations
        .iter()
        .filter_map(|c| {
            let best = it
                .versions
                .iter()
                .flatten()
                .filter_map(|x| closeness(c, x))
                .max()?;
            (best >= 3).then_some((best, c))
        })
        .max_by_key(|(b, _)| *b)
        .map(|(_, c)| c.clone())
}

/// The edits that make the current version hold version `v`'s annotation for
/// `item`: its content over the current one's (keeping the current id), or
/// added (with a new id if its id is taken). `annotator` and `now` stamp it.
pub fn accept(item: &Item, v: usize, current: &DocAnnotations, annotator: &str, now: &str) -> Vec<Edit> {
    let Some(Some(chosen)) = item.versions.get(v) else {
        return Vec::new();
    };
    let mut a = chosen.clone();
    a.conflicts.clear();
    a.modified = now.into();
    match &item.current {
        Some(cur) if same_content(cur, chosen) => Vec::new(),
        Some(cur) => {
            a.id = cur.id.clone();
            a.created = cur.created.clone();
            a.annotator = annotator.into();
            vec![Edit::Replace(a)]
        }
        None => {
            if current.get(&a.id).is_some() {
                a.id = new_id("");
            }
            a.annotator = annotator.into();
            a.created = now.into();
            vec![Edit::Add(a)]
        }
    }
}

/// The edits that take `item` out of the current version.
pub fn reject(item: &Item) -> Vec<Edit> {
    item.current.iter().map(|c| Edit::Remove(c.id.clone())).collect()
}

/// The edits that accept every agreed item the current version lacks or holds differently.
pub fn accept_agreed(items: &[Item], current: &DocAnnotations, annotator: &str, now: &str) -> Vec<Edit> {
    let mut taken: BTreeSet<AnnId> = current.annotations.iter().map(|a| a.id.clone()).collect();
    let mut out = Vec::new();
    for it in items
        .iter()
        .filter(|it| it.verdict == Verdict::Agreed && !it.settled())
    {
        for e in accept(it, 0, current, annotator, now) {
            match e {
                Edit::Add(mut a) => {
                    if !taken.insert(a.id.clone()) {
                        a.id = new_id("");
                        taken.insert(a.id.clone());
                    }
                    out.push(Edit::Add(a));
                }
                other => out.push(other),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Kind, Stance};

    fn doc() -> Document {
        Document::new("d.txt", "Kim Jong Un met Xi Jinping in Beijing on Monday.")
    }

    fn ann(d: &Document, id: &str, s: usize, e: usize, label: &str) -> Annotation {
        let mut a = d.annotate(vec![Span::new(s, e)], label, Kind::entity(), "x");
        a.id = id.into();
        a
    }

    fn data(anns: Vec<Annotation>) -> DocAnnotations {
        let mut d = DocAnnotations {
            annotations: anns,
            ..Default::default()
        };
        d.sort();
        d
    }

    #[test]
    fn items_are_agreed_only_in_one_or_differing() {
        let d = doc();
        let a = data(vec![
            ann(&d, "k", 0, 11, "PERSON"),
            ann(&d, "x", 16, 26, "PERSON"),
            ann(&d, "b", 30, 37, "PLACE"),
        ]);
        let mut claim = d.annotate(vec![Span::new(0, 26)], "CLAIM", Kind::claim(), "y");
        claim.id = "c".into();
        let mut b_claim = claim.clone();
        if let Kind::Claim(c) = &mut b_claim.kind {
            c.stance = Stance::Reports;
        }
        let b = data(vec![
            ann(&d, "k2", 0, 11, "PERSON"),
            ann(&d, "x", 16, 26, "ORG"),
            ann(&d, "b", 30, 38, "PLACE"),
            claim.clone(),
        ]);
        let c = data(vec![
            ann(&d, "k3", 0, 11, "PERSON"),
            ann(&d, "x", 16, 26, "PERSON"),
            b_claim,
        ]);
        let items = line_up(&[&a, &b], &data(Vec::new()));
        let verdicts: Vec<&Verdict> = items.iter().map(|i| &i.verdict).collect();
        assert_eq!(
            verdicts,
            [
                &Verdict::Agreed,
                &Verdict::OnlyIn(vec![1]),
                &Verdict::Differing(vec!["label".into()]),
                &Verdict::Differing(vec!["extent".into()]),
            ]
        );
        let three = line_up(&[&b, &c], &data(Vec::new()));
        let claim_item = three
            .iter()
            .find(|i| i.versions[0].as_ref().is_some_and(|a| a.id == "c"))
            .unwrap();
        assert_eq!(
            claim_item.verdict,
            Verdict::Differing(vec!["kind.Claim.stance".into()])
        );
    }

    #[test]
    fn accepting_adds_or_replaces_and_rejecting_removes() {
        let d = doc();
        let a = data(vec![ann(&d, "x", 16, 26, "PERSON")]);
        let b = data(vec![ann(&d, "x", 16, 26, "ORG")]);
        let mut current = data(vec![ann(&d, "x", 16, 26, "PERSON")]);
        let items = line_up(&[&a, &b], &current);
        assert_eq!(items[0].chosen(), Some(0));
        let edits = accept(&items[0], 1, &current, "judge", "2026-12-06T00:00:00Z");
        let [Edit::Replace(r)] = &edits[..] else {
            panic!("{edits:?}")
        };
        assert_eq!(
            (r.id.as_str(), r.label.as_str(), r.annotator.as_str()),
            ("x", "ORG", "judge")
        );
        current.annotations[0].label = "ORG".into();
        let items = line_up(&[&a, &b], &current);
        assert_eq!(items[0].chosen(), Some(1));
        assert!(accept(&items[0], 1, &current, "judge", "t").is_empty());
        assert_eq!(reject(&items[0]), [Edit::Remove("x".into())]);
    }

    #[test]
    fn accept_all_agreed_takes_only_what_is_agreed_and_missing() {
        let d = doc();
        let a = data(vec![
            ann(&d, "k", 0, 11, "PERSON"),
            ann(&d, "b", 30, 37, "PLACE"),
            ann(&d, "m", 41, 47, "DATE"),
        ]);
        let b = data(vec![ann(&d, "k", 0, 11, "PERSON"), ann(&d, "b", 30, 37, "PLACE")]);
        let current = data(vec![ann(&d, "k", 0, 11, "PERSON")]);
        let items = line_up(&[&a, &b], &current);
        let edits = accept_agreed(&items, &current, "judge", "t");
        let [Edit::Add(added)] = &edits[..] else {
            panic!("{edits:?}")
        };
        assert_eq!(added.label, "PLACE");
    }
}
