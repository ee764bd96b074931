//! The reader's text selection, in code points, and how Shift+click extends it.

use crate::model::Span;

/// The current text selection, as code points. Empty when anchor == focus.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Where the selection started.
    pub anchor: usize,
    /// Where it ends (moves with the pointer or Shift+click).
    pub focus: usize,
}

impl Selection {
    /// A collapsed selection at `cp`.
    pub fn caret(cp: usize) -> Self {
        Self {
            anchor: cp,
            focus: cp,
        }
    }

    /// The selected range, ordered.
    pub fn span(&self) -> Span {
        Span::new(self.anchor, self.focus)
    }

    /// Shift+click at `cp`: the edge of the selection nearer to `cp` moves
    /// there, the other stays put.
    pub fn extend_to(&mut self, cp: usize) {
        let s = self.span();
        if s.is_empty() {
            self.focus = cp;
            return;
        }
        let keep = if cp.abs_diff(s.start) <= cp.abs_diff(s.end) {
            s.end
        } else {
            s.start
        };
        *self = Selection {
            anchor: keep,
            focus: cp,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_click_moves_the_nearer_edge() {
        let mut s = Selection {
            anchor: 10,
            focus: 20,
        };
        s.extend_to(12);
        assert_eq!(s.span(), Span::new(12, 20));
        s.extend_to(19);
        assert_eq!(s.span(), Span::new(12, 19));
        s.extend_to(30);
        assert_eq!(s.span(), Span::new(12, 30));
        s.extend_to(2);
        assert_eq!(s.span(), Span::new(2, 30));
        let mut caret = Selection::caret(5);
        caret.extend_to(9);
        assert_eq!(caret.span(), Span::new(5, 9));
    }
}
