//! Every keyboard shortcut, in one table. Key handling and the F1 help both
//! read [`SHORTCUTS`], so the help can never drift from what the keys do.

use egui::{Key, KeyboardShortcut, Modifiers};

/// Something the analyst asks the workbench to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Open the folder picker.
    OpenFolder,
    /// Undo the last edit of this document.
    Undo,
    /// Redo the last undone edit.
    Redo,
    /// Remove the selected annotation.
    Delete,
    /// Clear the selection and the selected annotation.
    Escape,
    /// Next document in the list.
    NextDocument,
    /// Previous document in the list.
    PrevDocument,
    /// Go back to where a followed link was followed from.
    Back,
    /// Select the next annotation in reading order.
    NextAnnotation,
    /// Select the previous annotation.
    PrevAnnotation,
    /// Mark the document done (or back to in progress).
    ToggleDone,
    /// Larger reading text.
    ZoomIn,
    /// Smaller reading text.
    ZoomOut,
    /// Reading text back to its usual size.
    ZoomReset,
    /// Toggle snapping selections to word edges.
    ToggleSnap,
    /// Show the shortcut list.
    Help,
    /// Open find in document.
    Find,
    /// Next find match.
    FindNext,
    /// Previous find match.
    FindPrev,
    /// Save now.
    Save,
    /// Close the window (after saving; asks about edits that cannot be saved).
    Quit,
}

/// One row of the shortcut table.
#[derive(Clone, Copy, Debug)]
pub struct Shortcut {
    /// The keys.
    pub keys: KeyboardShortcut,
    /// What they do.
    pub action: Action,
    /// Plain description for the help window.
    pub description: &'static str,
    /// True when the shortcut also works while typing in a text field.
    pub global: bool,
}

const fn sc(
    modifiers: Modifiers,
    key: Key,
    action: Action,
    description: &'static str,
    global: bool,
) -> Shortcut {
    Shortcut {
        keys: KeyboardShortcut::new(modifiers, key),
        action,
        description,
        global,
    }
}

const CMD: Modifiers = Modifiers::COMMAND;
const CMD_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);
const NONE: Modifiers = Modifiers::NONE;

/// The shortcut table. Order matters: more specific modifiers come first,
/// because egui's shortcut matching ignores extra Shift.
pub const SHORTCUTS: &[Shortcut] = &[
    sc(CMD, Key::O, Action::OpenFolder, "Open a folder", true),
    sc(
        CMD,
        Key::S,
        Action::Save,
        "Save now (edits are also saved automatically)",
        true,
    ),
    sc(
        CMD,
        Key::Q,
        Action::Quit,
        "Quit (everything is saved first)",
        true,
    ),
    sc(CMD_SHIFT, Key::Z, Action::Redo, "Redo", false),
    sc(
        CMD,
        Key::Z,
        Action::Undo,
        "Undo the last edit (in any document, or across the corpus)",
        false,
    ),
    sc(CMD, Key::Y, Action::Redo, "Redo", false),
    sc(CMD, Key::F, Action::Find, "Find in this document", true),
    sc(CMD, Key::Plus, Action::ZoomIn, "Larger text", true),
    sc(CMD, Key::Equals, Action::ZoomIn, "Larger text", true),
    sc(CMD, Key::Minus, Action::ZoomOut, "Smaller text", true),
    sc(
        CMD,
        Key::Num0,
        Action::ZoomReset,
        "Text back to its usual size",
        true,
    ),
    sc(
        Modifiers::ALT,
        Key::ArrowDown,
        Action::NextDocument,
        "Next document",
        true,
    ),
    sc(
        Modifiers::ALT,
        Key::ArrowUp,
        Action::PrevDocument,
        "Previous document",
        true,
    ),
    sc(
        Modifiers::ALT,
        Key::ArrowLeft,
        Action::Back,
        "Back to where you followed a relation from",
        true,
    ),
    sc(
        CMD,
        Key::D,
        Action::ToggleDone,
        "Mark the document done / in progress",
        true,
    ),
    sc(
        CMD,
        Key::W,
        Action::ToggleSnap,
        "Snap selections to word edges on/off",
        true,
    ),
    sc(
        Modifiers::SHIFT,
        Key::Tab,
        Action::PrevAnnotation,
        "Previous annotation",
        false,
    ),
    sc(NONE, Key::Tab, Action::NextAnnotation, "Next annotation", false),
    sc(
        NONE,
        Key::Delete,
        Action::Delete,
        "Delete the selected annotation (or the relation selected in the inspector)",
        false,
    ),
    sc(
        NONE,
        Key::Backspace,
        Action::Delete,
        "Delete the selected annotation",
        false,
    ),
    sc(NONE, Key::Escape, Action::Escape, "Clear the selection", true),
    sc(NONE, Key::F1, Action::Help, "Show this list of shortcuts", true),
    sc(
        Modifiers::SHIFT,
        Key::F3,
        Action::FindPrev,
        "Previous find match",
        true,
    ),
    sc(NONE, Key::F3, Action::FindNext, "Next find match", true),
];

/// Human-readable keys, e.g. `Ctrl+Shift+Z`.
pub fn describe(ctx: &egui::Context, s: &KeyboardShortcut) -> String {
    ctx.format_shortcut(s)
}

/// Takes the actions whose shortcut was pressed this frame out of the input.
/// When `typing` is true (a text field has focus) only global shortcuts fire.
pub fn take_pressed(ctx: &egui::Context, typing: bool) -> Vec<Action> {
    let mut out = Vec::new();
    ctx.input_mut(|i| {
        for s in SHORTCUTS {
            if (!typing || s.global) && consume_exact(i, &s.keys) {
                out.push(s.action);
            }
        }
    });
    out
}

/// Like `InputState::consume_shortcut`, but Shift must match exactly, so that
/// Tab and Shift+Tab are told apart. Zoom keys are the exception: `+` is
/// Shift+`=` on many keyboards, and Ctrl+Shift+= must zoom the same thing.
fn consume_exact(i: &mut egui::InputState, s: &KeyboardShortcut) -> bool {
    let zoom = matches!(s.logical_key, Key::Plus | Key::Equals | Key::Minus | Key::Num0);
    if !zoom && i.modifiers.shift != s.modifiers.shift {
        return false;
    }
    i.consume_shortcut(s)
}

/// The label hotkeys (digits and letters from the tag set) pressed this frame, without modifiers.
pub fn take_label_keys(ctx: &egui::Context) -> Vec<char> {
    let mut out = Vec::new();
    ctx.input_mut(|i| {
        i.events.retain(|e| match e {
            egui::Event::Key {
                key,
                pressed: true,
                modifiers,
                ..
            } if !modifiers.command && !modifiers.alt => {
                let name = key.name();
                let mut chars = name.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if c.is_ascii_alphanumeric() => {
                        out.push(c.to_ascii_lowercase());
                        false
                    }
                    _ => true,
                }
            }
            _ => true,
        });
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_shortcut_is_listed_twice() {
        for (i, a) in SHORTCUTS.iter().enumerate() {
            for b in &SHORTCUTS[i + 1..] {
                assert!(a.keys != b.keys, "{:?} appears twice", a.keys);
            }
        }
    }
}
