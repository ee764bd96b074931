//! Light and dark themes, and the reader's colours: body text and the
//! highlight fill of each label, chosen so the text inside a highlight keeps a
//! contrast of at least 4.5:1 (WCAG 2 AA) whatever colour a tag set gives.

use egui::{Color32, Visuals};
use serde::{Deserialize, Serialize};

/// The contrast the reader's text keeps on every highlight (WCAG 2 AA for body text).
pub const MIN_CONTRAST: f32 = 4.5;

/// A little above [`MIN_CONTRAST`], so rounding to 8-bit colours never lands below it.
const TARGET_CONTRAST: f32 = 4.7;

/// The strongest tint of a highlight: the share of the label colour mixed into the background.
const MAX_TINT: f32 = 0.42;

/// Which theme the analyst chose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThemeChoice {
    /// Follow the system's light or dark setting.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeChoice {
    /// Every choice with its menu text.
    pub const ALL: [(ThemeChoice, &'static str); 3] = [
        (ThemeChoice::System, "Follow the system"),
        (ThemeChoice::Light, "Light"),
        (ThemeChoice::Dark, "Dark"),
    ];

    /// Makes the choice the context's theme (cheap when it already is).
    pub fn apply(self, ctx: &egui::Context) {
        let wanted = match self {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
        };
        if ctx.options(|o| o.theme_preference) != wanted {
            ctx.set_theme(wanted);
        }
    }
}

/// The reader's colours for one theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReaderColours {
    /// What the text is drawn on.
    pub background: Color32,
    /// Body text.
    pub text: Color32,
}

impl ReaderColours {
    /// The colours for these visuals. Body text is darker (or lighter) than
    /// egui's default grey, which left too little room for highlights.
    pub fn of(visuals: &Visuals) -> Self {
        let background = visuals.panel_fill;
        let text = if visuals.dark_mode {
            Color32::from_rgb(0xe8, 0xe8, 0xe8)
        } else {
            Color32::from_rgb(0x14, 0x14, 0x14)
        };
        Self { background, text }
    }

    /// The opaque fill of a highlight in label colour `rgb`: as much of the
    /// label colour as keeps the text readable on it.
    pub fn highlight(&self, rgb: [u8; 3]) -> Color32 {
        let label = Color32::from_rgb(rgb[0], rgb[1], rgb[2]);
        let mut tint = MAX_TINT;
        loop {
            let fill = mix(self.background, label, tint);
            if tint <= 0.0 || contrast(self.text, fill) >= TARGET_CONTRAST {
                return fill;
            }
            tint = (tint - 0.02).max(0.0);
        }
    }
}

/// `a` with a share `t` of `b` mixed in (in sRGB, as egui blends).
fn mix(a: Color32, b: Color32, t: f32) -> Color32 {
    let m = |x: u8, y: u8| (f32::from(x) * (1.0 - t) + f32::from(y) * t).round() as u8;
    Color32::from_rgb(m(a.r(), b.r()), m(a.g(), b.g()), m(a.b(), b.b()))
}

/// Relative luminance of an opaque colour (WCAG 2).
pub fn luminance(c: Color32) -> f32 {
    let lin = |v: u8| {
        let s = f32::from(v) / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.r()) + 0.7152 * lin(c.g()) + 0.0722 * lin(c.b())
}

/// Contrast ratio of two opaque colours (WCAG 2), from 1 to 21.
pub fn contrast(a: Color32, b: Color32) -> f32 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TagSet;
    use proptest::prelude::*;

    fn themes() -> [ReaderColours; 2] {
        [
            ReaderColours::of(&Visuals::dark()),
            ReaderColours::of(&Visuals::light()),
        ]
    }

    #[test]
    fn contrast_matches_known_values() {
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
        // egui's old body grey on PERSON's highlight was about 2.9:1.
        let old = mix(
            Color32::from_gray(27),
            Color32::from_rgb(0xf4, 0xa2, 0x59),
            70.0 / 255.0,
        );
        assert!(contrast(Color32::from_gray(0x8c), old) < 3.2);
    }

    #[test]
    fn every_default_label_meets_aa_in_both_themes() {
        for colours in themes() {
            assert!(contrast(colours.text, colours.background) >= 7.0);
            for l in TagSet::builtin().labels {
                let fill = colours.highlight(l.rgb());
                let c = contrast(colours.text, fill);
                assert!(c >= MIN_CONTRAST, "{} on {:?}: {c:.2}", l.name, colours);
                assert_ne!(fill, colours.background, "{} is still visible", l.name);
            }
        }
    }

    proptest! {
        #[test]
        fn any_label_colour_meets_aa(r: u8, g: u8, b: u8) {
            for colours in themes() {
                let c = contrast(colours.text, colours.highlight([r, g, b]));
                prop_assert!(c >= MIN_CONTRAST, "{:?}: {}", [r, g, b], c);
            }
        }
    }
}
