//! Fallback fonts so that every script displays: Korean, Chinese, Japanese,
//! Arabic and more are found among the system's fonts (fontdb) and appended
//! after egui's built-in fonts, which cover Latin and (monochrome) emoji.
//! A colour emoji font, where one is installed, goes before the monochrome
//! emoji so that emoji show in colour. Noto Sans Arabic and Noto Sans Hebrew
//! are bundled (`assets/fonts`, OFL) as the last resort for those scripts, so
//! right-to-left text shows even on a system without such fonts.

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
    // Monochrome emoji beyond egui's bundled set.
    &["Noto Emoji", "Symbola", "Segoe UI Symbol", "Apple Symbols"],
];

/// Colour emoji fonts, tried in order (drawn through epaint's `color_fonts`).
const COLOUR_EMOJI: &[&str] = &[
    "Noto Color Emoji",
    "Apple Color Emoji",
    "Segoe UI Emoji",
    "Twemoji",
];

/// Fonts shipped with Marginalia: (name, file).
const BUNDLED: &[(&str, &[u8])] = &[
    (
        "Noto Sans Arabic (bundled)",
        include_bytes!("../../assets/fonts/NotoSansArabic-Regular.ttf"),
    ),
    (
        "Noto Sans Hebrew (bundled)",
        include_bytes!("../../assets/fonts/NotoSansHebrew-Regular.ttf"),
    ),
];

/// Adds installed fallback fonts to egui's defaults. Returns the families found.
pub fn install(ctx: &egui::Context) -> Vec<String> {
    let (defs, found) = definitions(true);
    ctx.set_fonts(defs);
    found
}

/// Uses only the fonts that ship with egui and Marginalia, ignoring the
/// system's: the same glyphs on every machine (for tests and snapshots).
pub fn install_bundled(ctx: &egui::Context) {
    ctx.set_fonts(definitions(false).0);
}

/// egui's fonts, the system's fallbacks (if `system`) and the bundled ones.
fn definitions(system: bool) -> (FontDefinitions, Vec<String>) {
    let mut defs = FontDefinitions::default();
    let mut found = Vec::new();
    if system {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        for (k, group) in std::iter::once(COLOUR_EMOJI)
            .chain(FALLBACKS.iter().copied())
            .enumerate()
        {
            let Some((family, fd)) = group.iter().find_map(|f| load(&mut db, f).map(|fd| (*f, fd))) else {
                continue;
            };
            if found.iter().any(|f| f == family) {
                continue;
            }
            defs.font_data.insert(family.to_owned(), Arc::new(fd));
            for fam in [FontFamily::Proportional, FontFamily::Monospace] {
                let list = defs.families.entry(fam).or_default();
                if k == 0 {
                    // Colour emoji before egui's monochrome ones, after the text fonts.
                    let at = list.iter().position(|n| n == "egui-icons").unwrap_or(list.len());
                    list.insert(at, family.to_owned());
                } else {
                    list.push(family.to_owned());
                }
            }
            found.push(family.to_owned());
        }
    }
    for (name, bytes) in BUNDLED {
        defs.font_data
            .insert((*name).to_owned(), Arc::new(FontData::from_static(bytes)));
        for fam in [FontFamily::Proportional, FontFamily::Monospace] {
            defs.families.entry(fam).or_default().push((*name).to_owned());
        }
    }
    (defs, found)
}

/// The installed face of `family`, if any.
fn load(db: &mut fontdb::Database, family: &str) -> Option<FontData> {
    let query = fontdb::Query {
        families: &[fontdb::Family::Name(family)],
        ..Default::default()
    };
    let id = db.query(&query)?;
    // Mapped, not copied: a CJK font file is about 20 MB, of which a
    // document touches the pages of the glyphs it shows.
    // SAFETY: the mapping is read-only; it would go wrong only if the font
    // file were truncated in place while Marginalia runs. Package managers
    // and font installers replace font files (a new file under the same
    // name), which leaves the mapped one intact.
    let (blob, index) = unsafe { db.make_shared_face_data(id) }?;
    Some(FontData::from_blob(blob, index))
}
