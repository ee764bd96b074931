//! `annotation.conf`: written from a tag set, and read back into one.

use super::*;

/// File name of brat's configuration, in a brat folder and, kept from an
/// import, in the corpus root.
pub const CONF_FILE: &str = "annotation.conf";

/// What the documents of a brat export use that `annotation.conf` declares.
#[derive(Clone, Debug, Default)]
pub struct ConfUse {
    /// Labels of annotations.
    pub labels: BTreeSet<String>,
    /// Relation types, with the two roles of their `R` lines.
    pub relations: BTreeMap<String, (String, String)>,
    /// Event types (as written: their trigger's label) with the roles of their
    /// arguments, number suffixes taken off (`Theme2` is `Theme`).
    pub events: BTreeMap<String, BTreeSet<String>>,
    /// Attributes of events and of relations: name → values (none: a binary attribute).
    pub event_attributes: BTreeMap<String, BTreeSet<String>>,
    /// Attributes of relations.
    pub relation_attributes: BTreeMap<String, BTreeSet<String>>,
}

impl ConfUse {
    /// Notes what one document uses.
    pub fn note(&mut self, data: &DocAnnotations) {
        for a in &data.annotations {
            if !self.labels.contains(a.label.as_str()) {
                self.labels.insert(a.label.to_string());
            }
        }
        for r in &data.relations {
            let roles = r
                .attributes
                .get(write::ROLES_KEY)
                .and_then(|v| v.split_once(' '))
                .filter(|(a, b)| is_role(a) && is_role(b) && a != b)
                .unwrap_or(("Arg1", "Arg2"));
            self.relations
                .entry(r.kind.clone())
                .or_insert_with(|| (roles.0.to_owned(), roles.1.to_owned()));
            note_attributes(&mut self.relation_attributes, &r.attributes);
        }
        for e in &data.events {
            let Some(t) = data.get(&e.trigger) else { continue };
            let roles = self.events.entry(brat_type(&t.label)).or_default();
            // Only roles the `E` line can hold; the others travel in a note.
            for a in e.arguments.iter().filter(|a| is_role(&a.role)) {
                let base = a.role.trim_end_matches(|c: char| c.is_ascii_digit());
                roles.insert(if base.is_empty() {
                    a.role.to_string()
                } else {
                    base.to_owned()
                });
            }
            note_attributes(&mut self.event_attributes, &e.attributes);
        }
    }

    /// Adds what another part of the corpus uses.
    pub fn merge(&mut self, other: ConfUse) {
        self.labels.extend(other.labels);
        for (k, v) in other.relations {
            self.relations.entry(k).or_insert(v);
        }
        for (k, v) in other.events {
            self.events.entry(k).or_default().extend(v);
        }
        for (k, v) in other.event_attributes {
            self.event_attributes.entry(k).or_default().extend(v);
        }
        for (k, v) in other.relation_attributes {
            self.relation_attributes.entry(k).or_default().extend(v);
        }
    }
}

/// Notes the attributes that `A` lines carry (as the writer decides).
fn note_attributes(into: &mut BTreeMap<String, BTreeSet<String>>, attrs: &crate::model::Attributes) {
    for (k, v) in attrs {
        if is_token(k) && (v.is_empty() || is_token(v)) && !k.starts_with("brat:") {
            let values = into.entry(k.clone()).or_default();
            if !v.is_empty() {
                values.insert(v.clone());
            }
        }
    }
}

/// The four sections of `annotation.conf`, in the order brat lists them.
const SECTIONS: [&str; 4] = ["entities", "relations", "events", "attributes"];

/// One declaration the export wants: its section (index into [`SECTIONS`]),
/// the name it declares, and its line.
type Declaration = (usize, String, String);

/// Every declaration the tag set and the documents call for.
fn declarations(tagset: &TagSet, uses: &ConfUse) -> Vec<Declaration> {
    let mut out: Vec<Declaration> = Vec::new();
    let mut names: Vec<String> = tagset.labels.iter().map(|l| brat_type(&l.name)).collect();
    names.extend(uses.labels.iter().map(|l| brat_type(l)));
    let mut seen = BTreeSet::new();
    for n in names {
        // Event types are declared under [events]; brat wants a trigger's type there.
        if seen.insert(n.clone()) && !uses.events.contains_key(&n) {
            out.push((0, n.clone(), n));
        }
    }
    let mut rels: Vec<(String, (String, String))> = tagset
        .relations
        .iter()
        .map(|r| (r.clone(), ("Arg1".to_owned(), "Arg2".to_owned())))
        .collect();
    rels.extend(uses.relations.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut seen = BTreeSet::new();
    for (r, (a, b)) in rels {
        if is_token(&r) && seen.insert(r.clone()) {
            out.push((1, r.clone(), format!("{r}\t{a}:<ENTITY>, {b}:<ENTITY>")));
        }
    }
    for (ty, roles) in &uses.events {
        let args: Vec<String> = roles.iter().map(|r| format!("{r}*:<ENTITY>|<EVENT>")).collect();
        let line = if args.is_empty() {
            ty.clone()
        } else {
            format!("{ty}\t{}", args.join(", "))
        };
        out.push((2, ty.clone(), line));
    }
    // brat attribute names are global: merge the labels and values of equal names.
    let mut attrs: BTreeMap<&str, (Vec<String>, Vec<&str>)> = BTreeMap::new();
    for l in &tagset.labels {
        for a in &l.attributes {
            // No value list is declared as a brat binary attribute (`Name Arg:X`), the only
            // declaration brat has for an attribute without fixed values.
            if !is_token(&a.name) || a.values.iter().any(|v| !is_token(v)) {
                continue;
            }
            let e = attrs.entry(&a.name).or_default();
            e.0.push(brat_type(&l.name));
            for v in &a.values {
                if !e.1.contains(&v.as_str()) {
                    e.1.push(v);
                }
            }
        }
    }
    let claims: Vec<String> = tagset
        .labels
        .iter()
        .filter(|l| l.kind == LabelKind::Claim)
        .map(|l| brat_type(&l.name))
        .collect();
    if !claims.is_empty() {
        let stances: Vec<&str> = Stance::ALL.iter().map(|s| s.as_str()).collect();
        let types: Vec<&str> = ClaimType::ALL.iter().map(|s| s.as_str()).collect();
        attrs.insert(STANCE_ATTR, (claims.clone(), stances));
        attrs.insert(CLAIM_TYPE_ATTR, (claims, types));
    }
    for (on, used) in [
        ("<EVENT>", &uses.event_attributes),
        ("<RELATION>", &uses.relation_attributes),
    ] {
        for (name, values) in used {
            let e = attrs.entry(name).or_default();
            e.0.push(on.to_owned());
            for v in values {
                if !e.1.contains(&v.as_str()) {
                    e.1.push(v);
                }
            }
        }
    }
    for (name, (args, values)) in attrs {
        let line = if values.is_empty() {
            format!("{name}\tArg:{}", args.join("|"))
        } else {
            format!("{name}\tArg:{}, Value:{}", args.join("|"), values.join("|"))
        };
        out.push((3, name.to_owned(), line));
    }
    out
}

/// `annotation.conf` for a brat export: `kept` (the file an import kept in
/// the corpus) as it is, with the declarations the tag set and the documents
/// need and it lacks added at the end of their sections; without one, every
/// declaration written from the tag set and the documents.
pub fn annotation_conf(kept: Option<&str>, tagset: &TagSet, uses: &ConfUse) -> String {
    let wanted = declarations(tagset, uses);
    let Some(kept) = kept else {
        let mut out = String::from("# Written by Marginalia from the corpus tag set.\n");
        for (k, section) in SECTIONS.iter().enumerate() {
            if k > 0 {
                out.push('\n');
            }
            out.push_str(&format!("[{section}]\n"));
            for (_, _, line) in wanted.iter().filter(|w| w.0 == k) {
                out.push_str(line);
                out.push('\n');
            }
        }
        return out;
    };
    let parsed = parse_conf(kept);
    let declared = |k: usize, name: &str| {
        // A type is declared once, as an entity or as an event.
        let also = match k {
            0 => Some(2),
            2 => Some(0),
            _ => None,
        };
        parsed.declares(k, name) || also.is_some_and(|o| parsed.declares(o, name))
    };
    let mut missing: [Vec<&str>; 4] = Default::default();
    for (k, name, line) in &wanted {
        if !declared(*k, name) {
            missing[*k].push(line);
        }
    }
    if missing.iter().all(Vec::is_empty) {
        return kept.to_owned();
    }
    const ADDED: &str = "# Added by Marginalia: types the corpus uses that this file did not declare.";
    let lines: Vec<&str> = kept.lines().collect();
    let mut after: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    let mut appended = String::new();
    for (k, section) in SECTIONS.iter().enumerate() {
        if missing[k].is_empty() {
            continue;
        }
        match parsed.ends.get(k).copied().flatten() {
            Some(at) => {
                let v = after.entry(at).or_default();
                v.push(ADDED);
                v.extend(&missing[k]);
            }
            None => {
                appended.push_str(&format!("\n[{section}]\n{ADDED}\n"));
                for l in &missing[k] {
                    appended.push_str(l);
                    appended.push('\n');
                }
            }
        }
    }
    let mut out = String::with_capacity(kept.len() + 256);
    for (i, l) in lines.iter().enumerate() {
        out.push_str(l);
        out.push('\n');
        for add in after.get(&i).into_iter().flatten() {
            out.push_str(add);
            out.push('\n');
        }
    }
    out.push_str(&appended);
    out
}

/// One line of `annotation.conf` that declares something.
struct ConfLine {
    /// Index into [`SECTIONS`], or `None` in another section.
    section: Option<usize>,
    /// The type or attribute name (the first term, without `!`).
    name: String,
    /// True for a type marked `!`: a grouping in the hierarchy, not used to annotate.
    abstract_: bool,
    /// The argument list after the name, macros expanded (`Arg:X, Value:a|b`).
    args: String,
}

/// `annotation.conf` as brat reads it: sections, declarations with macros
/// expanded; comments, blank lines and separator lines (`-----`) skipped.
struct ParsedConf {
    lines: Vec<ConfLine>,
    /// For each of [`SECTIONS`], the index (in the file's lines) of its last
    /// line that is not blank, or of its header when it has none.
    ends: Vec<Option<usize>>,
}

impl ParsedConf {
    fn declares(&self, section: usize, name: &str) -> bool {
        self.lines
            .iter()
            .any(|l| l.section == Some(section) && l.name == name)
    }
}

fn parse_conf(conf: &str) -> ParsedConf {
    let mut section: Option<usize> = None;
    let mut in_known = false;
    let mut macros: Vec<(String, String)> = Vec::new();
    let mut lines = Vec::new();
    let mut ends = vec![None; SECTIONS.len()];
    for (i, raw) in conf.lines().enumerate() {
        let l = raw.trim();
        if let Some(name) = l.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
            section = SECTIONS.iter().position(|s| *s == name.trim());
            in_known = section.is_some();
            if let Some(k) = section {
                ends[k] = Some(i);
            }
            continue;
        }
        if l.is_empty() {
            continue;
        }
        if let Some(k) = section.filter(|_| in_known) {
            ends[k] = Some(i);
        }
        if l.starts_with('#') || l.chars().all(|c| c == '-') {
            continue;
        }
        // `<NAME>=value` defines a macro for the lines after it.
        if l.starts_with('<')
            && let Some((name, value)) = l.split_once(">=")
        {
            macros.push((format!("{name}>"), value.trim().to_owned()));
            continue;
        }
        let mut line = l.to_owned();
        for (name, value) in &macros {
            line = line.replace(name.as_str(), value);
        }
        let (terms, args) = line
            .split_once(char::is_whitespace)
            .map_or((line.as_str(), ""), |(t, a)| (t, a.trim()));
        let first = terms.split('|').next().unwrap_or("").trim();
        let (name, abstract_) = match first.strip_prefix('!') {
            Some(n) => (n, true),
            None => (first, false),
        };
        if name.is_empty() {
            continue;
        }
        lines.push(ConfLine {
            section,
            name: name.to_owned(),
            abstract_,
            args: args.to_owned(),
        });
    }
    ParsedConf { lines, ends }
}

/// Reads `annotation.conf` into a tag set; labels seen only in the data are added by the caller.
/// Entity and event types become labels (not the `!` ones, which only group
/// others, nor separators); relation types become relation types; attributes
/// go to the labels they are declared for (`<ENTITY>` and `<EVENT>` for every
/// entity or event label). Labels carrying a `Stance` attribute become claim labels.
pub fn tagset_from_conf(conf: &str) -> TagSet {
    let conf = conf.strip_prefix('\u{feff}').unwrap_or(conf);
    let parsed = parse_conf(conf);
    let mut labels: Vec<(String, bool)> = Vec::new();
    let mut relations: Vec<String> = Vec::new();
    let mut attrs: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    for l in &parsed.lines {
        let reserved = l.name.starts_with('<');
        match l.section {
            Some(k @ (0 | 2)) if !l.abstract_ && !reserved && !labels.iter().any(|(n, _)| *n == l.name) => {
                labels.push((l.name.clone(), k == 2));
            }
            Some(1) if !reserved && l.name != "ENTITY-NESTING" && !relations.contains(&l.name) => {
                relations.push(l.name.clone())
            }
            Some(3) if !reserved => {
                let mut args = Vec::new();
                let mut values = Vec::new();
                for part in l.args.split(',') {
                    let part = part.trim();
                    if let Some(a) = part.strip_prefix("Arg:") {
                        args = a.split('|').map(|s| s.trim().to_owned()).collect();
                    } else if let Some(v) = part.strip_prefix("Value:") {
                        values = v.split('|').map(|s| s.trim().to_owned()).collect();
                    }
                }
                attrs.push((l.name.clone(), args, values));
            }
            _ => {}
        }
    }
    let claim_labels: Vec<String> = attrs
        .iter()
        .filter(|(n, _, _)| n == STANCE_ATTR || n == CLAIM_TYPE_ATTR)
        .flat_map(|(_, a, _)| a.clone())
        .collect();
    let mut set = TagSet {
        labels: Vec::new(),
        relations,
        relation_labels: Default::default(),
    };
    for (name, is_event) in labels {
        let kind = if claim_labels.contains(&name) {
            LabelKind::Claim
        } else {
            LabelKind::Entity
        };
        let any = if is_event { "<EVENT>" } else { "<ENTITY>" };
        let attributes = attrs
            .iter()
            .filter(|(n, args, _)| {
                n != STANCE_ATTR && n != CLAIM_TYPE_ATTR && args.iter().any(|a| *a == name || a == any)
            })
            .map(|(n, _, v)| AttributeDef {
                name: n.clone(),
                values: v.iter().map(|s| s.trim_start_matches('!').to_owned()).collect(),
            })
            .collect();
        add_label(&mut set, &name, kind, attributes);
    }
    set
}

/// Adds a label with the next colour and a free hotkey (1–9) if it is not there yet.
pub fn add_label(set: &mut TagSet, name: &str, kind: LabelKind, attributes: Vec<AttributeDef>) {
    if set.label(name).is_some() {
        return;
    }
    let n = set.labels.len();
    let hotkey = (1..=9)
        .map(|d: u32| d.to_string())
        .find(|k| set.labels.iter().all(|l| l.hotkey.as_deref() != Some(k.as_str())))
        .filter(|_| n < 9);
    set.labels.push(LabelDef {
        name: name.to_owned(),
        colour: NAMED_COLOURS[n % NAMED_COLOURS.len()].0.to_owned(),
        hotkey,
        kind,
        attributes,
        description: String::new(),
    });
}

/// Writes a tag set as RON that [`TagSet::parse`] reads back.
pub fn tagset_to_ron(set: &TagSet) -> String {
    let lit = |s: &str| ron::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut out = String::from(
        "// Tag set made by `marginalia import` from brat's annotation.conf.\n(\n    labels: [\n",
    );
    for l in &set.labels {
        let attrs: Vec<String> = l
            .attributes
            .iter()
            .map(|a| {
                let vals: Vec<String> = a.values.iter().map(|v| lit(v)).collect();
                format!("(name: {}, values: [{}])", lit(&a.name), vals.join(", "))
            })
            .collect();
        out.push_str(&format!(
            "        (name: {}, colour: {}, hotkey: {}, kind: {}, description: {}, attributes: [{}]),\n",
            lit(&l.name),
            lit(&l.colour),
            l.hotkey
                .as_deref()
                .map_or("None".to_owned(), |h| format!("Some({})", lit(h))),
            match l.kind {
                LabelKind::Entity => "Entity",
                LabelKind::Claim => "Claim",
            },
            lit(&l.description),
            attrs.join(", ")
        ));
    }
    let rels: Vec<String> = set.relations.iter().map(|r| lit(r)).collect();
    out.push_str(&format!("    ],\n    relations: [{}],\n)\n", rels.join(", ")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shaped like the configurations of the BioNLP shared-task corpora.
    const CONF: &str = "[entities]\n\
Protein\n\
!Physical_entity\n\
 Gene|gene\n\
 ----------\n\
Entity\n\
\n\
[relations]\n\
<POG>=Protein|Gene\n\
Equiv\tArg1:<POG>, Arg2:<POG>, <REL-TYPE>:symmetric-transitive\n\
ENTITY-NESTING\tArg1:<ENTITY>, Arg2:<ENTITY>\n\
<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n\
\n\
[events]\n\
# Gene expression and friends\n\
Gene_expression|GO:0010467\tTheme:Protein\n\
-----\n\
Positive_regulation\tTheme:Protein|<EVENT>, Cause?:Protein|<EVENT>\n\
\n\
[attributes]\n\
Negation\tArg:<EVENT>\n\
Speculation\tArg:<EVENT>\n\
Confidence\tArg:Protein, Value:High|Low\n";

    #[test]
    fn separators_macros_and_abstract_types_are_not_labels() {
        let set = tagset_from_conf(CONF);
        let names: Vec<&str> = set.labels.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Protein",
                "Gene",
                "Entity",
                "Gene_expression",
                "Positive_regulation"
            ]
        );
        assert_eq!(set.relations, ["Equiv"]);
        // Event attributes go to event labels, a named one to its label.
        let attrs = |l: &str| -> Vec<String> {
            set.label(l)
                .unwrap()
                .attributes
                .iter()
                .map(|a| a.name.clone())
                .collect()
        };
        assert_eq!(attrs("Positive_regulation"), ["Negation", "Speculation"]);
        assert_eq!(attrs("Protein"), ["Confidence"]);
        assert!(attrs("Gene").is_empty());
    }

    #[test]
    fn a_kept_conf_comes_back_as_it_was_and_gains_only_what_it_lacks() {
        let set = tagset_from_conf(CONF);
        let mut uses = ConfUse::default();
        uses.labels.insert("Protein".into());
        uses.events
            .insert("Gene_expression".into(), ["Theme".into()].into());
        assert_eq!(annotation_conf(Some(CONF), &set, &uses), CONF);
        uses.labels.insert("Two words".into());
        uses.relations
            .insert("Binds".into(), ("Arg1".into(), "Arg2".into()));
        uses.event_attributes.insert("Hedged".into(), BTreeSet::new());
        let out = annotation_conf(Some(CONF), &set, &uses);
        let added = |after: &str, line: &str| {
            let lines: Vec<&str> = out.lines().collect();
            let at = lines
                .iter()
                .position(|l| *l == after)
                .unwrap_or_else(|| panic!("{after}\n{out}"));
            assert!(lines[at + 1].starts_with("# Added by Marginalia"), "{out}");
            assert_eq!(lines[at + 2], line, "{out}");
        };
        added("Entity", "Two_words");
        added(
            "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
            "Binds\tArg1:<ENTITY>, Arg2:<ENTITY>",
        );
        added("Confidence\tArg:Protein, Value:High|Low", "Hedged\tArg:<EVENT>");
        // Everything that was there still is, in its place.
        let kept: Vec<&str> = out.lines().filter(|l| CONF.lines().any(|c| c == *l)).collect();
        assert_eq!(kept, CONF.lines().collect::<Vec<_>>());
    }

    #[test]
    fn without_a_kept_conf_event_types_are_declared_as_events() {
        let mut uses = ConfUse::default();
        uses.labels.extend(["Protein".to_owned(), "Binding".to_owned()]);
        uses.events
            .insert("Binding".into(), ["Theme".into(), "Site".into()].into());
        uses.event_attributes.insert("Negation".into(), BTreeSet::new());
        let out = annotation_conf(None, &TagSet::builtin(), &uses);
        let section = |name: &str| -> Vec<&str> {
            out.split(&format!("[{name}]\n"))
                .nth(1)
                .unwrap()
                .split("\n[")
                .next()
                .unwrap()
                .lines()
                .collect()
        };
        assert!(section("entities").contains(&"Protein"));
        assert!(!section("entities").contains(&"Binding"));
        assert_eq!(
            section("events"),
            ["Binding\tSite*:<ENTITY>|<EVENT>, Theme*:<ENTITY>|<EVENT>"]
        );
        assert!(section("attributes").contains(&"Negation\tArg:<EVENT>"));
    }
}
