//! Suggestions in the workbench: the current one, stepping, accepting and
//! rejecting, and the keys for them. The list itself comes from the workspace
//! (`workspace::suggest`); accepting is a `Change` like any edit.

use std::sync::Arc;

use crate::model::Span;
use crate::model::suggest::Suggestion;
use crate::workspace::Change;

use super::super::reader::Selection;
use super::MarginaliaApp;

/// The suggestion keys as the help lists them. They act in the reader when
/// suggestions are shown and no text is selected, so a label's letter still
/// tags a selection.
pub const SUGGESTION_HELP: &[(&str, &str)] = &[
    (
        "N / Shift+N",
        "Go to the next / previous suggestion (dashed outline)",
    ),
    ("Enter", "Accept the current suggestion as an annotation"),
    (
        "Backspace or X",
        "Reject the current suggestion; it is not proposed again",
    ),
];

/// What a suggestion key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestionKey {
    /// Enter: accept the current suggestion.
    Accept,
    /// Backspace or X: reject it.
    Reject,
    /// N: the next suggestion.
    Next,
    /// Shift+N: the previous one.
    Prev,
}

/// True when two suggestions propose the same label on the same words.
pub fn same(a: &Suggestion, b: &Suggestion) -> bool {
    a.span == b.span && a.label == b.label
}

impl MarginaliaApp {
    /// The suggestions shown for the current document (none when switched off).
    pub fn suggestions_here(&self) -> Option<Arc<Vec<Suggestion>>> {
        let rel = self.current.as_deref()?;
        self.ws.suggest.shown_for(rel).map(|s| s.list.clone())
    }

    /// The current suggestion, if it is still shown: the same label on the
    /// same words (its score may have changed since, with a rejection).
    pub fn current_suggestion(&self) -> Option<Suggestion> {
        let cur = self.view()?.suggestion.clone()?;
        let list = self.suggestions_here()?;
        // The list is sorted by start.
        let i = list.partition_point(|s| s.span.start < cur.span.start);
        list[i..]
            .iter()
            .take_while(|s| s.span.start == cur.span.start)
            .find(|s| same(s, &cur))
            .cloned()
    }

    /// Makes `s` the current suggestion: the annotation selection is cleared
    /// (keys then act on the suggestion) and the reader scrolls to it.
    pub fn focus_suggestion(&mut self, s: Option<Suggestion>) {
        if let Some(v) = self.view_mut() {
            if let Some(s) = &s {
                v.selected = None;
                v.selected_relation = None;
                v.selection = Selection::caret(s.span.start);
                v.reader.scroll_to = Some(s.span.start);
            }
            v.suggestion = s;
        }
    }

    /// Steps to the next (`forward`) or previous suggestion in reading order,
    /// from the current one, else from the caret.
    pub fn step_suggestion(&mut self, forward: bool) {
        let Some(list) = self.suggestions_here().filter(|l| !l.is_empty()) else {
            self.inform("No suggestions in this document.".into());
            return;
        };
        let from = match (self.current_suggestion(), self.view()) {
            (Some(s), _) => s.span,
            (None, Some(v)) => Span::new(v.selection.focus, v.selection.focus),
            (None, None) => Span::new(0, 0),
        };
        let key = |s: &Suggestion| (s.span.start, std::cmp::Reverse(s.span.end));
        let here = (from.start, std::cmp::Reverse(from.end));
        let next = if forward {
            list.iter().find(|s| key(s) > here).or_else(|| list.first())
        } else {
            list.iter().rev().find(|s| key(s) < here).or_else(|| list.last())
        };
        self.focus_suggestion(next.cloned());
    }

    /// The suggestion after `s` in the list shown, to go on with once `s` is gone.
    fn after(&self, s: &Suggestion) -> Option<Suggestion> {
        let list = self.suggestions_here()?;
        list.iter()
            .find(|x| !same(x, s) && (x.span.start, x.span.end) >= (s.span.start, s.span.end))
            .cloned()
    }

    /// Accepts suggestions of the current document as one step.
    pub fn accept_suggestions(&mut self, which: Vec<Suggestion>) {
        let Some(doc) = self.current.clone() else { return };
        if which.is_empty() {
            return;
        }
        let next = which.last().and_then(|s| self.after(s));
        let one = which.len() == 1;
        let done = self.change(Change::Accept {
            doc,
            suggestions: which,
        });
        if let Some(done) = done {
            if one {
                // Go on with the next suggestion, so Enter, Enter… works through them.
                let next = next.filter(|n| {
                    self.suggestions_here()
                        .is_some_and(|l| l.iter().any(|x| same(x, n)))
                });
                if let Some(v) = self.view_mut() {
                    v.suggestion = next;
                }
            } else if done.count > 0 {
                self.inform(format!(
                    "Accepted {} suggestions. Ctrl+Z undoes all of them.",
                    done.count
                ));
            }
        }
    }

    /// Accepts the current suggestion.
    pub fn accept_current_suggestion(&mut self) {
        match self.current_suggestion() {
            Some(s) => self.accept_suggestions(vec![s]),
            None => self.inform("No suggestion is chosen: press N to go to the next one.".into()),
        }
    }

    /// Accepts every suggestion of `label` in the current document, as one step.
    pub fn accept_all_of(&mut self, label: &str) {
        let all: Vec<Suggestion> = self
            .suggestions_here()
            .map(|l| l.iter().filter(|s| s.label == label).cloned().collect())
            .unwrap_or_default();
        if all.is_empty() {
            self.inform(format!("No {label} suggestions in this document."));
            return;
        }
        self.accept_suggestions(all);
    }

    /// Rejects the current suggestion: it goes, is remembered for the corpus,
    /// and the next one becomes current.
    pub fn reject_current_suggestion(&mut self) {
        let Some(s) = self.current_suggestion() else {
            self.inform("No suggestion is chosen: press N to go to the next one.".into());
            return;
        };
        let Some(rel) = self.current.clone() else { return };
        let next = self.after(&s);
        self.ws.reject_suggestions(&rel, std::slice::from_ref(&s));
        if let Some(v) = self.view_mut() {
            v.suggestion = next;
        }
    }

    /// Takes this frame's suggestion keys out of the input, when they apply:
    /// in the reader, with suggestions shown and no text selected (so label
    /// keys still tag a selection). Enter, Backspace and X need a current
    /// suggestion and no selected annotation (Backspace then deletes it).
    pub fn take_suggestion_keys(&mut self, ctx: &egui::Context) -> Vec<SuggestionKey> {
        let any = self.suggestions_here().is_some_and(|l| !l.is_empty());
        let Some(v) = self.view() else { return Vec::new() };
        if !any || v.selected_span().is_some() || self.tab != super::Tab::Reader {
            return Vec::new();
        }
        let current = v.selected.is_none() && self.current_suggestion().is_some();
        let mut out = Vec::new();
        ctx.input_mut(|i| {
            i.events.retain(|e| {
                let egui::Event::Key {
                    key,
                    pressed: true,
                    modifiers,
                    ..
                } = e
                else {
                    return true;
                };
                if modifiers.command || modifiers.alt {
                    return true;
                }
                let k = match key {
                    egui::Key::N if modifiers.shift => SuggestionKey::Prev,
                    egui::Key::N => SuggestionKey::Next,
                    egui::Key::Enter if current => SuggestionKey::Accept,
                    egui::Key::Backspace | egui::Key::X if current && !modifiers.shift => {
                        SuggestionKey::Reject
                    }
                    _ => return true,
                };
                out.push(k);
                false
            });
            // The letters also arrive as text; they must not reach anything else.
            if !out.is_empty() {
                i.events
                    .retain(|e| !matches!(e, egui::Event::Text(t) if t.eq_ignore_ascii_case("n") || t.eq_ignore_ascii_case("x")));
            }
        });
        out
    }

    /// Runs suggestion keys.
    pub fn run_suggestion_keys(&mut self, keys: Vec<SuggestionKey>) {
        for k in keys {
            match k {
                SuggestionKey::Accept => self.accept_current_suggestion(),
                SuggestionKey::Reject => self.reject_current_suggestion(),
                SuggestionKey::Next => self.step_suggestion(true),
                SuggestionKey::Prev => self.step_suggestion(false),
            }
        }
    }

    /// A click in the text: a suggestion under it (where no annotation is)
    /// becomes current; anywhere else the current suggestion is let go.
    /// True when the click chose a suggestion.
    pub fn click_suggestion(&mut self, cp: usize) -> bool {
        let on_annotation = self.session().is_some_and(|s| !s.data.at(cp).is_empty());
        let hit = self
            .suggestions_here()
            .and_then(|l| l.iter().find(|s| s.span.contains(cp)).cloned());
        match hit {
            Some(s) if !on_annotation => {
                if let Some(v) = self.view_mut() {
                    v.selected = None;
                    v.selected_relation = None;
                    v.suggestion = Some(s);
                }
                true
            }
            _ => {
                if let Some(v) = self.view_mut() {
                    v.suggestion = None;
                }
                false
            }
        }
    }
}
