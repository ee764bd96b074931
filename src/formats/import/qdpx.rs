//! Importing a REFI-QDA project (`.qdpx`): codes become the tag set, text
//! sources documents, coded selections annotations, links relations, and
//! notes are kept (a note Marginalia wrote gives back the annotation's fields).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::Value;

use super::{
    Doc, ImportError, ImportReport, Lost, Names, Text, ToWrite, destination_tagset, finish_tagset,
    prepare_into, record_all, write_all,
};
use crate::formats::qdpx::read::{Project, Selection, Source, read_project};
use crate::formats::qdpx::{NoteFields, parse_note};
use crate::formats::{Skipped, brat, jsonl};
use crate::model::{
    AnnId, Annotation, DocAnnotations, Document, Kind, LabelKind, Relation, Span, Speaker, Target,
};

/// A document read from the project, before it is written.
struct Imported {
    rel: String,
    from: String,
    doc: Document,
    data: DocAnnotations,
}

/// An annotation's id from a GUID: `q` and the GUID's first twelve hex digits.
fn id_of(guid: &str) -> String {
    let hex: String = guid.chars().filter(char::is_ascii_hexdigit).take(12).collect();
    format!("q{}", hex.to_lowercase())
}

fn time_or(t: Option<&String>, now: &str) -> String {
    match t {
        Some(t) if crate::formats::qdpx::is_datetime(t) => t.clone(),
        _ => now.to_owned(),
    }
}

/// Imports a REFI-QDA project into `into`: every text source (and the text of
/// every PDF source) becomes a document named after the source, each coding of
/// a selection an annotation labelled with its code, and the code book the tag
/// set when the destination has none. What the project holds that Marginalia
/// cannot keep (pictures, audio, cases, sets…) is reported.
pub fn import_qdpx(file: &Path, into: &Path) -> Result<ImportReport, ImportError> {
    let project = read_project(file).map_err(|e| ImportError::Source(file.to_path_buf(), e))?;
    let fname = file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let dest = prepare_into(into)?;
    let mut report = ImportReport::default();
    let (mut set, had_own) = destination_tagset(into);
    let now = crate::model::now_rfc3339();
    let lost = |report: &mut ImportReport, file: &str, what: String| {
        report.lost.push(Lost {
            file: file.to_owned(),
            what,
        })
    };
    for what in &project.lost {
        lost(&mut report, &fname, what.clone());
    }
    let mut names = Names::default();
    let mut docs: Vec<Imported> = Vec::new();
    // Where each selection went: (document index, annotation id), for links and speakers.
    let mut placed: HashMap<String, (usize, AnnId)> = HashMap::new();
    let mut unused_variables: BTreeMap<String, usize> = BTreeMap::new();
    for src in &project.sources {
        let here = format!("{fname}: {}", src.name);
        let (rel, note) = names.name_for_id(&src.name);
        if let Some(note) = note {
            lost(&mut report, &here, note);
        }
        for what in &src.lost {
            lost(&mut report, &here, what.clone());
        }
        let text = match &src.text {
            Ok(t) => t,
            Err(why) => {
                report.skipped.push(Skipped {
                    path: here,
                    reason: why.clone(),
                });
                continue;
            }
        };
        let doc = Document::new(rel.as_str(), text.as_str());
        let k = docs.len();
        let (data, what) = annotations(&project, src, &doc, &set, &now, |guid, id| {
            placed.insert(guid.to_owned(), (k, id));
        });
        for w in what {
            lost(&mut report, &here, w);
        }
        let mut data = data;
        let vars: serde_json::Map<String, Value> = src
            .variables
            .iter()
            .map(|(n, v)| (n.clone(), Value::String(v.clone())))
            .collect();
        let (meta, unused) = jsonl::meta_fields(&Value::Object(vars));
        *data.meta = meta;
        for u in unused {
            *unused_variables.entry(u).or_default() += 1;
        }
        docs.push(Imported {
            rel,
            from: here,
            doc,
            data,
        });
    }
    for (name, n) in unused_variables {
        lost(
            &mut report,
            &fname,
            format!("the variable \"{name}\" of {n} source(s): Marginalia has no field for it"),
        );
    }
    link(&project, &placed, &mut docs, &mut report, &fname);
    // The code book is the tag set: every codable code, in its order, a claim
    // label when the annotations made with it are claims.
    let claim_labels: std::collections::HashSet<&str> = docs
        .iter()
        .flat_map(|d| &d.data.annotations)
        .filter(|a| a.kind.is_claim())
        .map(|a| a.label.as_str())
        .collect();
    for code in &project.codes {
        if set.label(&code.name).is_some() {
            continue;
        }
        let kind = if claim_labels.contains(code.name.as_str()) {
            LabelKind::Claim
        } else {
            LabelKind::Entity
        };
        brat::add_label(&mut set, &code.name, kind, Vec::new());
        if let Some(l) = set.labels.iter_mut().find(|l| l.name == code.name) {
            if let Some(c) = code
                .colour
                .as_deref()
                .filter(|c| crate::model::tagset::parse_colour(c).is_some())
            {
                c.to_lowercase().clone_into(&mut l.colour);
            }
            code.description.clone_into(&mut l.description);
        }
    }
    let start = set.clone();
    let written = write_all(
        dest,
        docs.into_iter().map(|d| {
            Doc::Write(Box::new(ToWrite {
                rel: d.rel,
                text: Text::Hashed(d.doc),
                data: d.data,
                from: d.from,
            }))
        }),
    );
    record_all(&mut report, &mut set, start, written);
    finish_tagset(into, &set, had_own, &mut report)?;
    Ok(report)
}

/// One annotation being built from selections (several when a Marginalia note
/// joins the fragments of one annotation).
struct Building {
    ann: Annotation,
    fields: Option<NoteFields>,
}

/// The annotations of one source: one per coding of each selection. Calls
/// `place` with each selection's GUID and the id of the annotation it became
/// (its first coding's); gives what could not be kept.
fn annotations(
    project: &Project,
    src: &Source,
    doc: &Document,
    set: &crate::model::TagSet,
    now: &str,
    mut place: impl FnMut(&str, AnnId),
) -> (DocAnnotations, Vec<String>) {
    let codes: HashMap<&str, &str> = project
        .codes
        .iter()
        .map(|c| (c.guid.as_str(), c.name.as_str()))
        .collect();
    let mut lost = Vec::new();
    let mut built: Vec<Building> = Vec::new();
    // (note GUID, code GUID) → annotation, to join fragments.
    let mut joined: HashMap<(String, String), usize> = HashMap::new();
    let mut no_code = 0;
    let remap = crlf_as_one(src, doc);
    if remap.is_some() {
        lost.push(format!(
            "positions count a CR LF line end as one character here (as {} writes them); they were read so",
            if project.origin.is_empty() {
                "the tool"
            } else {
                &project.origin
            }
        ));
    }
    let mut ids = std::collections::HashSet::new();
    // Where each selection went in this document, for speakers.
    let mut local: HashMap<String, AnnId> = HashMap::new();
    for sel in &src.selections {
        let mut sel = sel.clone();
        if let Some(map) = &remap {
            sel.start = map.get(sel.start).copied().unwrap_or(usize::MAX);
            sel.end = map.get(sel.end).copied().unwrap_or(usize::MAX);
        }
        let sel = &sel;
        if sel.start >= sel.end || sel.end > doc.len_chars() {
            lost.push(format!(
                "the selection {}–{} is empty or outside the text ({} characters)",
                sel.start,
                sel.end,
                doc.len_chars()
            ));
            continue;
        }
        if sel.codings.is_empty() {
            no_code += 1;
            continue;
        }
        let (fields, note_guid, other_notes) = notes_of(project, sel, &mut lost);
        for (k, coding) in sel.codings.iter().enumerate() {
            let Some(label) = codes.get(coding.code.as_str()) else {
                lost.push(format!(
                    "a coding of the selection {}–{} with a code the code book lacks",
                    sel.start, sel.end
                ));
                continue;
            };
            let span = Span::new(sel.start, sel.end);
            if let Some(g) = &note_guid
                && let Some(&i) = joined.get(&(g.clone(), coding.code.clone()))
            {
                let b = &mut built[i];
                b.ann.spans.push(span);
                b.ann.spans.sort();
                if k == 0 {
                    place(&sel.guid, b.ann.id.clone());
                    local.insert(sel.guid.clone(), b.ann.id.clone());
                }
                continue;
            }
            let wanted = fields
                .as_ref()
                .map(|f| f.id.clone())
                .filter(|i| !i.is_empty() && k == 0);
            let mut id = wanted.unwrap_or_else(|| id_of(&sel.guid));
            if k > 0 {
                id = format!("{id}-{}", k + 1);
            }
            while !ids.insert(id.clone()) {
                id.push('x');
            }
            let id: AnnId = id.into();
            if k == 0 {
                place(&sel.guid, id.clone());
                local.insert(sel.guid.clone(), id.clone());
            }
            let kind = match fields.as_ref() {
                Some(f) if f.claim.is_some() => Kind::Claim(Box::new(f.claim.clone().unwrap_or_default())),
                Some(f) => Kind::Entity {
                    canonical: f.canonical.clone(),
                },
                None if set.label(label).is_some_and(|l| l.kind == LabelKind::Claim) => Kind::claim(),
                None => Kind::entity(),
            };
            let created = time_or(coding.created.as_ref().or(sel.created.as_ref()), now);
            let user = coding.user.as_deref().or(sel.user.as_deref()).unwrap_or("");
            let mut ann = Annotation::new(id, vec![span], Default::default(), label, kind, user, &created);
            ann.modified = time_or(sel.modified.as_ref(), &created).into();
            let mut note = sel.description.trim().to_owned();
            for o in &other_notes {
                if !note.is_empty() {
                    note.push_str("\n\n");
                }
                note.push_str(o.trim());
            }
            ann.note = note;
            if let Some(f) = &fields {
                ann.attributes.extend(f.attributes.clone());
                ann.origin = f.origin;
            }
            if let Some(g) = &note_guid {
                joined.insert((g.clone(), coding.code.clone()), built.len());
            }
            built.push(Building {
                ann,
                fields: fields.clone(),
            });
        }
    }
    if no_code > 0 {
        lost.push(format!("{no_code} selection(s) without a code"));
    }
    let mut data = DocAnnotations::default();
    for mut b in built {
        let selector = doc.selector(&b.ann.spans);
        (b.ann.quote, b.ann.prefix, b.ann.suffix) = selector;
        if let (Some(f), Kind::Claim(c)) = (&b.fields, &mut b.ann.kind)
            && let Some(g) = &f.speaker_guid
        {
            c.speaker = local
                .get(g.as_str())
                .cloned()
                .map_or(Speaker::Unknown, Speaker::Entity);
        }
        data.annotations.push(b.ann);
    }
    data.sort();
    (data, lost)
}

/// When a text has CR LF line ends and the selections' names (the selected
/// text, or its start, as most tools write it) match the text more often
/// with a CR LF counted as one character than as two, the code point of
/// every position so counted; `None` otherwise.
fn crlf_as_one(src: &Source, doc: &Document) -> Option<Vec<usize>> {
    if !doc.text.contains("\r\n") {
        return None;
    }
    let chars: Vec<char> = doc.text.chars().collect();
    let mut map = Vec::with_capacity(chars.len() + 1);
    let mut i = 0;
    while i < chars.len() {
        map.push(i);
        i += if chars[i] == '\r' && chars.get(i + 1) == Some(&'\n') {
            2
        } else {
            1
        };
    }
    map.push(chars.len());
    // Attribute values lose their line ends to spaces unless escaped, and
    // some tools cut long names with an ellipsis.
    let flat = |s: &str| s.replace(['\r', '\n', '\t'], " ");
    let matches = |a: usize, b: usize, name: &str| {
        a < b && b <= chars.len() && {
            let want = flat(name.trim_end_matches("...").trim_end_matches('…'));
            !want.trim().is_empty() && flat(&chars[a..b].iter().collect::<String>()).starts_with(&want)
        }
    };
    let (mut as_two, mut as_one) = (0, 0);
    for s in &src.selections {
        as_two += usize::from(matches(s.start, s.end, &s.name));
        if let (Some(&a), Some(&b)) = (map.get(s.start), map.get(s.end)) {
            as_one += usize::from(matches(a, b, &s.name));
        }
    }
    (as_one > as_two).then_some(map)
}

/// The notes of a selection: the fields of a note Marginalia wrote (with its
/// GUID), and the text of every other note.
fn notes_of(
    project: &Project,
    sel: &Selection,
    lost: &mut Vec<String>,
) -> (Option<NoteFields>, Option<String>, Vec<String>) {
    let mut fields = None;
    let mut guid = None;
    let mut others = Vec::new();
    for g in &sel.notes {
        let Some(text) = project.notes.get(g) else {
            lost.push(format!(
                "a note of the selection {}–{} that the project lacks",
                sel.start, sel.end
            ));
            continue;
        };
        match parse_note(text) {
            Some((f, bad)) if fields.is_none() => {
                for b in bad {
                    lost.push(format!(
                        "the line \"{b}\" of the note of the selection {}–{}",
                        sel.start, sel.end
                    ));
                }
                fields = Some(f);
                guid = Some(g.clone());
            }
            _ => others.push(text.clone()),
        }
    }
    (fields, guid, others)
}

/// Links between two imported selections become relations of the document
/// the link starts in; others are reported.
fn link(
    project: &Project,
    placed: &HashMap<String, (usize, AnnId)>,
    docs: &mut [Imported],
    report: &mut ImportReport,
    fname: &str,
) {
    for l in &project.links {
        let (Some((a, from)), Some((b, to))) = (placed.get(&l.origin), placed.get(&l.target)) else {
            report.lost.push(Lost {
                file: fname.to_owned(),
                what: format!(
                    "the link \"{}\": it does not join two imported selections",
                    l.name
                ),
            });
            continue;
        };
        let to_doc = (a != b).then(|| docs[*b].rel.clone());
        let data = &mut docs[*a].data;
        data.relations.push(Relation {
            id: id_of(&l.guid).replacen('q', "l", 1).into(),
            from: from.clone(),
            to: Target {
                doc: to_doc,
                id: to.clone(),
            },
            kind: l.name.clone(),
            ..Relation::default()
        });
        data.sort();
    }
}
