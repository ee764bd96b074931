//! Positioned glyphs of each page, collected from pdf-extract's content-stream walk.

use std::time::Instant;

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use super::PdfError;

/// One glyph as drawn: its baseline origin and advance in page space (points, y up).
#[derive(Clone, Debug)]
pub(crate) struct Glyph {
    pub x: f32,
    pub y: f32,
    /// Advance width, never negative.
    pub w: f32,
    /// Font size in page space (the text matrix and CTM applied).
    pub size: f32,
    /// Its Unicode text, as the font's ToUnicode map or encoding gives it.
    pub text: Box<str>,
}

/// The glyphs of one page and its box.
#[derive(Clone, Debug, Default)]
pub(crate) struct PageGlyphs {
    pub bottom: f32,
    pub top: f32,
    pub glyphs: Vec<Glyph>,
}

/// Receives the glyphs of one page, stopping the walk (with an error pdf-extract
/// passes up) when the deadline passes or the text grows past its budget: the
/// walk itself has no other way to be interrupted.
pub(crate) struct Collector {
    pub page: PageGlyphs,
    pub deadline: Instant,
    /// Bytes of glyph text still allowed, over all pages.
    pub budget: usize,
    /// Why the walk was stopped, if it was.
    pub stopped: Option<PdfError>,
    counter: u32,
}

impl Collector {
    pub fn new(deadline: Instant, budget: usize) -> Self {
        Self {
            page: PageGlyphs::default(),
            deadline,
            budget,
            stopped: None,
            counter: 0,
        }
    }

    fn stop(&mut self, why: PdfError) -> Result<(), OutputError> {
        self.stopped = Some(why);
        Err(OutputError::FormatError(std::fmt::Error))
    }
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page = PageGlyphs {
            bottom: media_box.lly.min(media_box.ury) as f32,
            top: media_box.lly.max(media_box.ury) as f32,
            glyphs: Vec::new(),
        };
        if Instant::now() > self.deadline {
            return self.stop(PdfError::TimedOut);
        }
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        self.counter = self.counter.wrapping_add(1);
        if self.counter.is_multiple_of(512) && Instant::now() > self.deadline {
            return self.stop(PdfError::TimedOut);
        }
        if text.len() > self.budget {
            return self.stop(PdfError::TooLarge);
        }
        self.budget -= text.len();
        let scale_x = trm.m11.hypot(trm.m12);
        let scale_y = trm.m21.hypot(trm.m22);
        let size = (font_size * scale_y).abs();
        let w = ((width * font_size + spacing.max(0.0)) * scale_x).abs();
        let (x, y) = (trm.m31, trm.m32);
        if !(x.is_finite() && y.is_finite() && size.is_finite() && w.is_finite()) {
            return Ok(());
        }
        self.page.glyphs.push(Glyph {
            x: x as f32,
            y: y as f32,
            w: (w as f32).min(1e4),
            size: (size as f32).clamp(0.1, 1e4),
            text: text.into(),
        });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}
