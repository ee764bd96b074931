//! PDFs written by code for the extractor's tests and benchmark: pages of text
//! placed at given points in one composite font (Identity-H) whose ToUnicode map
//! gives each character back, the way office suites write fonts. No font program
//! is embedded; extraction never needs one.

#![allow(dead_code)]

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Object, Stream, StringFormat, dictionary};

/// Text drawn at a point: `x`, `y` of the baseline in points (y up), font size,
/// and the characters in the order they are drawn, left to right.
#[derive(Clone, Debug)]
pub struct Run {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub text: String,
}

/// One page: A4 unless changed, its text and whether it holds a picture.
#[derive(Clone, Debug)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub runs: Vec<Run>,
    pub image: bool,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            width: 595.0,
            height: 842.0,
            runs: Vec::new(),
            image: false,
        }
    }
}

impl Page {
    /// Adds text at a point.
    pub fn text(&mut self, x: f32, y: f32, size: f32, text: &str) -> &mut Self {
        self.runs.push(Run {
            x,
            y,
            size,
            text: text.to_string(),
        });
        self
    }

    /// Adds lines one under the other, `leading` apart, starting at `y`.
    pub fn lines(&mut self, x: f32, y: f32, size: f32, leading: f32, lines: &[&str]) -> &mut Self {
        for (i, l) in lines.iter().enumerate() {
            self.text(x, y - leading * i as f32, size, l);
        }
        self
    }
}

/// A whole document and what its Info dictionary and catalog say.
#[derive(Clone, Debug, Default)]
pub struct Pdf {
    pub pages: Vec<Page>,
    /// Info entries, e.g. `("Title", "Annual report")`; strings are written as UTF-16.
    pub info: Vec<(&'static str, String)>,
    /// The catalog's `/Lang`.
    pub lang: Option<String>,
    /// An XMP packet for the catalog's `/Metadata`.
    pub xmp: Option<String>,
}

/// Every glyph is this wide, in thousandths of the font size.
pub const GLYPH_WIDTH: f32 = 500.0;

impl Pdf {
    /// The document as lopdf holds it.
    pub fn document(&self) -> Document {
        let mut doc = Document::with_version("1.7");
        let mut cids: BTreeMap<char, u16> = BTreeMap::new();
        for page in &self.pages {
            for run in &page.runs {
                for c in run.text.chars() {
                    let next = cids.len() as u16 + 1;
                    cids.entry(c).or_insert(next);
                }
            }
        }
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
        );
        let entries: Vec<_> = cids.iter().collect();
        for chunk in entries.chunks(100) {
            cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
            for (c, cid) in chunk {
                let mut buf = [0u16; 2];
                let hex: String = c
                    .encode_utf16(&mut buf)
                    .iter()
                    .map(|u| format!("{u:04X}"))
                    .collect();
                cmap.push_str(&format!("<{cid:04X}> <{hex}>\n"));
            }
            cmap.push_str("endbfchar\n");
        }
        cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end\n");
        let to_unicode = doc.add_object(Stream::new(Dictionary::new(), cmap.into_bytes()));
        let descriptor = doc.add_object(dictionary! {
            "Type" => "FontDescriptor", "FontName" => "TestSans", "Flags" => 32,
            "FontBBox" => vec![0.into(), (-200).into(), 1000.into(), 900.into()],
            "ItalicAngle" => 0, "Ascent" => 900, "Descent" => -200, "CapHeight" => 700, "StemV" => 80,
        });
        let cid_font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "TestSans",
            "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"), "Ordering" => Object::string_literal("Identity"), "Supplement" => 0 },
            "FontDescriptor" => descriptor, "DW" => GLYPH_WIDTH as i64, "CIDToGIDMap" => "Identity",
        });
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "TestSans", "Encoding" => "Identity-H",
            "DescendantFonts" => vec![cid_font.into()], "ToUnicode" => to_unicode,
        });
        let image = doc.add_object(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 8, "Height" => 8, "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
            (0..64u8).map(|i| i * 4).collect(),
        ));
        let pages_id = doc.new_object_id();
        let mut kids = Vec::new();
        for page in &self.pages {
            let mut ops = String::new();
            if page.image {
                ops.push_str(&format!(
                    "q {} 0 0 {} 0 0 cm /Im1 Do Q\n",
                    page.width, page.height
                ));
            }
            for run in &page.runs {
                let hex: String = run.text.chars().map(|c| format!("{:04X}", cids[&c])).collect();
                ops.push_str(&format!(
                    "BT /F1 {} Tf {} {} Td <{hex}> Tj ET\n",
                    run.size, run.x, run.y
                ));
            }
            let content = doc.add_object(Stream::new(Dictionary::new(), ops.into_bytes()));
            let id = doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content,
                "MediaBox" => vec![0.into(), 0.into(), page.width.into(), page.height.into()],
                "Resources" => dictionary! { "Font" => dictionary! { "F1" => font }, "XObject" => dictionary! { "Im1" => image } },
            });
            kids.push(Object::Reference(id));
        }
        let count = kids.len() as i64;
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
        );
        let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
        if let Some(lang) = &self.lang {
            catalog.set("Lang", Object::string_literal(lang.as_str()));
        }
        if let Some(xmp) = &self.xmp {
            let id = doc.add_object(Stream::new(
                dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
                xmp.clone().into_bytes(),
            ));
            catalog.set("Metadata", id);
        }
        let catalog_id = doc.add_object(catalog);
        doc.trailer.set("Root", catalog_id);
        if !self.info.is_empty() {
            let mut info = Dictionary::new();
            for (k, v) in &self.info {
                let mut bytes = vec![0xFE, 0xFF];
                bytes.extend(v.encode_utf16().flat_map(|u| u.to_be_bytes()));
                info.set(*k, Object::String(bytes, StringFormat::Hexadecimal));
            }
            let id = doc.add_object(info);
            doc.trailer.set("Info", id);
        }
        doc
    }

    /// The file's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.document()
            .save_to(&mut out)
            .expect("writing a PDF to memory");
        out
    }
}

/// Sentences of filler prose, different for every `seed`, about `n` words long.
pub fn prose(seed: usize, n: usize) -> String {
    const WORDS: [&str; 32] = [
        "the",
        "report",
        "found",
        "that",
        "villages",
        "near",
        "river",
        "were",
        "flooded",
        "after",
        "heavy",
        "rain",
        "in",
        "march",
        "officials",
        "said",
        "aid",
        "arrived",
        "late",
        "while",
        "families",
        "waited",
        "for",
        "weeks",
        "roads",
        "bridges",
        "clinics",
        "schools",
        "closed",
        "water",
        "levels",
        "rose",
    ];
    let mut state = (seed as u64)
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let mut next = |m: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % m
    };
    let mut out = String::new();
    let mut words = 0;
    while words < n {
        let len = 6 + next(10);
        for i in 0..len {
            let w = WORDS[next(WORDS.len())];
            if i == 0 {
                if !out.is_empty() {
                    out.push(' ');
                }
                let mut c = w.chars();
                out.extend(c.next().map(|c| c.to_ascii_uppercase()));
                out.push_str(c.as_str());
            } else {
                out.push(' ');
                out.push_str(w);
            }
        }
        out.push('.');
        words += len;
    }
    out
}

/// Splits prose into lines of at most `width` characters.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for w in text.split(' ') {
        let last = lines.last_mut().unwrap();
        if !last.is_empty() && last.len() + 1 + w.len() > width {
            lines.push(w.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(w);
        }
    }
    lines
}

/// A report of `pages` pages in two columns, each page with a running head,
/// a page number at its foot and a paragraph break in each column.
pub fn report(pages: usize) -> Pdf {
    let mut pdf = Pdf::default();
    for p in 0..pages {
        let mut page = Page::default();
        page.text(72.0, 800.0, 9.0, "Flood Response Review 2024");
        page.text(290.0, 40.0, 9.0, &format!("{}", p + 1));
        for col in 0..2 {
            let x = if col == 0 { 60.0 } else { 310.0 };
            let first = wrap(&prose(p * 2 + col, 120), 44);
            let second = wrap(&prose(p * 2 + col + 1000, 80), 44);
            let mut y = 760.0;
            for l in first.iter() {
                page.text(x, y, 10.0, l);
                y -= 12.0;
            }
            y -= 10.0;
            for l in second.iter() {
                page.text(x, y, 10.0, l);
                y -= 12.0;
            }
        }
        pdf.pages.push(page);
    }
    pdf
}
