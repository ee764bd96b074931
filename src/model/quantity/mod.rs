//! Figures in claims, read into values that can be compared across sources:
//! "at least 41 refugees", "the 30-plus group", "some 5,000 a year",
//! "between 70 and 80", "nearly two dozen", "hundreds of", "1.2 million".
//!
//! A [`Quantity`] is an interval: `low` and `high`, either open (`None`) where
//! the text is open ("at least 50" has no upper bound), whether the text
//! hedges it ("some", "about", "nearly", "dozens"), what is counted (the noun
//! after the figure) and a rate ("a year"). Figures that are not counts are
//! passed over: ages ("a 14-month old infant"), years ("the 1951 Refugee
//! Convention", "in 2012"), days of a date ("March 12"), ordinals.
//! The rules are spelled out in docs/claims.md.

use serde::{Deserialize, Serialize};

/// A figure a claim states, as an interval.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Quantity {
    /// Lowest value the text allows; `None` where it is open ("up to 300").
    pub low: Option<f64>,
    /// Highest value the text allows; `None` where it is open ("at least 50").
    pub high: Option<f64>,
    /// The text hedges the figure ("some", "about", "nearly", "dozens").
    pub approximate: bool,
    /// What is counted, as the text names it ("refugees"); empty when it does not.
    pub unit: String,
    /// Per what period, when the figure is a rate ("year" for "a year", "annually").
    pub rate: Option<String>,
}

// Values are never NaN (they come from the reader or from a typed number), so
// comparing their bits is equality.
impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        let bits = |x: Option<f64>| x.map(f64::to_bits);
        bits(self.low) == bits(other.low)
            && bits(self.high) == bits(other.high)
            && self.approximate == other.approximate
            && self.unit == other.unit
            && self.rate == other.rate
    }
}

impl Eq for Quantity {}

impl Quantity {
    /// An exact figure.
    pub fn exact(n: f64) -> Self {
        Self {
            low: Some(n),
            high: Some(n),
            ..Default::default()
        }
    }

    /// True when the two intervals share a value (open sides reach forever).
    /// Approximate figures are widened by a tenth on each side first, so
    /// "some 5,000" and "5,200" are not counted as disagreeing.
    pub fn overlaps(&self, other: &Quantity) -> bool {
        let (a_lo, a_hi) = self.widened();
        let (b_lo, b_hi) = other.widened();
        a_lo <= b_hi && b_lo <= a_hi
    }

    fn widened(&self) -> (f64, f64) {
        let slack = |x: f64| if self.approximate { x.abs() * 0.1 } else { 0.0 };
        let lo = self.low.map_or(f64::NEG_INFINITY, |x| x - slack(x));
        let hi = self.high.map_or(f64::INFINITY, |x| x + slack(x));
        (lo, hi)
    }

    /// The value in words a reader checks at a glance: "31", "≥ 41", "30+",
    /// "≈ 5,000 a year", "70–80", "≤ 300".
    pub fn display(&self) -> String {
        let mut s = match (self.low, self.high) {
            (Some(a), Some(b)) if a == b => {
                format!("{}{}", if self.approximate { "≈ " } else { "" }, number(a))
            }
            (Some(a), Some(b)) => format!(
                "{}{}–{}",
                if self.approximate { "≈ " } else { "" },
                number(a),
                number(b)
            ),
            (Some(a), None) => format!("≥ {}", number(a)),
            (None, Some(b)) => format!("{} {}", if self.approximate { "<" } else { "≤" }, number(b)),
            (None, None) => "?".to_owned(),
        };
        if !self.unit.is_empty() {
            s.push(' ');
            s.push_str(&self.unit);
        }
        if let Some(rate) = &self.rate {
            s.push_str(" a ");
            s.push_str(rate);
        }
        s
    }

    /// Reads a value as an analyst types it in the inspector: "31", "41+",
    /// ">= 41", "<= 300", "70-80", "~5000", with an optional "/year" rate.
    /// The unit is kept from `was`.
    pub fn parse_typed(text: &str, was: &Quantity) -> Result<Quantity, String> {
        let mut t = text.trim().replace([',', ' '], "");
        let mut q = Quantity {
            unit: was.unit.clone(),
            ..Default::default()
        };
        if let Some((v, rate)) = t.clone().split_once('/') {
            let rate = rate.trim_start_matches("a").trim();
            q.rate = (!rate.is_empty()).then(|| rate.to_owned());
            t = v.to_owned();
        }
        for p in ["~", "≈", "about"] {
            if let Some(rest) = t.strip_prefix(p) {
                q.approximate = true;
                t = rest.to_owned();
            }
        }
        let num = |s: &str| -> Result<f64, String> {
            s.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("“{s}” is not a number; type e.g. 31, 41+, <=300 or 70-80"))
        };
        if let Some(rest) = t
            .strip_prefix(">=")
            .or_else(|| t.strip_prefix('≥'))
            .or_else(|| t.strip_prefix('>'))
        {
            q.low = Some(num(rest)?);
        } else if let Some(rest) = t
            .strip_prefix("<=")
            .or_else(|| t.strip_prefix('≤'))
            .or_else(|| t.strip_prefix('<'))
        {
            q.high = Some(num(rest)?);
        } else if let Some(rest) = t.strip_suffix('+') {
            q.low = Some(num(rest)?);
        } else if let Some((a, b)) = t.split_once(['–', '-']).filter(|(a, _)| !a.is_empty()) {
            let (a, b) = (num(a)?, num(b)?);
            q.low = Some(a.min(b));
            q.high = Some(a.max(b));
        } else if t.is_empty() {
            return Err("Type a value, e.g. 31, 41+, <=300 or 70-80.".into());
        } else {
            let n = num(&t)?;
            q.low = Some(n);
            q.high = Some(n);
        }
        Ok(q)
    }
}

/// A number as a reader writes it: thousands separated, no needless decimals.
pub fn number(x: f64) -> String {
    if x.fract() != 0.0 {
        return format!("{x}");
    }
    let digits = format!("{}", x.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 { format!("-{out}") } else { out }
}

/// A figure found in a text: its value and the byte range it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The value.
    pub value: Quantity,
    /// Bytes of the text the figure (with its qualifiers) covers.
    pub range: std::ops::Range<usize>,
}

/// The first count-like figure in `text`, if any.
pub fn read(text: &str) -> Option<Found> {
    read_all(text).into_iter().next()
}

/// Every count-like figure in `text`, in order.
pub fn read_all(text: &str) -> Vec<Found> {
    if !may_hold_a_figure(text) {
        return Vec::new();
    }
    read_tokens(text)
}

/// [`read_all`] without the quick test for a figure.
fn read_tokens(text: &str) -> Vec<Found> {
    let toks = tokens(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match figure_at(&toks, i) {
            Some((found, next)) => {
                out.push(found);
                i = next;
            }
            None => i += 1,
        }
    }
    out
}

/// Words a figure written in words starts with ("dozens", "fourteen" and
/// "twenty-one" start with one of them).
const NUMBER_WORD_STARTS: [&str; 30] = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fifteen", "eighteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
    "ninety", "dozen", "score", "hundred", "thousand", "million", "billion", "zero",
];

/// False when `text` has no digit and no word that starts like a number word:
/// most claims of a large corpus, which then cost no tokenizing. One pass, no
/// allocation; a property test holds it to the reader.
fn may_hold_a_figure(text: &str) -> bool {
    if text.bytes().any(|b| b.is_ascii_digit()) {
        return true;
    }
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3)
        .any(|w| {
            let b = w.as_bytes();
            NUMBER_WORD_STARTS
                .iter()
                .any(|n| b.len() >= n.len() && b[..n.len()].eq_ignore_ascii_case(n.as_bytes()))
        })
}

#[derive(Clone, Debug)]
struct Tok<'a> {
    /// Lowercase text; borrowed when the text is lowercase already.
    w: std::borrow::Cow<'a, str>,
    /// The text as written.
    raw: &'a str,
    /// Byte range in the text.
    at: std::ops::Range<usize>,
}

/// Words, numbers (with their commas and decimal points) and single
/// punctuation marks. Hyphens and dashes are tokens of their own.
fn tokens(text: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c.is_alphanumeric() || c == '$' {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = it.peek() {
                let keep = d.is_alphanumeric()
                    || d == '\''
                    || d == '’'
                    || ((d == ',' || d == '.') && c.is_ascii_digit() && {
                        // A separator inside a number: a digit follows it.
                        text[j + 1..].chars().next().is_some_and(|n| n.is_ascii_digit())
                    });
                if !keep {
                    break;
                }
                end = j + d.len_utf8();
                it.next();
            }
            let raw = &text[i..end];
            let w = if raw.is_ascii() && !raw.bytes().any(|b| b.is_ascii_uppercase()) {
                raw.into()
            } else {
                raw.to_lowercase().into()
            };
            out.push(Tok { w, raw, at: i..end });
        } else if !c.is_whitespace() {
            let raw = &text[i..i + c.len_utf8()];
            out.push(Tok {
                w: raw.into(),
                raw,
                at: i..i + c.len_utf8(),
            });
        }
    }
    out
}

/// Number words below twenty.
pub(crate) const UNITS: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
/// Number words for the tens.
pub(crate) const TENS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
/// Month names, for telling dates from counts (and reading dates elsewhere).
pub(crate) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn scale(w: &str) -> Option<f64> {
    Some(match w {
        "hundred" => 100.0,
        "thousand" => 1e3,
        "million" | "mn" => 1e6,
        "billion" | "bn" => 1e9,
        "dozen" => 12.0,
        _ => return None,
    })
}

/// A number written in digits: "31", "5,000", "1.2", "$40".
fn digits(w: &str) -> Option<f64> {
    let w = w.strip_prefix('$').unwrap_or(w);
    if !w.starts_with(|c: char| c.is_ascii_digit())
        || !w.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return None;
    }
    w.replace(',', "").parse().ok()
}

fn small_word(w: &str) -> Option<f64> {
    if let Some(n) = UNITS.iter().position(|u| *u == w) {
        return Some(n as f64);
    }
    TENS.iter().position(|t| *t == w).map(|n| (n as f64 + 2.0) * 10.0)
}

/// A number at token `i` (digits or words, with "-" joined tens like
/// "forty-one" and scales like "1.2 million", "two dozen", "a dozen"):
/// its value and the index after it.
fn number_at(toks: &[Tok<'_>], i: usize) -> Option<(f64, usize)> {
    let w = toks.get(i)?.w.as_ref();
    let (mut value, mut j) = if let Some(n) = digits(w) {
        (n, i + 1)
    } else if let Some(n) = small_word(w) {
        let mut j = i + 1;
        let mut n = n;
        // "forty-one", "forty one"
        if n >= 20.0 && n % 10.0 == 0.0 {
            let k = if toks.get(j).is_some_and(|t| t.w == "-") {
                j + 1
            } else {
                j
            };
            if let Some(u) = toks
                .get(k)
                .and_then(|t| small_word(&t.w))
                .filter(|u| *u > 0.0 && *u < 10.0)
            {
                n += u;
                j = k + 1;
            }
        }
        (n, j)
    } else if (w == "a" || w == "one")
        // "a million", not "a bn": the short forms follow digits only.
        && toks.get(i + 1).is_some_and(|t| t.w.len() > 2 && scale(&t.w).is_some())
    {
        (1.0, i + 1)
    } else {
        return None;
    };
    // Scales multiply: "1.2 million", "two dozen", "five hundred thousand".
    while let Some(s) = toks.get(j).and_then(|t| scale(&t.w)) {
        value *= s;
        j += 1;
    }
    Some((value, j))
}

/// Words that end the noun after a figure: what is counted is the last word before them.
fn ends_noun(w: &str) -> bool {
    const STOP: &[&str] = &[
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "who",
        "whom",
        "which",
        "that",
        "were",
        "was",
        "are",
        "is",
        "be",
        "been",
        "have",
        "had",
        "has",
        "in",
        "into",
        "from",
        "to",
        "at",
        "on",
        "by",
        "for",
        "with",
        "of",
        "per",
        "each",
        "every",
        "since",
        "after",
        "before",
        "during",
        "as",
        "than",
        "this",
        "these",
        "those",
        "their",
        "they",
        "there",
        "it",
        "its",
        "annually",
        "yearly",
        "monthly",
        "weekly",
        "daily",
        "reportedly",
        "including",
        "said",
        "says",
        "say",
        "will",
        "would",
        "could",
        "may",
        "might",
        "fled",
        "being",
        "between",
        "among",
        "across",
        "through",
        "against",
        "about",
        "around",
        "near",
        "over",
        "under",
        "while",
        "when",
        "where",
    ];
    STOP.contains(&w)
        || !w
            .chars()
            .all(|c| c.is_alphabetic() || c == '\'' || c == '’' || c == '-')
}

fn period(w: &str) -> Option<&'static str> {
    Some(match w {
        "year" | "years" => "year",
        "month" | "months" => "month",
        "week" | "weeks" => "week",
        "day" | "days" => "day",
        _ => return None,
    })
}

/// A rate at token `i`: "a year", "per year", "each year", "every year",
/// "annually"; the period and the index after it.
fn rate_at(toks: &[Tok<'_>], i: usize) -> Option<(&'static str, usize)> {
    let w = toks.get(i)?.w.as_ref();
    let adverb = match w {
        "annually" | "yearly" => Some("year"),
        "monthly" => Some("month"),
        "weekly" => Some("week"),
        "daily" => Some("day"),
        _ => None,
    };
    if let Some(p) = adverb {
        return Some((p, i + 1));
    }
    if matches!(w, "a" | "an" | "per" | "each" | "every") {
        return period(&toks.get(i + 1)?.w).map(|p| (p, i + 2));
    }
    None
}

/// Reads a figure starting at token `i` (a qualifier or the number itself):
/// the value found and the token index after it, or `None` when no count
/// starts here.
fn figure_at(toks: &[Tok<'_>], i: usize) -> Option<(Found, usize)> {
    let w = |k: usize| toks.get(k).map_or("", |t| t.w.as_ref());
    let mut q = Quantity::default();
    let start = i;
    let mut k = i;
    // Qualifiers before the number.
    enum Side {
        Exact,
        AtLeast,
        AtMost,
        Nearly,
    }
    let mut side = Side::Exact;
    loop {
        let two = (w(k), w(k + 1));
        let three = (w(k), w(k + 1), w(k + 2));
        if matches!(
            two,
            ("at", "least") | ("more", "than") | ("upwards", "of") | ("no", "fewer")
        ) {
            side = Side::AtLeast;
            k += 2;
            if w(k) == "than" {
                k += 1;
            }
        } else if three == ("as", "many", "as") {
            side = Side::AtMost;
            k += 3;
        } else if matches!(w(k), "over" | "above" | "exceeding") && number_at(toks, k + 1).is_some() {
            side = Side::AtLeast;
            k += 1;
        } else if matches!(
            two,
            ("at", "most") | ("up", "to") | ("fewer", "than") | ("less", "than")
        ) || matches!(three, ("no", "more", "than"))
        {
            side = Side::AtMost;
            k += if three.0 == "no" { 3 } else { 2 };
        } else if w(k) == "under" && number_at(toks, k + 1).is_some() {
            side = Side::AtMost;
            k += 1;
        } else if matches!(w(k), "nearly" | "almost") || two == ("just", "under") || two == ("close", "to") {
            side = Side::Nearly;
            q.approximate = true;
            k += if matches!(w(k), "just" | "close") { 2 } else { 1 };
        } else if matches!(
            w(k),
            "some"
                | "about"
                | "around"
                | "roughly"
                | "approximately"
                | "estimated"
                | "approx"
                | "circa"
                | "~"
        ) && (number_at(toks, k + 1).is_some() || matches!(w(k + 1), "an" | "estimated"))
        {
            q.approximate = true;
            k += 1;
        } else if w(k) == "an" && w(k + 1) == "estimated" {
            q.approximate = true;
            k += 2;
        } else {
            break;
        }
    }
    // "between 70 and 80", "from 70 to 80"
    let ranged = matches!(w(k), "between" | "from");
    if ranged {
        k += 1;
    }
    // Vague plurals: "dozens of", "hundreds of", "thousands", "tens of thousands".
    let vague = match w(k) {
        "dozens" => Some(24.0),
        "scores" => Some(40.0),
        "hundreds" => Some(200.0),
        "thousands" => Some(2000.0),
        "millions" => Some(2e6),
        "tens" if w(k + 1) == "of" && w(k + 2) == "thousands" => Some(2e4),
        _ => None,
    };
    let (mut low, mut high, mut next);
    if let Some(v) = vague {
        if w(k) == "tens" {
            k += 2;
        }
        q.approximate = true;
        low = Some(v);
        high = None;
        next = k + 1;
        if w(next) == "of" {
            next += 1;
        }
    } else {
        let (n, after) = number_at(toks, k)?;
        // Not counts: "March 12", "12 March", years, ages, ordinals, times.
        let tok = &toks[k];
        let prev = if k > 0 { w(k - 1) } else { "" };
        if MONTHS.contains(&prev) || MONTHS.contains(&w(after)) {
            return None;
        }
        let plain_digits = tok.w.chars().all(|c| c.is_ascii_digit());
        if plain_digits
            && tok.w.len() == 4
            && (1800.0..=2100.0).contains(&n)
            && matches!(side, Side::Exact)
            && !q.approximate
        {
            return None;
        }
        if w(after) == ":" {
            return None; // a time of day
        }
        if (w(after) == "-" && period(w(after + 1)).is_some())
            || (period(w(after)).is_some() && matches!(w(after + 1), "old" | "-"))
        {
            return None; // "a 14-month old infant", "a 3-year-old"
        }
        // A bare "one" is mostly "one of them", "one day": counted only when qualified.
        if tok.w == "one" && matches!(side, Side::Exact) && !q.approximate {
            return None;
        }
        low = Some(n);
        high = Some(n);
        next = after;
        // Ranges: "70 to 80", "70-80", "70–80", "between 70 and 80".
        let joiner = w(next);
        if (matches!(joiner, "-" | "–" | "—" | "to") || (ranged && joiner == "and"))
            && let Some((m, after2)) = number_at(toks, next + 1)
            && m > n
        {
            high = Some(m);
            next = after2;
        }
        // "30-plus", "30 plus", "41 or more", "or so"
        if (w(next) == "-" && w(next + 1) == "plus") || w(next) == "plus" || w(next) == "+" {
            next += if w(next) == "-" { 2 } else { 1 };
            side = Side::AtLeast;
        } else if w(next) == "or" && w(next + 1) == "more" {
            next += 2;
            side = Side::AtLeast;
        } else if w(next) == "or" && w(next + 1) == "so" {
            next += 2;
            q.approximate = true;
        }
        match side {
            Side::Exact => {}
            Side::AtLeast => high = None,
            Side::AtMost | Side::Nearly => low = None,
        }
        if w(next) == "%" || w(next) == "percent" || (w(next) == "per" && w(next + 1) == "cent") {
            q.unit = "percent".into();
            next += if w(next) == "per" { 2 } else { 1 };
        }
    }
    q.low = low;
    q.high = high;
    if toks[k].w.starts_with('$') {
        q.unit = "dollars".into();
    }
    // What is counted: the words after the figure up to a stop word; the last one.
    if q.unit.is_empty() {
        let mut j = next;
        let mut noun = None;
        while j < toks.len() && j < next + 4 && !ends_noun(&toks[j].w) && rate_at(toks, j).is_none() {
            noun = Some(j);
            j += 1;
            // A plural ends the noun: "North Korean refugees", "North Koreans risk …".
            if toks[j - 1].w.len() > 3 && toks[j - 1].w.ends_with('s') {
                break;
            }
        }
        if let Some(n) = noun {
            q.unit = toks[n].raw.trim_end_matches(['\'', '’']).to_owned();
            next = n + 1;
        }
    }
    if let Some((p, after)) = rate_at(toks, next) {
        q.rate = Some(p.to_owned());
        next = after;
    } else if w(next) == "others" || w(next) == "people" {
        // "5,000 others annually": the rate follows the noun.
        if let Some((p, after)) = rate_at(toks, next + 1) {
            q.rate = Some(p.to_owned());
            next = after;
        }
    }
    let end = toks[next.saturating_sub(1).max(start)].at.end;
    Some((
        Found {
            value: q,
            range: toks[start].at.start..end,
        },
        next.max(start + 1),
    ))
}

#[cfg(test)]
mod tests;
