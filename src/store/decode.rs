//! Turning source bytes into text: UTF-8 first, then detection.

/// A decoded source and how it was decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without a byte-order mark.
    pub text: String,
    /// The encoding used (`UTF-8`, `windows-1252`, `UTF-16LE`, …).
    pub encoding: &'static str,
    /// True when the encoding was guessed rather than known.
    pub guessed: bool,
}

/// Why a file is not shown as a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotText {
    /// The file holds NUL bytes outside a UTF-16 byte-order mark: it is binary.
    Binary,
}

impl std::fmt::Display for NotText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotText::Binary => write!(f, "not a text file (it contains NUL bytes)"),
        }
    }
}

/// Checks that `bytes` are UTF-8: with SIMD instructions where the CPU has them
/// (validation was a tenth of an export's time with the standard library's
/// check), and the standard library's error, which names the first bad byte,
/// when they are not.
pub fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    simdutf8::basic::from_utf8(bytes).or_else(|_| std::str::from_utf8(bytes))
}

/// `bytes` as a `String` when they are UTF-8 (checked as [`utf8`] checks them),
/// without copying them; the bytes back when they are not.
pub fn into_utf8(bytes: Vec<u8>) -> Result<String, Vec<u8>> {
    if utf8(&bytes).is_err() {
        return Err(bytes);
    }
    // SAFETY: `utf8` has just checked that these very bytes are UTF-8.
    Ok(unsafe { String::from_utf8_unchecked(bytes) })
}

/// [`decode`] of bytes the caller gives up: UTF-8 without a BOM, what sources
/// mostly are, becomes the text without a copy (loading a 10,000-document
/// corpus copied every text once more).
pub fn decode_owned(bytes: Vec<u8>) -> Result<Decoded, NotText> {
    if bytes.starts_with(b"\xEF\xBB\xBF") || bytes.contains(&0) {
        return decode(&bytes);
    }
    match into_utf8(bytes) {
        Ok(text) => Ok(Decoded {
            text,
            encoding: "UTF-8",
            guessed: false,
        }),
        Err(bytes) => decode(&bytes),
    }
}

/// Decodes source bytes. A UTF-8 BOM is dropped; UTF-16 with a BOM is decoded;
/// other non-UTF-8 text is detected with chardetng.
pub fn decode(bytes: &[u8]) -> Result<Decoded, NotText> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF")
        && let Ok(s) = utf8(rest)
    {
        // A BOM does not make a binary file text: the NUL rule holds here too.
        if rest.contains(&0) {
            return Err(NotText::Binary);
        }
        return Ok(Decoded {
            text: s.to_owned(),
            encoding: "UTF-8",
            guessed: false,
        });
    }
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _, _) = enc.decode(bytes);
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
            guessed: false,
        });
    }
    if bytes.contains(&0) {
        return Err(NotText::Binary);
    }
    if let Ok(s) = utf8(bytes) {
        return Ok(Decoded {
            text: s.to_owned(),
            encoding: "UTF-8",
            guessed: false,
        });
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    det.feed(bytes, true);
    let enc = det.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _, _) = enc.decode(bytes);
    Ok(Decoded {
        text: text.into_owned(),
        encoding: enc.name(),
        guessed: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn utf8_check_agrees_with_the_standard_library(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300), text in "\\PC{0,80}") {
            for b in [bytes.as_slice(), text.as_bytes()] {
                let ours = utf8(b).map_err(|e| e.valid_up_to());
                let std = std::str::from_utf8(b).map_err(|e| e.valid_up_to());
                proptest::prop_assert_eq!(ours, std);
            }
        }
    }

    const HEADS: &[&[u8]] = &[b"", b"\xEF\xBB\xBF", b"\xFF\xFE", b"\xFE\xFF"];

    proptest::proptest! {
        /// Bytes given up decode as bytes lent do, BOMs, NULs, UTF-16 and
        /// other encodings included.
        #[test]
        fn owned_bytes_decode_as_lent_bytes_do(
            head in proptest::sample::select(HEADS),
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60),
            text in "\\PC{0,40}",
        ) {
            for body in [bytes.as_slice(), text.as_bytes()] {
                let all = [head, body].concat();
                proptest::prop_assert_eq!(decode_owned(all.clone()), decode(&all));
            }
        }
    }

    #[test]
    fn bom_is_not_text_and_crlf_is_kept() {
        let d = decode(b"\xEF\xBB\xBFa\r\nb").unwrap();
        assert_eq!(d.text, "a\r\nb");
    }

    #[test]
    fn latin1_is_detected() {
        let d = decode(b"Caf\xe9 cr\xe8me br\xfbl\xe9e, d\xe9j\xe0 vu").unwrap();
        assert!(d.guessed);
        assert_eq!(d.text, "Café crème brûlée, déjà vu");
    }

    #[test]
    fn utf16_with_bom_decodes_and_nul_is_binary() {
        let d = decode(b"\xFF\xFEh\0i\0").unwrap();
        assert_eq!(d.text, "hi");
        assert_eq!(decode(b"ab\0cd"), Err(NotText::Binary));
        assert_eq!(decode(b"").unwrap().text, "");
        assert_eq!(decode(b"\xEF\xBB\xBFab\0cd"), Err(NotText::Binary));
    }
}
