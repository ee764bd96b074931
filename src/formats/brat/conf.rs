//! `annotation.conf`: written from a tag set, and read back into one.

use super::*;

/// `annotation.conf` for a tag set, plus any labels and relation types found in the data.
pub fn annotation_conf(tagset: &TagSet, labels: &BTreeSet<String>, relations: &BTreeSet<String>) -> String {
    let mut out = String::from("# Written by Marginalia from the corpus tag set.\n[entities]\n");
    let mut names: Vec<&str> = tagset.labels.iter().map(|l| l.name.as_str()).collect();
    for l in labels {
        if !names.contains(&l.as_str()) {
            names.push(l);
        }
    }
    names.dedup_by_key(|n| brat_type(n));
    for n in &names {
        out.push_str(&brat_type(n));
        out.push('\n');
    }
    out.push_str("\n[relations]\n");
    let mut rels: Vec<&str> = tagset.relations.iter().map(String::as_str).collect();
    for r in relations {
        if !rels.contains(&r.as_str()) {
            rels.push(r);
        }
    }
    for r in rels.iter().filter(|r| is_token(r)) {
        out.push_str(&format!("{r}\tArg1:<ENTITY>, Arg2:<ENTITY>\n"));
    }
    out.push_str("\n[events]\n\n[attributes]\n");
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
    for (name, (args, values)) in attrs {
        if values.is_empty() {
            out.push_str(&format!("{name}\tArg:{}\n", args.join("|")));
        } else {
            out.push_str(&format!(
                "{name}\tArg:{}, Value:{}\n",
                args.join("|"),
                values.join("|")
            ));
        }
    }
    out
}

/// Reads `annotation.conf` into a tag set; labels seen only in the data are added by the caller.
/// Labels carrying a `Stance` attribute become claim labels.
pub fn tagset_from_conf(conf: &str) -> TagSet {
    let mut section = String::new();
    let mut labels: Vec<String> = Vec::new();
    let mut relations: Vec<String> = Vec::new();
    let mut attrs: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    for raw in conf.lines() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if l.starts_with('[') && l.ends_with(']') {
            section = l[1..l.len() - 1].trim().to_owned();
            continue;
        }
        let first = l
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_start_matches('!')
            .to_owned();
        if first.is_empty() || first.starts_with('<') {
            continue;
        }
        match section.as_str() {
            "entities" | "events" if !labels.contains(&first) => labels.push(first),
            "relations" if !relations.contains(&first) => relations.push(first),
            "attributes" => {
                let rest = l[l.find(char::is_whitespace).unwrap_or(l.len())..].trim();
                let mut args = Vec::new();
                let mut values = Vec::new();
                for part in rest.split(',') {
                    let part = part.trim();
                    if let Some(a) = part.strip_prefix("Arg:") {
                        args = a.split('|').map(|s| s.trim().to_owned()).collect();
                    } else if let Some(v) = part.strip_prefix("Value:") {
                        values = v.split('|').map(|s| s.trim().to_owned()).collect();
                    }
                }
                attrs.push((first, args, values));
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
    for name in labels {
        let kind = if claim_labels.contains(&name) {
            LabelKind::Claim
        } else {
            LabelKind::Entity
        };
        let attributes = attrs
            .iter()
            .filter(|(n, args, _)| {
                n != STANCE_ATTR
                    && n != CLAIM_TYPE_ATTR
                    && args
                        .iter()
                        .any(|a| a == &name || a == "<ENTITY>" || a == "<EVENT>")
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
