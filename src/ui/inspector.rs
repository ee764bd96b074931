//! The inspector: everything about the selected annotation, editable.

use egui::{ComboBox, Ui};

use crate::model::{AnnId, Annotation, ClaimType, Kind, Speaker, Stance, Status};
use compact_str::CompactString;

use super::app::MarginaliaApp;
use super::command::Command;

mod conflicts;
mod links;
mod suggestion;

/// A text field that commits when it loses focus (or on Enter for one line),
/// so typing a note is one undoable edit, not one per keystroke.
fn committed_text(
    ui: &mut Ui,
    salt: &str,
    name: &str,
    current: &str,
    multiline: bool,
) -> (Option<String>, egui::Response) {
    let id = ui.make_persistent_id(salt);
    let mut buf: String = ui
        .data_mut(|d| d.get_temp::<String>(id))
        .unwrap_or_else(|| current.to_owned());
    let edit = if multiline {
        egui::TextEdit::multiline(&mut buf).desired_rows(3)
    } else {
        egui::TextEdit::singleline(&mut buf)
    };
    let r = ui.add(edit.id(id.with("edit")).desired_width(f32::INFINITY));
    let owned = name.to_owned();
    r.widget_info(move || egui::WidgetInfo::labeled(egui::Role::TextInput, true, &owned));
    let commit = r.lost_focus() && buf != current;
    if r.has_focus() {
        ui.data_mut(|d| d.insert_temp(id, buf.clone()));
    } else {
        ui.data_mut(|d| d.remove::<String>(id));
    }
    if r.has_focus() || r.lost_focus() {
        // For the suggestions under the field, which must see what was typed even
        // on the frame a click on one of them takes the focus away.
        ui.data_mut(|d| d.insert_temp(id.with("typed"), buf.clone()));
    }
    (commit.then_some(buf), r)
}

/// Suggestions under a focused field: existing values that contain what is typed.
/// Takes precedence over the field's own commit: clicking a suggestion takes the
/// focus from the field, which would otherwise commit the half-typed text.
fn suggestions(ui: &mut Ui, salt: &str, typed_in: &egui::Response, all: &[String]) -> Option<String> {
    // Drawn on the frame the field loses focus too, so the click that took the
    // focus still lands on the suggestion it was aimed at.
    if !typed_in.has_focus() && !typed_in.lost_focus() {
        return None;
    }
    let id = ui.make_persistent_id(salt).with("typed");
    let typed: String = ui.data_mut(|d| d.get_temp::<String>(id)).unwrap_or_default();
    let t = typed.to_lowercase();
    let mut chosen = None;
    for v in all
        .iter()
        .filter(|v| v.to_lowercase().contains(&t) && **v != typed)
        .take(6)
    {
        if ui.small_button(format!("↳ {v}")).clicked() {
            chosen = Some(v.clone());
        }
    }
    chosen
}

/// Shows the inspector for the selected annotation, or the document summary.
pub fn show(app: &mut MarginaliaApp, ui: &mut Ui) -> Option<Command> {
    let Some(s) = app.session() else {
        ui.label("Open a document to see its annotations here.");
        return None;
    };
    let selected = app.view().and_then(|v| v.selected.as_ref());
    let Some(ann) = selected.and_then(|id| s.data.get(id)).cloned() else {
        if let Some(current) = app.current_suggestion() {
            return suggestion::show(app, ui, &current);
        }
        return document_summary(app, ui);
    };
    let read_only = s.read_only.is_some();
    ui.add_enabled_ui(!read_only, |ui| annotation_editor(app, ui, ann))
        .inner
}

fn document_summary(app: &MarginaliaApp, ui: &mut Ui) -> Option<Command> {
    let s = app.session()?;
    ui.heading("Document");
    ui.label(&s.doc.path);
    ui.label(format!("{} characters (code points)", s.doc.len_chars()));
    if !s.doc.kind.is_plain() {
        let pages = match s.doc.layout.pages.len() {
            0 => String::new(),
            1 => ", 1 page".to_owned(),
            n => format!(", {n} pages"),
        };
        ui.label(format!("Text taken from a {}{pages}", s.doc.kind.noun()))
            .on_hover_text("Annotations are on this text; exports carry it and say where it came from");
    }
    let (enc, guessed) = s.encoding;
    ui.label(if guessed {
        format!("Encoding: {enc} (guessed)")
    } else {
        format!("Encoding: {enc}")
    });
    let entities = s.data.annotations.iter().filter(|a| !a.kind.is_claim()).count();
    let claims = s.data.annotations.len() - entities;
    ui.label(format!(
        "{entities} entities, {claims} claims, {} relations",
        s.data.relations.len()
    ));
    if !s.data.events.is_empty() || !s.data.equivalences.is_empty() {
        ui.label(format!(
            "{} events, {} equivalences",
            s.data.events.len(),
            s.data.equivalences.len()
        ));
    }
    let mut status = s.data.status;
    let before = status;
    ComboBox::from_label("Status")
        .selected_text(status.as_str())
        .show_ui(ui, |ui| {
            for st in Status::ALL {
                ui.selectable_value(&mut status, st, st.as_str());
            }
        });
    let orphans: Vec<(AnnId, CompactString)> = s
        .data
        .annotations
        .iter()
        .filter(|a| a.orphaned)
        .map(|a| (a.id.clone(), a.quote.clone()))
        .collect();
    let mut command = (status != before).then_some(Command::SetStatus(status));
    if let Some(c) = source_fields(ui, &s.doc, &s.data.meta) {
        command = Some(c);
    }
    if !orphans.is_empty() {
        ui.separator();
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("{} orphaned annotations", orphans.len()),
        );
        ui.label("Their text is no longer in the source. They are kept in the file; select one to relabel, note or delete it.");
        for (id, quote) in orphans {
            if ui.link(format!("“{quote}”")).clicked() {
                command = Some(Command::Select(id));
            }
        }
    }
    if let Some(c) = suggestion::summary(app, ui) {
        command = Some(c);
    }
    ui.separator();
    ui.label("Select an annotation in the text (click it, or Tab) to inspect it.");
    command
}

/// One relation of the selected annotation, as the inspector lists it.
struct RelationRow {
    /// The relation type.
    kind: String,
    /// Which way it points.
    arrow: &'static str,
    /// The document of the other end, when not this one.
    doc: Option<String>,
    /// The other end's id.
    other: AnnId,
    /// The other end's text.
    text: String,
    /// The relation's attributes and note, one a line.
    detail: String,
    /// The relation's id when it is stored in this document (and so can be
    /// deleted here).
    id: Option<AnnId>,
}

fn annotation_editor(app: &mut MarginaliaApp, ui: &mut Ui, ann: Annotation) -> Option<Command> {
    // The vocabulary, not the corpus index: the index is rebuilt over the whole
    // corpus after each edit, and this panel is drawn on the frame after every edit.
    let vocab = app.ws.vocab();
    let tagset = app.ws.corpus.as_ref()?.tagset.clone();
    let (canonicals, propositions) = (&vocab.canonicals, &vocab.propositions);
    let s = app.session()?;
    let here = s.doc.path.clone();
    let mut relations: Vec<RelationRow> = Vec::new();
    for r in s.data.relations_of(&ann.id) {
        let mut detail: Vec<String> = r
            .attributes
            .iter()
            .map(|(k, v)| {
                if v.is_empty() {
                    k.clone()
                } else {
                    format!("{k}: {v}")
                }
            })
            .collect();
        if !r.note.is_empty() {
            detail.push(format!("Note: {}", r.note));
        }
        let (arrow, doc, other) = if r.from == ann.id {
            ("→", r.to.doc.clone(), r.to.id.clone())
        } else {
            ("←", None, r.from.clone())
        };
        let text = match &doc {
            None => s
                .data
                .get(&other)
                .map_or("(missing)".to_owned(), |a| a.quote.to_string()),
            Some(d) => app
                .ws
                .quote_of(d, &other)
                .map_or(format!("an annotation in {d}"), |q| format!("{q} ({d})")),
        };
        relations.push(RelationRow {
            kind: r.kind.clone(),
            arrow,
            doc,
            other,
            text,
            detail: detail.join("\n"),
            id: Some(r.id.clone()),
        });
    }
    for (from_doc, r) in &vocab.cross {
        if r.to.doc.as_deref() == Some(here.as_str()) && r.to.id == ann.id {
            let text = app
                .ws
                .quote_of(from_doc, &r.from)
                .map_or(format!("an annotation in {from_doc}"), |q| {
                    format!("{q} ({from_doc})")
                });
            relations.push(RelationRow {
                kind: r.kind.clone(),
                arrow: "←",
                doc: Some(from_doc.clone()),
                other: r.from.clone(),
                text,
                detail: String::new(),
                id: None,
            });
        }
    }
    let relation_types = tagset.relations.clone();
    // The figure a claim states, as the comparison reads it.
    let cell = app.session().and_then(|s| {
        crate::model::comparison::cell(
            &crate::model::comparison::CellSource::new(&s.doc.path, &s.data.meta),
            &s.data,
            &ann,
        )
    });
    let salt = |f: &str| format!("{}-{f}", ann.id);

    ui.heading(if ann.kind.is_claim() { "Claim" } else { "Entity" });
    if ann.orphaned {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "Orphaned: this text is no longer in the source. Kept in the file; delete it or leave it for review.",
        );
    }
    if let Some(c) = conflicts::show(ui, &ann) {
        return Some(c);
    }
    // Label.
    let mut label = ann.label.to_string();
    ComboBox::from_label("Label")
        .selected_text(&label)
        .show_ui(ui, |ui| {
            for l in &tagset.labels {
                ui.selectable_value(&mut label, l.name.clone(), &l.name);
            }
        });
    if label != ann.label {
        return Some(Command::ApplyLabel(label));
    }
    ui.label(egui::RichText::new(format!("“{}”", crate::model::bidi::display_order(&ann.quote))).italics());
    let offsets: Vec<String> = ann
        .spans
        .iter()
        .map(|s| format!("{}–{}", s.start, s.end))
        .collect();
    ui.label(format!("Offsets (code points): {}", offsets.join(", ")));
    if let Some(pages) = app
        .session()
        .and_then(|s| super::reader_pages::pages_label(&s.doc, &ann.spans))
    {
        ui.label(pages);
    }
    if ui
        .button("Add selection as a fragment")
        .on_hover_text("Makes the annotation discontinuous: select more words, then click")
        .clicked()
    {
        return Some(Command::AddFragmentFromSelection);
    }

    let mut next = ann.clone();
    let mut what = "";
    match &mut next.kind {
        Kind::Entity { canonical } => {
            ui.label("Canonical id (links mentions across documents)");
            let cur = canonical.clone().unwrap_or_default();
            let (v, r) = committed_text(ui, &salt("canonical"), "Canonical id", &cur, false);
            if let Some(v) = suggestions(ui, &salt("canonical"), &r, canonicals).or(v) {
                *canonical = (!v.trim().is_empty()).then(|| v.trim().to_owned());
                what = "set canonical id";
            }
        }
        Kind::Claim(claim) => {
            let speaker_text = match &claim.speaker {
                Speaker::Unknown => "unknown".to_owned(),
                Speaker::Author => "author of the document".to_owned(),
                Speaker::Entity(id) => app
                    .session()
                    .and_then(|s| s.data.get(id))
                    .filter(|e| !e.kind.is_claim())
                    .map_or("(missing entity)".to_owned(), |e| {
                        format!("{} ({})", e.quote, e.label)
                    }),
            };
            let before = claim.speaker.clone();
            ui.horizontal(|ui| {
                ComboBox::from_label("Speaker")
                    .selected_text(speaker_text)
                    .width(180.0)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut claim.speaker, Speaker::Unknown, "unknown");
                        ui.selectable_value(&mut claim.speaker, Speaker::Author, "author of the document");
                        // Listed only while the list is open: a long document has
                        // thousands of entities, and this panel is drawn every frame.
                        let Some(s) = app.session() else { return };
                        for e in s.data.annotations.iter().filter(|a| !a.kind.is_claim()) {
                            ui.selectable_value(
                                &mut claim.speaker,
                                Speaker::Entity(e.id.clone()),
                                format!("{} ({})", e.quote, e.label),
                            );
                        }
                    });
            });
            if ui
                .button("Pick speaker in text")
                .on_hover_text("Then click the speaker's entity in the text")
                .clicked()
            {
                return Some(Command::PickSpeaker(ann.id.clone()));
            }
            if claim.speaker != before {
                what = "set speaker";
            }
            ui.horizontal(|ui| {
                ui.label("Cue:");
                match &claim.cue {
                    Some(cue) => ui.label(format!("“{}”", crate::model::bidi::display_order(&cue.quote))),
                    None => ui.label("none"),
                };
            });
            let mut set_cue = false;
            ui.horizontal(|ui| {
                if ui.button("Cue from selection").clicked() {
                    set_cue = true;
                }
                if claim.cue.is_some() && ui.button("Clear cue").clicked() {
                    claim.cue = None;
                    what = "clear cue";
                }
            });
            if set_cue {
                return Some(Command::SetCueFromSelection);
            }
            let mut stance = claim.stance;
            ComboBox::from_label("Stance")
                .selected_text(stance.as_str())
                .show_ui(ui, |ui| {
                    for st in Stance::ALL {
                        ui.selectable_value(&mut stance, st, st.as_str());
                    }
                });
            if stance != claim.stance {
                claim.stance = stance;
                what = "set stance";
            }
            let mut ty = claim.claim_type;
            ComboBox::from_label("Type")
                .selected_text(ty.as_str())
                .show_ui(ui, |ui| {
                    for t in ClaimType::ALL {
                        ui.selectable_value(&mut ty, t, t.as_str());
                    }
                });
            if ty != claim.claim_type {
                claim.claim_type = ty;
                what = "set claim type";
            }
            if let Some(cell) = &cell {
                let slot = ui.make_persistent_id("inspector-value-edit");
                let mut editing: super::state::ValueEdit = ui.data_mut(|d| d.get_temp(slot)).flatten();
                let mut command = None;
                ui.horizontal(|ui| {
                    ui.label("Value:");
                    command = super::propositions::value_editor(ui, cell, &mut editing);
                });
                ui.data_mut(|d| d.insert_temp(slot, editing));
                if command.is_some() {
                    return command;
                }
            }
            ui.label("Proposition key (groups the same claim across sources)");
            let cur = claim.proposition.clone().unwrap_or_default();
            let (v, r) = committed_text(ui, &salt("proposition"), "Proposition key", &cur, false);
            if let Some(v) = suggestions(ui, &salt("proposition"), &r, propositions).or(v) {
                claim.proposition = (!v.trim().is_empty()).then(|| v.trim().to_owned());
                what = "set proposition";
            }
        }
    }
    // Attributes from the tag set.
    if let Some(def) = tagset.label(&ann.label)
        && !def.attributes.is_empty()
    {
        ui.separator();
        ui.label("Attributes");
        for attr in &def.attributes {
            let cur = next.attributes.get(&attr.name).cloned().unwrap_or_default();
            if attr.values.is_empty() {
                ui.label(&attr.name);
                let (v, _) =
                    committed_text(ui, &salt(&format!("attr-{}", attr.name)), &attr.name, &cur, false);
                if let Some(v) = v {
                    set_attr(&mut next, &attr.name, v);
                    what = "set attribute";
                }
            } else {
                let mut v = cur.clone();
                ComboBox::from_label(&attr.name)
                    .selected_text(if v.is_empty() { "—" } else { v.as_str() })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut v, String::new(), "—");
                        for val in &attr.values {
                            ui.selectable_value(&mut v, val.clone(), val);
                        }
                    });
                if v != cur {
                    set_attr(&mut next, &attr.name, v);
                    what = "set attribute";
                }
            }
        }
    }
    let extra: Vec<(String, String)> = next
        .attributes
        .iter()
        .filter(|(k, _)| {
            tagset
                .label(&ann.label)
                .is_none_or(|d| d.attributes.iter().all(|a| &a.name != *k))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in extra {
        ui.horizontal(|ui| {
            ui.label(format!("{k}: {v}"));
            if ui.small_button("remove").clicked() {
                next.attributes.remove(&k);
                what = "remove attribute";
            }
        });
    }
    ui.separator();
    ui.label("Note");
    let (v, _) = committed_text(ui, &salt("note"), "Note", &ann.note, true);
    if let Some(v) = v {
        next.note = v;
        what = "edit note";
    }
    if let Some(c) = app.session().and_then(|s| links::show(ui, &s.data, &ann.id)) {
        return Some(c);
    }
    ui.separator();
    ui.label("Relations");
    let mut follow = None;
    let selected_relation = app.view().and_then(|v| v.selected_relation.clone());
    let mut select = None;
    let mut delete = None;
    for RelationRow {
        kind,
        arrow,
        doc,
        other,
        text,
        detail,
        id,
    } in &relations
    {
        ui.horizontal_wrapped(|ui| {
            let chosen = id.is_some() && selected_relation == *id;
            let row = ui
                .selectable_label(chosen, format!("{arrow} {kind}: “{text}”"))
                .on_hover_text(if detail.is_empty() {
                    "Select (Delete removes it)".to_owned()
                } else {
                    format!("{detail}\nSelect (Delete removes it)")
                });
            if row.clicked() && id.is_some() {
                select = Some(if chosen { None } else { id.clone() });
            }
            if ui
                .small_button("Go")
                .on_hover_text("Go to the other end (Alt+Left comes back)")
                .clicked()
            {
                follow = Some((doc.clone(), other.clone()));
            }
            if let Some(id) = id {
                let r = ui
                    .small_button("Delete")
                    .on_hover_text("Delete this relation (Ctrl+Z undoes it)");
                let name = format!("Delete relation {kind} “{text}”");
                r.widget_info(move || egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
                if r.clicked() {
                    delete = Some(id.clone());
                }
            }
        });
    }
    if let Some((doc, id)) = follow {
        return Some(Command::Follow { doc, id });
    }
    if let Some(id) = delete {
        return Some(Command::DeleteRelation(id));
    }
    if let Some(id) = select {
        return Some(Command::SelectRelation(id));
    }
    let kind_id = ui.make_persistent_id("new-relation-kind");
    let mut kind: String = ui
        .data_mut(|d| d.get_temp::<String>(kind_id))
        .unwrap_or_else(|| relation_types.first().cloned().unwrap_or_default());
    let mut add_to = None;
    ComboBox::from_label("Relation type")
        .selected_text(&kind)
        .show_ui(ui, |ui| {
            for t in &relation_types {
                ui.selectable_value(&mut kind, t.clone(), t);
            }
        });
    let mut pick_target = false;
    ui.horizontal_wrapped(|ui| {
        pick_target = ui.button("Pick target in text").clicked();
        ComboBox::from_label("Link to")
            .selected_text("choose…")
            .width(160.0)
            .show_ui(ui, |ui| {
                // Listed only while the list is open: a long document has thousands of targets.
                let index = app.ws.index();
                let Some(s) = app.session() else { return };
                let here = s.doc.path.clone();
                for a in s.data.annotations.iter().filter(|a| a.id != ann.id) {
                    if ui
                        .selectable_label(false, format!("{} “{}”", a.label, a.quote))
                        .clicked()
                    {
                        add_to = Some((None, a.id.clone()));
                    }
                }
                for row in index.claims.iter().filter(|row| row.doc != here) {
                    if ui
                        .selectable_label(false, format!("{}: “{}”", row.doc, row.text))
                        .clicked()
                    {
                        add_to = Some((Some(row.doc.clone()), row.id.clone()));
                    }
                }
            });
    });
    ui.data_mut(|d| d.insert_temp(kind_id, kind.clone()));
    if pick_target {
        return Some(Command::PickRelationTarget {
            from: ann.id.clone(),
            kind,
        });
    }
    if let Some((doc, to)) = add_to {
        return Some(Command::AddRelation {
            from: ann.id.clone(),
            doc,
            to,
            kind,
        });
    }
    ui.separator();
    let by = match ann.origin {
        Some(o) => format!("Accepted from a {} suggestion by {}", o.as_str(), ann.annotator),
        None => format!("By {}", ann.annotator),
    };
    ui.small(format!(
        "{by} · created {} · modified {}",
        ann.created, ann.modified
    ));
    ui.small(format!("Id {}", ann.id));
    if ui.button("Annotate all occurrences in the corpus…").clicked() {
        return Some(Command::StartPropagation);
    }
    if ui.button("Delete annotation").clicked() {
        return Some(Command::DeleteSelected);
    }
    (!what.is_empty()).then_some(Command::UpdateAnnotation {
        description: what,
        ann: Box::new(next),
    })
}

/// What the document is cited by: one field each, and the values found in its
/// text offered one click each (never set without the click).
fn source_fields(ui: &mut Ui, doc: &crate::model::Document, meta: &crate::model::DocMeta) -> Option<Command> {
    use crate::model::DocMeta;
    ui.separator();
    ui.label(egui::RichText::new("Source").strong())
        .on_hover_text("What the document is cited by; the claims comparison shows its outlet and date");
    let mut next = meta.clone();
    let names = [
        ("title", "Title"),
        ("outlet", "Outlet"),
        ("author", "Author"),
        ("published", "Published (YYYY-MM-DD)"),
        ("url", "Web address"),
        ("language", "Language (e.g. en)"),
    ];
    let salt = |f: &str| format!("{}-meta-{f}", doc.path);
    for (field, name) in names {
        let cur = meta.get(field).unwrap_or_default().to_owned();
        ui.label(name);
        let (v, _) = committed_text(ui, &salt(field), name, &cur, false);
        if let Some(v) = v {
            next.set(field, v.trim().to_owned());
        }
    }
    // Offers are looked for in the text only while a field is empty, and once
    // per document and metadata, not on every frame.
    let key = {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        BuildHasherDefault::<DefaultHasher>::default().hash_one((&doc.path, doc.text.len(), meta))
    };
    let id = egui::Id::unique("meta-offers");
    let cached = ui
        .ctx()
        .data(|d| d.get_temp::<std::sync::Arc<(u64, Vec<crate::model::meta_guess::Offer>)>>(id))
        .filter(|c| c.0 == key);
    let offers = cached.unwrap_or_else(|| {
        let offers = if DocMeta::FIELDS
            .iter()
            .any(|f| meta.get(f).is_some_and(str::is_empty))
        {
            // The top of the text is where sources print their title, date and byline.
            let mut end = doc.text.len().min(8192);
            while !doc.text.is_char_boundary(end) {
                end -= 1;
            }
            crate::model::meta_guess::offers(&doc.text[..end], meta)
        } else {
            Vec::new()
        };
        let c = std::sync::Arc::new((key, offers));
        ui.ctx().data_mut(|d| d.insert_temp(id, c.clone()));
        c
    });
    for o in &offers.1 {
        let label = names
            .iter()
            .find(|(f, _)| *f == o.field)
            .map_or(o.field, |(_, n)| n);
        let short: String = o.value.chars().take(40).collect();
        if ui
            .small_button(format!("{label}: {short}"))
            .on_hover_text(format!("Found in {}; click to use it", o.found))
            .clicked()
        {
            next.set(o.field, o.value.clone());
        }
    }
    (next != *meta).then(|| Command::SetMeta(Box::new(next)))
}

fn set_attr(a: &mut Annotation, key: &str, value: String) {
    if value.trim().is_empty() {
        a.attributes.remove(key);
    } else {
        a.attributes.insert(key.to_owned(), value);
    }
}
