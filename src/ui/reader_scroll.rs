//! Scrolling the reader from the keyboard, and the scrollbar's look.
//!
//! Kept apart from the reader's layout and hit-testing: this only reads where
//! the view is scrolled and asks for a new offset.

use egui::{Event, Key, Modifiers};

/// Shortest scrollbar thumb, in points: on a long article the thumb's true
/// size would be a dot too small to grab.
pub const MIN_THUMB: f32 = 36.0;

/// How far one arrow press scrolls, in points.
const LINE_STEP: f32 = 40.0;

/// Share of the visible height a page key scrolls, so a line of context stays.
const PAGE_SHARE: f32 = 0.9;

/// Where the reader is scrolled, as last drawn, and an offset asked for.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScrollPos {
    /// Scroll offset from the top, in points.
    pub offset: f32,
    /// Height of the visible part.
    pub viewport: f32,
    /// Height of the whole text.
    pub content: f32,
    /// An offset to scroll to next frame.
    pub wanted: Option<f32>,
    /// The text widget, so keys scroll when it (or nothing) has focus.
    pub text_id: Option<egui::Id>,
}

impl ScrollPos {
    /// Records what the scroll area showed this frame.
    pub fn seen<R>(&mut self, shown: &egui::scroll_area::ScrollAreaOutput<R>) {
        self.offset = shown.state.clamped_offset().y;
        self.viewport = shown.inner_rect.height();
        self.content = shown.content_size.y;
    }

    /// Asks for the offset a key leads to, kept inside the text.
    pub fn apply(&mut self, key: ScrollKey) {
        let from = self.wanted.unwrap_or(self.offset);
        let page = (self.viewport * PAGE_SHARE).max(LINE_STEP);
        let max = (self.content - self.viewport).max(0.0);
        let to = match key {
            ScrollKey::LineUp => from - LINE_STEP,
            ScrollKey::LineDown => from + LINE_STEP,
            ScrollKey::PageUp => from - page,
            ScrollKey::PageDown => from + page,
            ScrollKey::Top => 0.0,
            ScrollKey::Bottom => max,
        };
        self.wanted = Some(to.clamp(0.0, max));
    }
}

/// A scrolling key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScrollKey {
    /// Arrow up.
    LineUp,
    /// Arrow down.
    LineDown,
    /// Page Up, Shift+Space.
    PageUp,
    /// Page Down, Space.
    PageDown,
    /// Home.
    Top,
    /// End.
    Bottom,
}

/// The scrolling keys and what they do, for the help window.
pub const SCROLL_HELP: &[(&str, &str)] = &[
    ("Page Down / Space", "Scroll down a screen"),
    ("Page Up / Shift+Space", "Scroll up a screen"),
    ("Down / Up", "Scroll a line"),
    ("Home / End", "Go to the start / end of the document"),
];

fn scroll_key(key: Key, m: Modifiers) -> Option<ScrollKey> {
    // Alt, Ctrl and Cmd combinations belong to the shortcut table (Alt+arrows
    // change document), so only bare keys (and Shift+Space) scroll.
    if m.alt || m.command || m.ctrl || m.mac_cmd {
        return None;
    }
    Some(match (key, m.shift) {
        (Key::ArrowUp, false) => ScrollKey::LineUp,
        (Key::ArrowDown, false) => ScrollKey::LineDown,
        (Key::PageUp, false) | (Key::Space, true) => ScrollKey::PageUp,
        (Key::PageDown, false) | (Key::Space, false) => ScrollKey::PageDown,
        (Key::Home, false) => ScrollKey::Top,
        (Key::End, false) => ScrollKey::Bottom,
        _ => return None,
    })
}

/// Takes this frame's scrolling keys out of the input. Called only when no
/// text field or other widget would take them: a focused button owns Space,
/// a text field owns the arrows, Home and End.
pub fn take_scroll_keys(ctx: &egui::Context) -> Vec<ScrollKey> {
    let mut out = Vec::new();
    ctx.input_mut(|i| {
        i.events.retain(|e| match e {
            Event::Key {
                key,
                pressed: true,
                modifiers,
                ..
            } => match scroll_key(*key, *modifiers) {
                Some(k) => {
                    out.push(k);
                    false
                }
                None => true,
            },
            _ => true,
        });
    });
    out
}

/// True when keys may scroll the reader: nothing has keyboard focus, or the
/// text itself has.
pub fn keys_free(ctx: &egui::Context, text_id: Option<egui::Id>) -> bool {
    match ctx.memory(|m| m.focused()) {
        None => true,
        Some(id) => Some(id) == text_id,
    }
}

/// Gives the reader's scrollbar a thumb that can be grabbed on long texts.
pub fn style_scrollbar(ui: &mut egui::Ui) {
    ui.spacing_mut().scroll.handle_min_length = MIN_THUMB;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_scroll_within_the_text() {
        let mut s = ScrollPos {
            offset: 0.0,
            viewport: 500.0,
            content: 2000.0,
            ..Default::default()
        };
        s.apply(ScrollKey::PageUp);
        assert_eq!(s.wanted, Some(0.0));
        s.apply(ScrollKey::PageDown);
        assert_eq!(s.wanted, Some(450.0));
        s.apply(ScrollKey::LineDown);
        assert_eq!(s.wanted, Some(490.0));
        s.apply(ScrollKey::Bottom);
        assert_eq!(s.wanted, Some(1500.0));
        s.apply(ScrollKey::PageDown);
        assert_eq!(s.wanted, Some(1500.0));
        s.apply(ScrollKey::Top);
        assert_eq!(s.wanted, Some(0.0));
    }

    #[test]
    fn modified_keys_are_not_scrolling_keys() {
        assert_eq!(scroll_key(Key::ArrowDown, Modifiers::ALT), None);
        assert_eq!(scroll_key(Key::Home, Modifiers::COMMAND), None);
        assert_eq!(scroll_key(Key::Space, Modifiers::SHIFT), Some(ScrollKey::PageUp));
        assert_eq!(scroll_key(Key::ArrowLeft, Modifiers::NONE), None);
    }
}
