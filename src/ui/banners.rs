//! Status and error banners over the reader. They float over the lower edge
//! of the text instead of taking a row above it: a banner that appears or goes
//! away never moves the text under the pointer, so a click lands on the line
//! the analyst aimed at. Informational notices fade after a while; errors and
//! warnings stay until dismissed or resolved.

use std::time::{Duration, Instant};

use egui::{Color32, RichText, Ui};

use super::app::MarginaliaApp;

/// How long an informational notice is shown fully.
pub const INFO_SHOWN: Duration = Duration::from_secs(6);
/// How long it then takes to fade out.
pub const INFO_FADE: Duration = Duration::from_millis(1500);

/// How serious a banner is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Done, for information; fades.
    Info,
    /// Needs attention.
    Warn,
    /// Something failed.
    Error,
}

/// One banner.
#[derive(Clone, Debug)]
pub struct Banner {
    /// What it says.
    pub text: String,
    /// How serious it is.
    pub tone: Tone,
    /// True for the workbench's notice, which has a Dismiss button.
    pub notice: bool,
}

/// When the current notice was first shown, to fade informational ones.
#[derive(Default)]
pub struct NoticeClock {
    shown: Option<(String, Instant)>,
}

/// How opaque an informational banner is `elapsed` after it appeared; `None`
/// once it has faded away.
pub fn fade(elapsed: Duration) -> Option<f32> {
    if elapsed <= INFO_SHOWN {
        return Some(1.0);
    }
    let gone = (elapsed - INFO_SHOWN).as_secs_f32() / INFO_FADE.as_secs_f32();
    (gone < 1.0).then_some(1.0 - gone)
}

/// The banners to show now, most serious last (nearest the text's bottom edge).
pub fn collect(app: &MarginaliaApp) -> Vec<Banner> {
    let mut out = Vec::new();
    if let Some(n) = &app.notice {
        let info = app.informed.as_deref() == Some(n.as_str());
        out.push(Banner {
            text: n.clone(),
            tone: if info { Tone::Info } else { Tone::Warn },
            notice: true,
        });
    }
    if let Some(e) = app.ws.corpus.as_ref().and_then(|c| c.tagset_error.clone()) {
        out.push(Banner {
            text: format!(
                "The corpus tag set was not used: {e}. The built-in tag set is in force until the file is fixed."
            ),
            tone: Tone::Error,
            notice: false,
        });
    }
    if let Some(p) = &app.picking {
        out.push(Banner {
            text: match p {
                super::app::PickTarget::Speaker(_) => {
                    "Click the speaker's entity in the text (Esc cancels).".to_owned()
                }
                super::app::PickTarget::RelationTo { kind, .. } => {
                    format!("Click the target of the “{kind}” relation in the text (Esc cancels).")
                }
            },
            tone: Tone::Warn,
            notice: false,
        });
    }
    if let Some(s) = app.session() {
        if let Some(r) = &s.reanchor {
            let mut msg = format!(
                "The source changed since these annotations were saved: {} moved to their new place",
                r.moved.len()
            );
            if !r.orphaned.is_empty() {
                msg.push_str(&format!(
                    ", {} could not be placed (kept and flagged orphaned; see the inspector)",
                    r.orphaned.len()
                ));
            }
            if !r.cues_lost.is_empty() {
                msg.push_str(&format!(
                    ", {} claim cues could not be placed and were cleared",
                    r.cues_lost.len()
                ));
            }
            out.push(Banner {
                text: msg + ".",
                tone: Tone::Warn,
                notice: false,
            });
        }
        if let Some(why) = &s.read_only {
            out.push(Banner {
                text: format!("Read-only. {why}"),
                tone: Tone::Error,
                notice: false,
            });
        }
    }
    out
}

/// Draws `banners` floating over the bottom of `area` (the reader's rectangle),
/// fading informational notices and clearing them once faded.
pub fn show(app: &mut MarginaliaApp, ui: &Ui, area: egui::Rect, banners: &[Banner]) {
    let ctx = ui.ctx().clone();
    let now = Instant::now();
    let notice = app.notice.clone();
    let since = match (&notice, &app.notice_clock.shown) {
        (Some(n), Some((seen, at))) if seen == n => *at,
        (Some(n), _) => {
            app.notice_clock.shown = Some((n.clone(), now));
            now
        }
        (None, _) => {
            app.notice_clock.shown = None;
            now
        }
    };
    let mut dismiss = false;
    let width = (area.width() - 32.0).max(120.0);
    egui::Area::new(egui::Id::unique("reader-banners"))
        .order(egui::Order::Foreground)
        .pivot(egui::Align2::CENTER_BOTTOM)
        .fixed_pos(area.center_bottom() - egui::vec2(0.0, 12.0))
        .interactable(true)
        .show(&ctx, |ui| {
            ui.set_max_width(width);
            for b in banners {
                let mut opacity = 1.0;
                if b.tone == Tone::Info {
                    match fade(now - since) {
                        Some(o) => {
                            opacity = o;
                            ctx.request_repaint_after(Duration::from_millis(100));
                        }
                        None => {
                            dismiss = true;
                            continue;
                        }
                    }
                }
                let (fill, text) = match b.tone {
                    Tone::Info => (Color32::from_rgb(0x24, 0x4a, 0x34), Color32::WHITE),
                    Tone::Warn => (Color32::from_rgb(0x5c, 0x45, 0x10), Color32::WHITE),
                    Tone::Error => (Color32::from_rgb(0x78, 0x1e, 0x1e), Color32::WHITE),
                };
                ui.set_opacity(opacity);
                egui::Frame::new()
                    .fill(fill)
                    .corner_radius(4.0)
                    .inner_margin(egui::Margin::symmetric(10, 6))
                    .show(ui, |ui| {
                        ui.set_width(width - 20.0);
                        ui.horizontal_wrapped(|ui| {
                            ui.label(RichText::new(&b.text).color(text));
                            if b.notice && ui.small_button("Dismiss").clicked() {
                                dismiss = true;
                            }
                        });
                    });
                ui.set_opacity(1.0);
            }
        });
    if dismiss {
        app.notice = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn informational_notices_fade_then_go() {
        assert_eq!(fade(Duration::ZERO), Some(1.0));
        assert_eq!(fade(INFO_SHOWN), Some(1.0));
        let half = fade(INFO_SHOWN + INFO_FADE / 2).unwrap();
        assert!((half - 0.5).abs() < 0.01);
        assert_eq!(fade(INFO_SHOWN + INFO_FADE), None);
    }
}
