//! Words of a text as the suggestion engine sees them: UAX #29 word segments
//! with their code-point spans and the hashes matching compares.
//!
//! Strings are compared by hash, not by text, so a 1 MB document is matched
//! without building a string per candidate. The hash is stable (FNV-1a, not
//! the standard library's randomised one) because nothing here is persisted
//! by hash, but tests and the learner want the same features in every run.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::super::annotation::Span;
use super::super::words::word_bounds;

/// FNV-1a offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// A streaming FNV-1a hash.
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Self {
        Self(FNV_OFFSET)
    }

    pub(crate) fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(FNV_PRIME);
    }

    pub(crate) fn char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            self.byte(b);
        }
    }

    pub(crate) fn str(&mut self, s: &str) {
        for b in s.bytes() {
            self.byte(b);
        }
    }

    pub(crate) fn finish(self) -> u64 {
        // One extra mix so that short strings spread over the high bits too.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
}

/// Hash of a string.
pub(crate) fn hash_str(s: &str) -> u64 {
    let mut h = Fnv::new();
    h.str(s);
    h.finish()
}

/// Hash of a string, lower-cased.
pub(crate) fn hash_lower(s: &str) -> u64 {
    let mut h = Fnv::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        h.char(c);
    }
    h.finish()
}

/// Extends a sequence hash by one more part (a gap or a word).
pub(crate) fn combine(seq: u64, part: u64) -> u64 {
    (seq.rotate_left(23) ^ part).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// True when a segment is a word (has a letter or digit), as `model::words` decides.
pub(crate) fn is_word(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// The possessive ending of a word ("China's", "Reuters’"), in code points,
/// when the word has one and something is left before it.
fn possessive_len(w: &str) -> Option<usize> {
    for end in ["'s", "’s", "'S", "’S"] {
        if let Some(base) = w.strip_suffix(end)
            && base.chars().any(char::is_alphanumeric)
        {
            return Some(2);
        }
    }
    None
}

/// A word's stem for inflection-blind matching: lower case with a plural,
/// past or gerund ending taken off. Deliberately light (no dictionary): it
/// only has to make "refugee" and "refugees", "Afghan" and "Afghans" meet.
pub(crate) fn stem(lower: &str) -> std::borrow::Cow<'_, str> {
    if lower.len() <= 3 || !lower.is_ascii() {
        return lower.into();
    }
    if let Some(base) = lower.strip_suffix("ies")
        && base.len() >= 3
    {
        return format!("{base}y").into();
    }
    for suf in ["es", "s", "ed", "ing"] {
        if let Some(base) = lower.strip_suffix(suf) {
            if base.len() < 3
                || (suf == "s" && (base.ends_with('s') || base.ends_with('u') || base.ends_with('i')))
            {
                continue;
            }
            if suf == "es" && !(base.ends_with("sh") || base.ends_with("ch") || base.ends_with('x')) {
                continue;
            }
            return base.into();
        }
    }
    lower.into()
}

/// Passes a key that is already a good hash through unchanged.
#[derive(Default, Clone, Copy)]
pub(crate) struct KeyIsHash(u64);

impl Hasher for KeyIsHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by hashes computed here.
pub(crate) type HashKeyed<V> = HashMap<u64, V, BuildHasherDefault<KeyIsHash>>;

/// One word of a text.
#[derive(Clone, Debug)]
pub(crate) struct Tok {
    /// Where, in code points.
    pub span: Span,
    /// Where, in bytes of the text.
    pub bytes: std::ops::Range<usize>,
    /// Hash of the word as written.
    pub exact: u64,
    /// Hash of the word lower-cased.
    pub lower: u64,
    /// Hash of the word's stem ([`stem`]).
    pub stem: u64,
    /// Hash of the space or punctuation between the previous word and this
    /// one, runs of white space counted as one space.
    pub gap: u64,
    /// True when the gap holds a line break or sentence punctuation, which a
    /// multi-word match should not cross unless the tagged string did.
    pub hard_gap: bool,
    /// The word without its possessive ending: its end in code points and
    /// its hashes (exact, lower). `None` when it has no such ending.
    pub possessive: Option<(usize, u64, u64)>,
}

/// Hash of a gap between two words, white space runs counted as one space.
fn gap_hash(gap: &str) -> (u64, bool) {
    let mut h = Fnv::new();
    let mut in_space = false;
    let mut hard = false;
    for c in gap.chars() {
        if c.is_whitespace() {
            if c == '\n' || c == '\r' || c == '\u{2029}' {
                hard = true;
            }
            if !in_space {
                h.char(' ');
            }
            in_space = true;
        } else {
            if matches!(c, '.' | '!' | '?' | ';' | '。' | '؟' | '！' | '？') {
                hard = true;
            }
            h.char(c);
            in_space = false;
        }
    }
    (h.finish(), hard)
}

/// The words of `text`, in order.
pub(crate) fn tokenize(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut cp = 0usize;
    let mut byte = 0usize;
    let mut gap_start = 0usize;
    let mut lower_buf = String::new();
    for seg in word_bounds(text) {
        let n = seg.chars().count();
        let b1 = byte + seg.len();
        if is_word(seg) {
            let (gap, hard_gap) = gap_hash(&text[gap_start..byte]);
            lower_buf.clear();
            lower_buf.extend(seg.chars().flat_map(char::to_lowercase));
            let possessive = possessive_len(seg).map(|k| {
                let base: &str = &seg[..seg.char_indices().rev().nth(k - 1).map_or(0, |(i, _)| i)];
                (cp + n - k, hash_str(base), hash_lower(base))
            });
            out.push(Tok {
                span: Span::new(cp, cp + n),
                bytes: byte..b1,
                exact: hash_str(seg),
                lower: hash_str(&lower_buf),
                stem: hash_str(&stem(&lower_buf)),
                gap,
                hard_gap,
                possessive,
            });
            gap_start = b1;
        }
        cp += n;
        byte = b1;
    }
    out
}

/// The three hashes of a run of words: as written, lower-cased, stemmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Keys {
    pub exact: u64,
    pub lower: u64,
    pub stem: u64,
}

/// The hashes of the words `toks` as one string (gaps between them included).
pub(crate) fn keys_of(toks: &[Tok]) -> Option<Keys> {
    let first = toks.first()?;
    let mut k = Keys {
        exact: first.exact,
        lower: first.lower,
        stem: first.stem,
    };
    for t in &toks[1..] {
        k = extend(k, t);
    }
    Some(k)
}

/// `k` extended by the gap before `t` and `t`.
pub(crate) fn extend(k: Keys, t: &Tok) -> Keys {
    Keys {
        exact: combine(combine(k.exact, t.gap), t.exact),
        lower: combine(combine(k.lower, t.gap), t.lower),
        stem: combine(combine(k.stem, t.gap), t.stem),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_carry_code_point_spans_and_gaps() {
        let t = tokenize("Ça va, Hillary  Clinton's plan.");
        let words: Vec<_> = t
            .iter()
            .map(|w| &"Ça va, Hillary  Clinton's plan."[w.bytes.clone()])
            .collect();
        assert_eq!(words, ["Ça", "va", "Hillary", "Clinton's", "plan"]);
        assert_eq!(t[0].span, Span::new(0, 2));
        assert_eq!(t[3].possessive.map(|p| p.0), Some(23));
        // Two spaces count as one; case is ignored only in the lower-case key.
        let u = tokenize("hillary clinton's");
        assert_eq!(u[1].gap, t[3].gap);
        let (a, b) = (keys_of(&t[2..4]).unwrap(), keys_of(&u).unwrap());
        assert_eq!(a.lower, b.lower);
        assert_ne!(a.exact, b.exact);
        assert!(t[2].gap != t[1].gap && !t[2].hard_gap);
    }

    #[test]
    fn stems_meet_plurals_and_leave_short_words() {
        assert_eq!(stem("refugees"), "refugee");
        assert_eq!(stem("afghans"), "afghan");
        assert_eq!(stem("countries"), "country");
        assert_eq!(stem("country"), "country");
        assert_eq!(stem("bus"), "bus");
        assert_eq!(stem("crisis"), "crisis");
        assert_eq!(stem("churches"), "church");
    }
}
