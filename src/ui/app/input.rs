//! What input does: shortcuts, label keys, clicks and picks in the reader,
//! stepping through annotations, documents and find matches, following links.

use crate::model::{AnnId, Status, words};
use crate::workspace::Change;

use super::super::actions::{self, Action};
use super::super::command::Command;
use super::super::reader::Selection;
use super::super::reader_scroll;
use super::{MarginaliaApp, PickTarget};

impl MarginaliaApp {
    /// Selects the next (`forward`) or previous annotation in reading order.
    pub fn step_annotation(&mut self, forward: bool) {
        let Some(rel) = self.current.clone() else { return };
        let (Some(s), Some(v)) = (self.ws.sessions.get(&rel), self.views.get_mut(&rel)) else {
            return;
        };
        let n = s.data.annotations.len();
        if n == 0 {
            return;
        }
        let pos = v.selected.as_ref().and_then(|id| s.data.position(id));
        let next = match (pos, forward) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(p), true) => (p + 1) % n,
            (Some(p), false) => (p + n - 1) % n,
        };
        let a = &s.data.annotations[next];
        v.selected = Some(a.id.clone());
        v.reader.scroll_to = Some(a.extent().start);
        v.selection = Selection::caret(a.extent().start);
    }

    /// Handles a click in the text: selects the annotation under it, cycling
    /// through overlapping ones on repeated clicks.
    pub fn click_at(&mut self, cp: usize) {
        let Some(rel) = self.current.clone() else { return };
        let (Some(s), Some(v)) = (self.ws.sessions.get(&rel), self.views.get_mut(&rel)) else {
            return;
        };
        let hits: Vec<AnnId> = s.data.at(cp).into_iter().map(|a| a.id.clone()).collect();
        v.selected = match (&v.selected, hits.is_empty()) {
            (_, true) => None,
            (Some(cur), false) => match hits.iter().position(|h| h == cur) {
                Some(p) => Some(hits[(p + 1) % hits.len()].clone()),
                None => Some(hits[0].clone()),
            },
            (None, false) => Some(hits[0].clone()),
        };
    }

    /// Handles a "pick in text" click.
    pub fn pick_at(&mut self, cp: usize) {
        let Some(target) = self.picking.take() else { return };
        let (Some(doc), Some(s)) = (self.current.clone(), self.session()) else {
            return;
        };
        let hits = s.data.at(cp);
        match target {
            PickTarget::RelationTo { from, kind } => match hits.iter().find(|a| a.id != from) {
                Some(to) => {
                    let to = to.id.clone();
                    self.run(Command::AddRelation {
                        from,
                        doc: None,
                        to,
                        kind,
                    });
                }
                None => {
                    self.notice =
                        Some("No annotation there. Click inside another annotation to link to it.".into())
                }
            },
            PickTarget::Speaker(claim) => match hits.iter().find(|a| !a.kind.is_claim()) {
                Some(entity) => {
                    let entity = entity.id.clone();
                    self.change(Change::SetSpeaker { doc, claim, entity });
                }
                None => {
                    self.notice =
                        Some("No entity there. Tag the speaker as an entity first, then pick it.".into())
                }
            },
        }
    }

    /// Opens the propagation preview for the selected annotation's text and label,
    /// or for the selected text with the first label.
    pub fn start_propagation(&mut self) {
        let (Some(s), Some(v)) = (self.session(), self.view()) else {
            return;
        };
        let (text, label) = if let Some(span) = v.selected_span() {
            let label = v
                .selected
                .as_ref()
                .and_then(|id| s.data.get(id))
                .map(|a| a.label.to_string())
                .or_else(|| {
                    self.ws
                        .corpus
                        .as_ref()
                        .and_then(|c| c.tagset.labels.first().map(|l| l.name.clone()))
                })
                .unwrap_or_default();
            (s.doc.slice(span).to_owned(), label)
        } else if let Some(a) = v.selected.as_ref().and_then(|id| s.data.get(id)) {
            (a.quote.to_string(), a.label.to_string())
        } else {
            self.notice = Some(
                "Select some text or an annotation first; its text is then looked for in every document."
                    .into(),
            );
            return;
        };
        self.propagation = Some(super::super::state::Propagation {
            text,
            label,
            whole_word: true,
            ..Default::default()
        });
    }

    /// Shows the far end of a relation: opens its document if it is elsewhere,
    /// selects the annotation and scrolls to it.
    pub fn follow(&mut self, doc: Option<&str>, id: &str) {
        if let Some(rel) = self.current.clone() {
            let from = self.view().and_then(|v| v.selected.clone());
            self.back.push((rel, from));
        }
        self.show(doc, id);
    }

    /// Goes back to where the last followed link was followed from (Alt+Left).
    pub fn go_back(&mut self) {
        let Some((doc, id)) = self.back.pop() else {
            self.inform("Nothing to go back to: follow a relation first.".into());
            return;
        };
        match id {
            Some(id) => self.show(Some(&doc), &id),
            None => {
                self.open_document_now(&doc);
            }
        }
    }

    /// Opens `doc` if needed, selects annotation `id` and scrolls to it.
    fn show(&mut self, doc: Option<&str>, id: &str) {
        if let Some(d) = doc
            && self.current.as_deref() != Some(d)
            && !self.open_document_now(d)
        {
            return;
        }
        let start = self.session().map(|s| s.data.get(id).map(|a| a.extent().start));
        if let (Some(start), Some(v)) = (start, self.view_mut()) {
            match start {
                Some(start) => {
                    v.selected = Some(id.into());
                    v.selected_relation = None;
                    v.reader.scroll_to = Some(start);
                }
                None => {
                    self.notice = Some(format!(
                        "The annotation {id} is no longer there; the relation points nowhere."
                    ))
                }
            }
        }
    }

    /// Recomputes find matches when the query or the document changed.
    pub fn refresh_find(&mut self) {
        let Some(s) = self.session() else { return };
        let key = (
            self.find.query.clone(),
            self.find.match_case,
            self.find.whole_word,
            s.doc.path.clone(),
            s.version,
        );
        if self.find.computed_for.as_ref() == Some(&key) {
            return;
        }
        self.find.matches = words::find_all(
            &s.doc,
            &self.find.query,
            self.find.match_case,
            self.find.whole_word,
        );
        self.find.current = if self.find.matches.is_empty() {
            None
        } else {
            Some(0)
        };
        self.find.computed_for = Some(key);
    }

    /// Moves to the next or previous find match.
    pub fn step_match(&mut self, forward: bool) {
        let n = self.find.matches.len();
        if n == 0 {
            return;
        }
        let i = match self.find.current {
            None => 0,
            Some(c) if forward => (c + 1) % n,
            Some(c) => (c + n - 1) % n,
        };
        self.find.current = Some(i);
        let m = self.find.matches[i];
        if let Some(v) = self.view_mut() {
            v.reader.scroll_to = Some(m.start);
            v.selection = Selection {
                anchor: m.start,
                focus: m.end,
            };
        }
    }

    /// Runs an action from the shortcut table or a menu.
    pub fn run_action(&mut self, action: Action) {
        match action {
            Action::OpenFolder => self.start_open_folder(),
            Action::Quit => self.request_quit(),
            Action::Undo => self.run(Command::Undo),
            Action::Redo => self.run(Command::Redo),
            Action::Delete => self.run(Command::DeleteSelected),
            Action::Escape => {
                if self.picking.take().is_some() {
                    return;
                }
                if self.find.open {
                    self.find.open = false;
                    self.find.matches.clear();
                    self.find.computed_for = None;
                }
                self.show_help = false;
                if let Some(v) = self.view_mut() {
                    v.selected = None;
                    v.selected_relation = None;
                    v.selection = Selection::caret(v.selection.focus);
                }
            }
            Action::NextDocument => self.step_document(1),
            Action::PrevDocument => self.step_document(-1),
            Action::Back => self.go_back(),
            Action::NextAnnotation => self.step_annotation(true),
            Action::PrevAnnotation => self.step_annotation(false),
            Action::ToggleDone => {
                let next = match self.session().map(|s| s.data.status) {
                    Some(Status::Done) => Status::InProgress,
                    Some(_) => Status::Done,
                    None => return,
                };
                self.run(Command::SetStatus(next));
            }
            Action::ZoomIn => self.prefs.font_size = (self.prefs.font_size + 1.0).min(40.0),
            Action::ZoomOut => self.prefs.font_size = (self.prefs.font_size - 1.0).max(9.0),
            Action::ZoomReset => self.prefs.font_size = super::super::state::Prefs::default().font_size,
            Action::ToggleSnap => self.prefs.snap_words = !self.prefs.snap_words,
            Action::Help => self.show_help = !self.show_help,
            Action::Find => {
                self.find.open = true;
                self.find.focus_query = true;
                if self.find.label.is_empty()
                    && let Some(c) = &self.ws.corpus
                {
                    self.find.label = c
                        .tagset
                        .labels
                        .first()
                        .map(|l| l.name.clone())
                        .unwrap_or_default();
                }
            }
            Action::FindNext => self.step_match(true),
            Action::FindPrev => self.step_match(false),
            Action::Save => {
                if let Some(rel) = self.current.clone() {
                    self.ws.flush(&rel);
                }
            }
        }
    }

    /// Reads shortcuts and label hotkeys from this frame's input.
    pub fn handle_keys(&mut self, ctx: &egui::Context) {
        let typing = ctx.text_edit_focused();
        if self.prompt.is_some() {
            return;
        }
        if !typing {
            // Before the shortcut table: Backspace rejects a suggestion rather than deleting.
            let keys = self.take_suggestion_keys(ctx);
            self.run_suggestion_keys(keys);
        }
        for a in actions::take_pressed(ctx, typing) {
            self.run_action(a);
        }
        if typing {
            return;
        }
        if self.tab == super::Tab::Reader
            && let Some(v) = self.view_mut()
            && reader_scroll::keys_free(ctx, v.reader.scroll.text_id)
        {
            for k in reader_scroll::take_scroll_keys(ctx) {
                v.reader.scroll.apply(k);
            }
        }
        for key in actions::take_label_keys(ctx) {
            let label = self
                .ws
                .corpus
                .as_ref()
                .and_then(|c| c.tagset.by_hotkey(key))
                .map(|l| l.name.clone());
            if let Some(l) = label {
                self.apply_label(&l);
            }
        }
    }

    /// Applies what the reader reported (clicks, finished drags).
    pub fn after_reader(&mut self, out: super::super::reader::ReaderOutput) {
        if let Some(cp) = out.picked {
            self.pick_at(cp);
            return;
        }
        let snap = self.prefs.snap_words;
        let Some(rel) = self.current.clone() else { return };
        if let Some(cp) = out.double_clicked
            && let (Some(s), Some(v)) = (self.ws.sessions.get(&rel), self.views.get_mut(&rel))
            && let Some(w) = words::word_at(&s.doc, cp)
        {
            v.selection = Selection {
                anchor: w.start,
                focus: w.end,
            };
        }
        if out.selection_done
            && snap
            && let (Some(s), Some(v)) = (self.ws.sessions.get(&rel), self.views.get_mut(&rel))
        {
            let sel = v.selection;
            let snapped = words::snap_to_words(&s.doc, sel.span());
            v.selection = if sel.anchor <= sel.focus {
                Selection {
                    anchor: snapped.start,
                    focus: snapped.end,
                }
            } else {
                Selection {
                    anchor: snapped.end,
                    focus: snapped.start,
                }
            };
        }
        if let Some(cp) = out.clicked
            && !self.click_suggestion(cp)
        {
            self.click_at(cp);
        }
    }
}
