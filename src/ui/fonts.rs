//! Fallback fonts so that every script displays: Korean, Chinese, Japanese,
//! Arabic and more are found among the system's fonts (fontdb) and appended
//! after egui's built-in fonts, which already cover Latin and emoji.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

/// Families tried in order; the first installed one of each group is used.
const FALLBACKS: &[&[&str]] = &[
    // CJK: one family covers Chinese, Japanese and Korean.
    &[
        "Noto Sans CJK SC",
        "Noto Sans CJK JP",
        "Noto Sans CJK KR",
        "Source Han Sans SC",
        "Source Han Sans",
        "WenQuanYi Micro Hei",
        "WenQuanYi Zen Hei",
        "Droid Sans Fallback",
        "Microsoft YaHei",
        "PingFang SC",
        "Hiragino Sans",
        "Malgun Gothic",
        "NanumGothic",
    ],
    &[
        "Noto Sans KR",
        "Noto Sans CJK KR",
        "NanumGothic",
        "UnDotum",
        "Apple SD Gothic Neo",
    ],
    &[
        "Noto Sans Arabic",
        "Noto Naskh Arabic",
        "DejaVu Sans",
        "Arial",
        "Geeza Pro",
    ],
    &["Noto Sans Hebrew", "DejaVu Sans"],
    &["Noto Sans Devanagari", "Lohit Devanagari"],
    &["Noto Sans Thai", "Loma"],
    &["Noto Sans", "DejaVu Sans", "Liberation Sans"],
    // Monochrome emoji beyond egui's bundled set (egui cannot draw colour-bitmap emoji fonts).
    &["Noto Emoji", "Symbola", "Segoe UI Symbol", "Apple Symbols"],
];

/// Adds installed fallback fonts to egui's defaults. Returns the families found.
pub fn install(ctx: &egui::Context) -> Vec<String> {
    let mut db = fontdb::Database::new();
    db.load_system_fonts();
    let mut defs = FontDefinitions::default();
    let mut found = Vec::new();
    for group in FALLBACKS {
        for family in *group {
            if found.iter().any(|f| f == family) {
                break;
            }
            let query = fontdb::Query {
                families: &[fontdb::Family::Name(family)],
                ..Default::default()
            };
            let Some(id) = db.query(&query) else { continue };
            // Mapped, not copied: a CJK font file is about 20 MB, of which a
            // document touches the pages of the glyphs it shows.
            // SAFETY: the mapping is read-only; it would go wrong only if the font
            // file were truncated in place while Marginalia runs. Package managers
            // and font installers replace font files (a new file under the same
            // name), which leaves the mapped one intact.
            let Some((blob, index)) = (unsafe { db.make_shared_face_data(id) }) else {
                continue;
            };
            let fd = FontData::from_blob(blob, index);
            defs.font_data.insert((*family).to_owned(), Arc::new(fd));
            for fam in [FontFamily::Proportional, FontFamily::Monospace] {
                defs.families.entry(fam).or_default().push((*family).to_owned());
            }
            found.push((*family).to_owned());
            break;
        }
    }
    ctx.set_fonts(defs);
    found
}
