//! Glyphs → lines → fragments: glyphs on one baseline, in logical order, split where
//! the gap is wider than a word space (a column gutter or a table cell).

use unicode_normalization::UnicodeNormalization;

use super::glyphs::Glyph;

/// A run of text on one baseline without a gap wider than a word space.
#[derive(Clone, Debug)]
pub(crate) struct Fragment {
    pub x0: f32,
    pub x1: f32,
    /// Baseline.
    pub y: f32,
    pub size: f32,
    /// Logical order, ligatures expanded, no soft hyphen inside a word.
    pub text: String,
    /// Strong right-to-left characters outnumber left-to-right ones.
    pub rtl: bool,
}

/// The fragments sharing one baseline, left to right on the page.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    pub y: f32,
    pub fragments: Vec<Fragment>,
}

impl Line {
    /// The whole line as one string, fragments joined by a space.
    pub fn text(&self) -> String {
        let mut parts: Vec<&str> = self.fragments.iter().map(|f| f.text.as_str()).collect();
        if self.fragments.iter().filter(|f| f.rtl).count() * 2 > self.fragments.len() {
            parts.reverse();
        }
        parts.join(" ")
    }
}

/// A gap wider than this many ems ends a fragment: wider than a word space in
/// justified text, narrower than a column gutter.
const FRAGMENT_GAP_EM: f32 = 1.0;
/// A gap wider than this many ems is a word space where the PDF drew none.
const SPACE_GAP_EM: f32 = 0.15;

/// Groups a page's glyphs into lines (top to bottom) of fragments (left to right).
pub(crate) fn lines(glyphs: &[Glyph]) -> Vec<Line> {
    let mut order: Vec<usize> = (0..glyphs.len())
        .filter(|&i| !glyphs[i].text.trim().is_empty() || glyphs[i].text.contains(' '))
        .collect();
    order.sort_by(|&a, &b| glyphs[b].y.total_cmp(&glyphs[a].y));
    let mut out = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let first = &glyphs[order[start]];
        // Half the larger size: a raised footnote mark joins its line, the next line does not.
        let mut end = start + 1;
        while end < order.len() && {
            let g = &glyphs[order[end]];
            first.y - g.y <= first.size.max(g.size) * 0.5
        } {
            end += 1;
        }
        let baseline = order[start..end]
            .iter()
            .map(|&i| &glyphs[i])
            .max_by(|a, b| a.size.total_cmp(&b.size))
            .map_or(first.y, |g| g.y);
        let mut members: Vec<&Glyph> = order[start..end].iter().map(|&i| &glyphs[i]).collect();
        members.sort_by(|a, b| a.x.total_cmp(&b.x));
        let fragments = split_fragments(&members);
        if !fragments.is_empty() {
            out.push(Line {
                y: baseline,
                fragments,
            });
        }
        start = end;
    }
    out
}

fn split_fragments(glyphs: &[&Glyph]) -> Vec<Fragment> {
    let mut out = Vec::new();
    let mut units: Vec<String> = Vec::new();
    let mut x0 = 0.0f32;
    let mut x1 = f32::MIN;
    let mut size = 0.0f32;
    let mut y = 0.0f32;
    let mut last: Option<&Glyph> = None;
    for &g in glyphs {
        let is_space = g.text.trim().is_empty();
        if let Some(prev) = last {
            // A glyph drawn twice a hair apart is fake bold, not two letters.
            if prev.text == g.text && (g.x - prev.x).abs() < g.size * 0.1 {
                continue;
            }
            let gap = g.x - x1;
            let em = size.max(g.size);
            if gap > em * FRAGMENT_GAP_EM && !units.is_empty() {
                out.extend(finish(std::mem::take(&mut units), x0, x1, y, size));
                last = None;
            } else if gap > em * SPACE_GAP_EM && !is_space && units.last().is_some_and(|u| u != " ") {
                units.push(" ".into());
            }
        }
        if last.is_none() {
            if is_space {
                continue;
            }
            x0 = g.x;
            x1 = g.x;
            size = 0.0;
            y = g.y;
        }
        if is_space {
            if units.last().is_some_and(|u| u != " ") {
                units.push(" ".into());
            }
        } else {
            units.push(expand(&g.text));
            size = size.max(g.size);
        }
        x1 = x1.max(g.x + g.w);
        last = Some(g);
    }
    out.extend(finish(units, x0, x1, y, size));
    out
}

fn finish(mut units: Vec<String>, x0: f32, x1: f32, y: f32, size: f32) -> Option<Fragment> {
    while units.last().is_some_and(|u| u == " ") {
        units.pop();
    }
    if units.is_empty() {
        return None;
    }
    let rtl = visual_to_logical(&mut units);
    let text: String = units.concat();
    Some(Fragment {
        x0,
        x1,
        y,
        size: size.max(0.1),
        text,
        rtl,
    })
}

/// Ligatures (ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ) and Arabic presentation forms become the letters
/// they stand for; everything else is kept as the font maps it. Control
/// characters and the replacement for an unmapped glyph are dropped.
pub(crate) fn expand(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let u = c as u32;
        if (0xFB00..=0xFB06).contains(&u) || (0xFB50..=0xFDFF).contains(&u) || (0xFE70..=0xFEFF).contains(&u)
        {
            out.extend(c.nfkc().filter(|c| *c != '\u{FEFF}'));
        } else if c.is_control() || c == '\u{FFFD}' || c == '\0' {
            // Nothing a reader could use.
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    L,
    R,
    /// European digits: left to right, but placed as their neighbours say.
    En,
    /// A separator inside a number (`3.5`, `1,000`, `12:30`).
    Cs,
    /// Other punctuation and spaces: they take the direction around them.
    N,
}

fn dir_of(s: &str) -> Dir {
    for c in s.chars() {
        if is_rtl(c) {
            return Dir::R;
        }
        if c.is_alphabetic() {
            return Dir::L;
        }
    }
    if s.chars().any(|c| c.is_ascii_digit()) {
        Dir::En
    } else if matches!(s, "." | "," | ":" | "/") {
        Dir::Cs
    } else {
        Dir::N
    }
}

fn is_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

/// Glyphs sorted left to right are in visual order; a right-to-left line is
/// stored in logical order: reversed, with its left-to-right runs (Latin words,
/// numbers) turned back, as the Unicode bidi rules would have laid them out
/// (a number after a Latin word joins its run). Returns whether the fragment
/// reads right to left.
fn visual_to_logical(units: &mut [String]) -> bool {
    let dirs: Vec<Dir> = units.iter().map(|u| dir_of(u)).collect();
    let r = dirs.iter().filter(|d| **d == Dir::R).count();
    if r == 0 {
        return false;
    }
    let l = dirs.iter().filter(|d| **d == Dir::L).count();
    let rtl = r >= l;
    if rtl {
        units.reverse();
        let mut last_strong = Dir::R;
        let dirs: Vec<Dir> = units
            .iter()
            .map(|u| match dir_of(u) {
                Dir::En if last_strong == Dir::L => Dir::L,
                d @ (Dir::L | Dir::R) => {
                    last_strong = d;
                    d
                }
                d => d,
            })
            .collect();
        reverse_runs(units, &dirs, Dir::L, &[Dir::N, Dir::Cs, Dir::En]);
        reverse_runs(units, &dirs, Dir::En, &[Dir::Cs]);
    } else {
        reverse_runs(units, &dirs, Dir::R, &[Dir::N, Dir::Cs]);
    }
    rtl
}

/// Reverses each run that starts and ends with `class`, with only `inside`
/// classes between.
fn reverse_runs(units: &mut [String], dirs: &[Dir], class: Dir, inside: &[Dir]) {
    let mut i = 0;
    while i < units.len() {
        if dirs[i] != class {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut k = i + 1;
        while k < units.len() && (dirs[k] == class || inside.contains(&dirs[k])) {
            if dirs[k] == class {
                j = k;
            }
            k += 1;
        }
        units[i..=j].reverse();
        i = j + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(x: f32, y: f32, text: &str) -> Glyph {
        Glyph {
            x,
            y,
            w: 5.0,
            size: 10.0,
            text: text.into(),
        }
    }

    fn word(x: f32, y: f32, s: &str) -> Vec<Glyph> {
        s.chars()
            .enumerate()
            .map(|(i, c)| glyph(x + 5.0 * i as f32, y, &c.to_string()))
            .collect()
    }

    #[test]
    fn ligatures_and_presentation_forms_become_letters() {
        assert_eq!(expand("\u{FB01}nd \u{FB04}ow"), "find fflow");
        // Lam-alef ligature, isolated form.
        assert_eq!(expand("\u{FEFB}"), "\u{0644}\u{0627}");
        assert_eq!(expand("a\u{0}b\u{FFFD}"), "ab");
    }

    #[test]
    fn gaps_make_spaces_and_gutters_split_fragments() {
        let mut g = word(0.0, 100.0, "one");
        g.extend(word(17.0, 100.0, "two"));
        g.extend(word(100.0, 100.0, "three"));
        g.extend(word(0.0, 80.0, "next"));
        let lines = lines(&g);
        assert_eq!(lines.len(), 2);
        let texts: Vec<&str> = lines[0].fragments.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(texts, ["one two", "three"]);
        assert_eq!(lines[1].fragments[0].text, "next");
    }

    #[test]
    fn a_raised_footnote_mark_stays_on_its_line() {
        let mut g = word(0.0, 100.0, "word");
        g.push(Glyph {
            x: 20.0,
            y: 103.5,
            w: 3.0,
            size: 6.0,
            text: "1".into(),
        });
        g.extend(word(0.0, 88.0, "next"));
        let lines = lines(&g);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text(), "word1");
        assert_eq!(lines[0].y, 100.0);
    }

    #[test]
    fn right_to_left_glyphs_come_out_in_logical_order() {
        // "سلام 42 abc" drawn left to right on the page: "abc 42 مالس".
        let mut g = word(0.0, 100.0, "abc");
        g.extend(word(20.0, 100.0, "42"));
        g.extend(word(35.0, 100.0, "\u{0645}\u{0627}\u{0644}\u{0633}"));
        let lines = lines(&g);
        let f = &lines[0].fragments[0];
        assert!(f.rtl);
        assert_eq!(f.text, "\u{0633}\u{0644}\u{0627}\u{0645} 42 abc");
    }

    #[test]
    fn a_latin_line_with_an_arabic_word_keeps_its_order() {
        let mut g = word(0.0, 100.0, "see");
        g.extend(word(20.0, 100.0, "\u{0628}\u{0627}"));
        g.extend(word(35.0, 100.0, "now"));
        let f = &lines(&g)[0].fragments[0];
        assert!(!f.rtl);
        assert_eq!(f.text, "see \u{0627}\u{0628} now");
    }
}
