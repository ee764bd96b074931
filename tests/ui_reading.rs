//! Reading for hours: scroll position per document, keyboard scrolling, one zoom.

mod ui_common;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use marginalia::ui::MarginaliaApp;
use ui_common::*;

/// A folder of two long documents, so there is something to scroll.
fn long_docs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.txt", "b.txt"] {
        let text: String = (0..300)
            .map(|i| {
                format!("Paragraph {i} of {name}: the ministry said the figures were revised annually.\n\n")
            })
            .collect();
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn offset(h: &Harness<'_, MarginaliaApp>) -> f32 {
    h.state().view().unwrap().reader.scroll_offset()
}

fn press(h: &mut Harness<'_, MarginaliaApp>, modifiers: Modifiers, key: Key) {
    h.key_press_modifiers(modifiers, key);
    h.run_steps(3);
}

#[test]
fn each_document_keeps_its_own_scroll_position() {
    let dir = long_docs();
    let mut h = harness(dir.path());
    assert_eq!(h.state().current.as_deref(), Some("a.txt"));
    press(&mut h, Modifiers::NONE, Key::End);
    let bottom = offset(&h);
    assert!(bottom > 1000.0, "End went to the bottom ({bottom})");
    step_document(&mut h, true);
    h.run_steps(2);
    assert_eq!(h.state().current.as_deref(), Some("b.txt"));
    assert_eq!(offset(&h), 0.0, "a newly opened document starts at its top");
    step_document(&mut h, false);
    h.run_steps(2);
    assert_eq!(h.state().current.as_deref(), Some("a.txt"));
    // Measuring the paragraphs at the end may settle the height by a line.
    assert!(
        (offset(&h) - bottom).abs() < 60.0,
        "back where it was read: {} vs {bottom}",
        offset(&h)
    );
}

#[test]
fn page_space_arrows_home_and_end_scroll_the_reader() {
    let dir = long_docs();
    let mut h = harness(dir.path());
    press(&mut h, Modifiers::NONE, Key::PageDown);
    let page = offset(&h);
    assert!(page > 100.0, "Page Down scrolled ({page})");
    press(&mut h, Modifiers::NONE, Key::Space);
    assert!((offset(&h) - 2.0 * page).abs() < 1.0, "Space scrolls a page too");
    press(&mut h, Modifiers::SHIFT, Key::Space);
    assert!((offset(&h) - page).abs() < 1.0, "Shift+Space scrolls back");
    press(&mut h, Modifiers::NONE, Key::ArrowDown);
    let line = offset(&h) - page;
    assert!(
        line > 0.0 && line < page,
        "an arrow scrolls less than a page ({line})"
    );
    press(&mut h, Modifiers::NONE, Key::ArrowUp);
    assert!((offset(&h) - page).abs() < 1.0);
    press(&mut h, Modifiers::NONE, Key::PageUp);
    assert_eq!(offset(&h), 0.0);
    press(&mut h, Modifiers::NONE, Key::End);
    assert!(offset(&h) > 2.0 * page);
    // The end of the text is on screen, not a blank past it.
    let last = h.state().session().unwrap().doc.len_chars() - 3;
    let at = h.state().view().unwrap().reader.screen_pos_of(last);
    assert!(at.is_some_and(|p| p.y > 100.0 && p.y < 850.0), "{at:?}");
    press(&mut h, Modifiers::NONE, Key::Home);
    assert_eq!(offset(&h), 0.0);
}

#[test]
fn scrolling_keys_are_left_to_a_text_field_being_typed_in() {
    let dir = long_docs();
    let mut h = harness(dir.path());
    press(&mut h, Modifiers::COMMAND, Key::F);
    assert!(h.state().find.open);
    h.run_steps(2);
    press(&mut h, Modifiers::NONE, Key::End);
    press(&mut h, Modifiers::NONE, Key::PageDown);
    assert_eq!(offset(&h), 0.0, "keys went to the find field, not the reader");
    // Alt+Down still changes document rather than scrolling.
    press(&mut h, Modifiers::NONE, Key::Escape);
    step_document(&mut h, true);
    assert_eq!(h.state().current.as_deref(), Some("b.txt"));
}

#[test]
fn every_zoom_key_changes_the_text_size_and_only_that() {
    let dir = long_docs();
    let mut h = harness(dir.path());
    let usual = h.state().prefs.font_size;
    press(&mut h, Modifiers::COMMAND, Key::Plus);
    press(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::Equals);
    press(&mut h, Modifiers::COMMAND, Key::Equals);
    assert_eq!(h.state().prefs.font_size, usual + 3.0);
    press(&mut h, Modifiers::COMMAND, Key::Minus);
    assert_eq!(h.state().prefs.font_size, usual + 2.0);
    assert_eq!(h.ctx.zoom_factor(), 1.0, "the interface itself is not zoomed");
    press(&mut h, Modifiers::COMMAND, Key::Num0);
    assert_eq!(h.state().prefs.font_size, usual);
    assert_eq!(h.ctx.zoom_factor(), 1.0);
}

#[test]
fn the_view_menu_switches_theme_and_the_choice_is_a_preference() {
    use egui_kittest::kittest::Queryable;
    use marginalia::ui::theme::{ReaderColours, ThemeChoice, contrast};
    let dir = long_docs();
    let mut h = harness(dir.path());
    assert_eq!(h.state().prefs.theme, ThemeChoice::System);
    for (choice, text, dark) in [
        (ThemeChoice::Light, "Light", false),
        (ThemeChoice::Dark, "Dark", true),
    ] {
        h.get_by_label("View").click();
        h.run_steps(2);
        h.get_by_label("Theme").click();
        h.run_steps(2);
        h.get_by_label(text).click();
        h.run_steps(3);
        assert_eq!(h.state().prefs.theme, choice);
        assert_eq!(h.ctx.style_of(h.ctx.theme()).visuals.dark_mode, dark);
        // The colours the reader paints with in this theme meet AA on every label.
        let colours = ReaderColours::of(&h.ctx.style_of(h.ctx.theme()).visuals);
        let tagset = h.state().ws.corpus.as_ref().unwrap().tagset.clone();
        for l in &tagset.labels {
            assert!(
                contrast(colours.text, colours.highlight(l.rgb())) >= 4.5,
                "{}",
                l.name
            );
        }
    }
    // Kept between runs with the other preferences.
    let saved = ron::to_string(&h.state().prefs).unwrap();
    assert!(saved.contains("theme:Dark"), "{saved}");
}

#[test]
fn banners_never_move_the_text() {
    use egui_kittest::kittest::Queryable;
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    let word = cp_of(&h, "repatriation");
    let before = pos_of(&h, word);
    h.state_mut().notice = Some("Could not read something; try again.".into());
    h.run_steps(3);
    assert_eq!(pos_of(&h, word), before, "a notice appeared");
    // An informational one (fades by itself) neither.
    h.state_mut().inform("Wrote 3 claims.".into());
    h.run_steps(3);
    assert_eq!(pos_of(&h, word), before);
    // A click where the word was still lands on it.
    drag_cp(&mut h, word, word + 5);
    let sel = h.state().view().unwrap().selection.span();
    assert_eq!(sel.start, word);
    h.get_by_label("Dismiss").click();
    h.run_steps(3);
    assert_eq!(h.state().notice, None);
    assert_eq!(pos_of(&h, word), before, "nor did it going away");
}

#[test]
fn f1_explains_claims_and_lists_zoom_and_scrolling_keys() {
    use egui_kittest::kittest::Queryable;
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    press(&mut h, Modifiers::NONE, Key::F1);
    assert!(h.state().show_help);
    for part in ["Speaker", "Cue", "Stance", "Proposition"] {
        assert!(
            h.query_all_by_label(part).count() >= 2,
            "{part} explained and in the example"
        );
    }
    assert!(h.query_by_label("“The ministry” (tagged ORG)").is_some());
    assert!(h.query_by_label_contains("Text back to its usual size").is_some());
    assert!(h.query_by_label("Page Down / Space").is_some());
    assert!(h.query_by_label_contains("Back to where you followed").is_some());
}
