//! Code-point offsets and their conversion to UTF-8 byte offsets.
//!
//! Every offset Marginalia stores or exports counts Unicode scalar values
//! (code points) of the decoded text, end-exclusive, the way Python `str`,
//! spaCy and the W3C Web Annotation model count them. Rust strings and egui
//! index by UTF-8 bytes, so every crossing between the two goes through here.

/// How many code points lie between two checkpoints of a [`CharIndex`].
const STRIDE: usize = 64;

/// Converts between code-point and byte offsets of one text in (amortised)
/// constant time, so a 1 MB document with thousands of spans never rescans
/// the text from its start.
#[derive(Clone, Debug, Default)]
pub struct CharIndex {
    /// Byte offset of every `STRIDE`-th code point; empty when the text is ASCII.
    checkpoints: Vec<usize>,
    chars: usize,
    bytes: usize,
}

impl CharIndex {
    /// Builds the index of `text`.
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Self {
                checkpoints: Vec::new(),
                chars: text.len(),
                bytes: text.len(),
            };
        }
        let mut checkpoints = Vec::with_capacity(text.len() / STRIDE + 1);
        let mut chars = 0;
        // A code point starts at every byte that is not a continuation byte, so
        // no decoding is needed, and eight bytes are counted at once where no
        // checkpoint falls among them.
        let bytes = text.as_bytes();
        let mut one_by_one = |from: usize, to: usize, chars: &mut usize| {
            for (byte, &b) in bytes[from..to].iter().enumerate() {
                if is_char_start(b) {
                    if chars.is_multiple_of(STRIDE) {
                        checkpoints.push(from + byte);
                    }
                    *chars += 1;
                }
            }
        };
        let (words, _) = bytes.as_chunks::<8>();
        for (i, w) in words.iter().enumerate() {
            let k = starts_in_word(w);
            let into = chars % STRIDE;
            if k == 0 || (into != 0 && into + k <= STRIDE) {
                chars += k;
            } else {
                one_by_one(i * 8, i * 8 + 8, &mut chars);
            }
        }
        one_by_one(words.len() * 8, bytes.len(), &mut chars);
        Self {
            checkpoints,
            chars,
            bytes: text.len(),
        }
    }

    /// Number of code points in the text.
    pub fn len_chars(&self) -> usize {
        self.chars
    }

    /// Byte offset of code point `cp`, or `None` past the end. `cp == len` maps to the text's byte length.
    pub fn cp_to_byte(&self, text: &str, cp: usize) -> Option<usize> {
        if cp > self.chars {
            return None;
        }
        if self.checkpoints.is_empty() {
            return Some(cp);
        }
        if cp == self.chars {
            return Some(self.bytes);
        }
        let mut at = self.checkpoints[cp / STRIDE];
        let mut skip = cp % STRIDE;
        let bytes = text.as_bytes();
        // Whole words while the code point lies beyond them, then byte by byte.
        while let Some(w) = bytes.get(at..at + 8) {
            let k = starts_in_word(w.try_into().ok()?);
            if k > skip {
                break;
            }
            skip -= k;
            at += 8;
        }
        bytes[at..]
            .iter()
            .enumerate()
            .filter(|(_, b)| is_char_start(**b))
            .nth(skip)
            .map(|(b, _)| at + b)
    }

    /// Code-point offset of byte `byte`, or `None` when it is past the end or inside a character.
    pub fn byte_to_cp(&self, text: &str, byte: usize) -> Option<usize> {
        if byte > self.bytes || !text.is_char_boundary(byte) {
            return None;
        }
        if self.checkpoints.is_empty() {
            return Some(byte);
        }
        let block = self.checkpoints.partition_point(|&b| b <= byte) - 1;
        let start = self.checkpoints[block];
        Some(block * STRIDE + text[start..byte].chars().count())
    }
}

/// Number of code points starting in eight bytes: those that are not
/// continuation bytes (`10xxxxxx`).
fn starts_in_word(w: &[u8; 8]) -> usize {
    let x = u64::from_le_bytes(*w);
    // A byte's top bit set and the next bit clear marks a continuation byte.
    let continuation = x & !(x << 1) & 0x8080_8080_8080_8080;
    8 - continuation.count_ones() as usize
}

/// True for a byte that begins a code point in UTF-8 (anything but `0b10xx_xxxx`).
fn is_char_start(b: u8) -> bool {
    (b as i8) >= -0x40
}

/// Byte offset `chars` code points before byte offset `from` of `text` (or 0);
/// `from` must be a character boundary.
pub fn back_chars(text: &str, from: usize, chars: usize) -> usize {
    let b = text.as_bytes();
    let (mut i, mut left) = (from, chars);
    while left > 0 && i > 0 {
        i -= 1;
        if is_char_start(b[i]) {
            left -= 1;
        }
    }
    i
}

/// Byte offset `chars` code points after byte offset `from` of `text` (or its
/// length); `from` must be a character boundary.
pub fn forward_chars(text: &str, from: usize, chars: usize) -> usize {
    let b = text.as_bytes();
    let (mut i, mut left) = (from, chars);
    while left > 0 && i < b.len() {
        i += 1;
        while i < b.len() && !is_char_start(b[i]) {
            i += 1;
        }
        left -= 1;
    }
    i
}

/// Byte offset of code point `cp` in `text` (linear scan; use [`CharIndex`] for repeated use).
pub fn cp_to_byte(text: &str, cp: usize) -> Option<usize> {
    if cp == 0 {
        return Some(0);
    }
    let mut count = 0;
    for (byte, _) in text.char_indices() {
        if count == cp {
            return Some(byte);
        }
        count += 1;
    }
    (count == cp).then_some(text.len())
}

/// Code-point offset of byte `byte` in `text`, or `None` inside a character or past the end.
pub fn byte_to_cp(text: &str, byte: usize) -> Option<usize> {
    if byte > text.len() || !text.is_char_boundary(byte) {
        return None;
    }
    Some(text[..byte].chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_and_cjk_count_as_one_code_point() {
        let text = "a😀b한c";
        let idx = CharIndex::new(text);
        assert_eq!(idx.len_chars(), 5);
        assert_eq!(idx.cp_to_byte(text, 2), Some(5));
        assert_eq!(idx.byte_to_cp(text, 5), Some(2));
        assert_eq!(idx.byte_to_cp(text, 2), None);
        assert_eq!(idx.cp_to_byte(text, 5), Some(text.len()));
        assert_eq!(idx.cp_to_byte(text, 6), None);
    }
}
