//! The string matcher: every string the analysts tagged, and the gazetteer's
//! names, found again at word boundaries, with the variants analysts mean.
//!
//! Matching walks the document's words once. At each word it looks up runs of
//! words starting there, longest first, by hash ([`super::tokens`]): the exact
//! string, the same string in another case, with a possessive ending
//! ("China's"), with other inflections ("refugees"), then single-word variants
//! that depend on what came before in the document: a surname after the full
//! name, an acronym after its expansion.

use std::sync::Arc;

use compact_str::CompactString;

use super::super::annotation::Span;
use super::tokens::{HashKeyed, Keys, Tok, combine, extend, keys_of, tokenize};
use super::{Origin, Suggestion};

/// Longest run of words the matcher learns or looks up: names and terms are
/// short, and a tagged sentence will not recur word for word.
pub(crate) const MAX_WORDS: usize = 8;

/// How much a variant is trusted relative to an exact repeat of the tagged string.
pub(crate) mod factor {
    /// Same words, other case ("china" for "China").
    pub const CASE: f32 = 0.8;
    /// The tagged string with a possessive ending ("China's").
    pub const POSSESSIVE: f32 = 0.95;
    /// Another inflection ("refugee" for "refugees").
    pub const INFLECTION: f32 = 0.7;
    /// A surname after the full name in the same document.
    pub const SURNAME: f32 = 0.85;
    /// An acronym after its expansion in the same document.
    pub const ACRONYM_AFTER: f32 = 0.85;
    /// An acronym whose expansion was tagged elsewhere only.
    pub const ACRONYM: f32 = 0.6;
    /// A gazetteer entry in another case.
    pub const GAZETTEER_CASE: f32 = 0.7;
}

/// What the analysts did with one string (compared lower-case).
#[derive(Clone, Debug, Default)]
pub(crate) struct StringEntry {
    /// Tags per label.
    pub counts: Vec<(CompactString, u32)>,
    /// All tags of the string.
    pub total: u32,
    /// Times the analysts read past the string (exactly as tagged) without
    /// tagging it: in a document they annotated, before its last tag.
    pub untagged: u32,
    /// Hashes of the forms as written (to tell an exact repeat from a case variant).
    pub exact: Vec<u64>,
    /// Canonical ids given to it, with counts.
    pub canonical: Vec<(Arc<str>, u32)>,
}

impl StringEntry {
    /// A label's share of the decisions taken on the string: its tags among
    /// all tags and, when `untagged` counts, the times it was left untagged.
    pub fn share(&self, count: u32, untagged: bool) -> f32 {
        let others = if untagged { self.untagged } else { 0 };
        count as f32 / (self.total + others).max(1) as f32
    }

    /// The label most often given, its share of the tags, and the canonical id most often given.
    pub fn best(&self) -> Option<(&CompactString, u32, Option<&Arc<str>>)> {
        let (label, n) = self
            .counts
            .iter()
            .max_by(|(la, na), (lb, nb)| na.cmp(nb).then_with(|| lb.cmp(la)))?;
        let canonical = self.canonical.iter().max_by_key(|(_, n)| *n).map(|(c, _)| c);
        Some((label, *n, canonical))
    }
}

/// A gazetteer name, keyed like a tagged string.
#[derive(Clone, Debug)]
pub(crate) struct GazHit {
    pub label: CompactString,
    pub canonical: Option<Arc<str>>,
    pub exact: u64,
}

/// Everything the matcher learned.
#[derive(Clone, Debug, Default)]
pub(crate) struct Strings {
    /// Tagged strings by lower-case key: where in `list` each is. Kept apart
    /// from the entries so that the table the matcher probes at every word
    /// stays small enough for the processor's caches.
    pub entries: HashKeyed<u32>,
    /// The tagged strings.
    list: Vec<StringEntry>,
    /// Stemmed key → lower-case key of a tagged string.
    pub stems: HashKeyed<u64>,
    /// Which runs are worth looking up, by the lower-case or stemmed hash of
    /// their first word: bit `n - 1` is set when a learned string of `n`
    /// words starts with it, so only those lengths are tried.
    pub firsts: HashKeyed<u8>,
    /// Lower-case and stemmed keys of the runs of words that begin a learned
    /// string of more words: a run not among them is not extended further.
    pub prefixes: HashKeyed<()>,
    /// A single word (as written) → lower-case key of the full name it ends.
    pub surnames: HashKeyed<u64>,
    /// An acronym (as written) → lower-case key of its expansion.
    pub acronyms: HashKeyed<u64>,
    /// Gazetteer names by lower-case key.
    pub gazetteer: HashKeyed<GazHit>,
}

/// Initials of the capitalised words of a name ("UN High Commissioner for
/// Refugees" → "UNHCR"): words written in capitals count whole, small words
/// ("for", "of") are skipped. `None` when fewer than two letters result.
pub(crate) fn acronym(words: &[&str]) -> Option<String> {
    let mut out = String::new();
    let mut parts = 0;
    for w in words {
        let mut cs = w.chars();
        let Some(first) = cs.next() else { continue };
        if !first.is_uppercase() {
            continue;
        }
        parts += 1;
        if w.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase) && w.chars().count() <= 4 {
            out.extend(w.chars().filter(|c| c.is_alphabetic()));
        } else {
            out.push(first);
        }
    }
    (parts >= 2 && out.chars().count() >= 2).then_some(out)
}

/// True for a label that names people, whose surnames stand for them.
pub(crate) fn is_person_label(label: &str) -> bool {
    let l = label.to_ascii_uppercase();
    l == "PER" || l.starts_with("PERS") || l == "PEOPLE"
}

impl Strings {
    /// The tagged string with lower-case key `key`.
    pub fn get(&self, key: u64) -> Option<&StringEntry> {
        self.entries.get(&key).map(|&i| &self.list[i as usize])
    }

    /// [`Strings::get`], to change it.
    pub fn get_mut(&mut self, key: u64) -> Option<&mut StringEntry> {
        self.entries.get(&key).map(|&i| &mut self.list[i as usize])
    }

    fn get_or_insert(&mut self, key: u64) -> &mut StringEntry {
        let next = self.list.len() as u32;
        let i = *self.entries.entry(key).or_insert(next);
        if i == next {
            self.list.push(StringEntry::default());
        }
        &mut self.list[i as usize]
    }

    /// Records one tag of `text` with `label`.
    pub fn learn(&mut self, text: &str, label: &CompactString, canonical: Option<&str>) {
        let toks = tokenize(text);
        if toks.is_empty() || toks.len() > MAX_WORDS {
            return;
        }
        let Some(k) = keys_of(&toks) else { return };
        let e = self.get_or_insert(k.lower);
        e.total += 1;
        match e.counts.iter_mut().find(|(l, _)| l == label) {
            Some((_, n)) => *n += 1,
            None => e.counts.push((label.clone(), 1)),
        }
        if !e.exact.contains(&k.exact) {
            e.exact.push(k.exact);
        }
        if let Some(c) = canonical {
            match e.canonical.iter_mut().find(|(x, _)| &**x == c) {
                Some((_, n)) => *n += 1,
                None => e.canonical.push((Arc::from(c), 1)),
            }
        }
        self.stems.entry(k.stem).or_insert(k.lower);
        self.note_first(&toks);
        let words: Vec<&str> = toks.iter().map(|t| &text[t.bytes.clone()]).collect();
        if toks.len() >= 2 {
            if is_person_label(label)
                && words
                    .iter()
                    .all(|w| w.chars().next().is_some_and(char::is_uppercase))
                && let Some(last) = toks.last()
            {
                self.surnames.entry(last.exact).or_insert(k.lower);
            }
            if let Some(a) = acronym(&words) {
                self.acronyms
                    .entry(super::tokens::hash_str(&a))
                    .or_insert(k.lower);
            }
        }
    }

    /// Takes back one tag [`Strings::learn`] recorded. The lookups built for
    /// it (first words, stems, surnames, acronyms) stay: each leads to the
    /// entry, and finds nothing once the entry is gone.
    pub fn unlearn(&mut self, text: &str, label: &CompactString, canonical: Option<&str>) {
        let toks = tokenize(text);
        if toks.is_empty() || toks.len() > MAX_WORDS {
            return;
        }
        let Some(k) = keys_of(&toks) else { return };
        let Some(e) = self.get_mut(k.lower) else {
            return;
        };
        let Some(i) = e.counts.iter().position(|(l, _)| l == label) else {
            return;
        };
        e.counts[i].1 -= 1;
        if e.counts[i].1 == 0 {
            e.counts.remove(i);
        }
        e.total = e.total.saturating_sub(1);
        if let Some(c) = canonical
            && let Some(j) = e.canonical.iter().position(|(x, _)| &**x == c)
        {
            e.canonical[j].1 -= 1;
            if e.canonical[j].1 == 0 {
                e.canonical.remove(j);
            }
        }
        if e.total == 0 {
            self.entries.remove(&k.lower);
        }
    }

    /// Adds a gazetteer name.
    pub fn learn_gazetteer(&mut self, text: &str, label: &CompactString, canonical: Option<&str>) {
        let toks = tokenize(text);
        if toks.is_empty() || toks.len() > MAX_WORDS {
            return;
        }
        let Some(k) = keys_of(&toks) else { return };
        self.gazetteer.entry(k.lower).or_insert(GazHit {
            label: label.clone(),
            canonical: canonical.map(Arc::from),
            exact: k.exact,
        });
        self.note_first(&toks);
    }

    fn note_first(&mut self, toks: &[Tok]) {
        let bit = 1u8 << (toks.len() - 1);
        for h in [toks[0].lower, toks[0].stem] {
            *self.firsts.entry(h).or_insert(0) |= bit;
        }
        let mut k = Keys {
            exact: toks[0].exact,
            lower: toks[0].lower,
            stem: toks[0].stem,
        };
        for t in &toks[1..] {
            self.prefixes.insert(k.lower, ());
            self.prefixes.insert(k.stem, ());
            k = extend(k, t);
        }
    }
}

/// How the matcher runs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MatchOptions {
    /// Tagged strings (and their variants when `variants`).
    pub matcher: bool,
    /// Gazetteer names.
    pub gazetteer: bool,
    /// Case, possessive, inflection, surname and acronym variants; off gives
    /// exact string matching alone (what INCEpTION's string matcher does).
    pub variants: bool,
    /// Occurrences read past untagged lower a string's score.
    pub untagged: bool,
}

/// One hit of the matcher before filtering.
struct Hit {
    end_tok: usize,
    end_cp: usize,
    label: CompactString,
    score: f32,
    origin: Origin,
    canonical: Option<Arc<str>>,
    key: u64,
}

/// The matcher's suggestions for a document whose words are `toks`.
/// `seen` holds the lower-case keys of strings already tagged in the document
/// with where they start, for the variants that need the full form first.
pub(crate) fn find(
    s: &Strings,
    toks: &[Tok],
    seen: &mut HashKeyed<usize>,
    opt: MatchOptions,
    out: &mut Vec<Suggestion>,
) {
    let mut i = 0;
    let mut keys: Vec<Keys> = Vec::with_capacity(MAX_WORDS);
    while i < toks.len() {
        let t = &toks[i];
        let first = |h: &u64| s.firsts.get(h).copied().unwrap_or(0);
        let mut lengths = first(&t.lower);
        if opt.variants {
            lengths |= first(&t.stem);
            if let Some((_, _, lower)) = t.possessive {
                lengths |= first(&lower);
            }
        }
        let max = (u8::BITS - lengths.leading_zeros()) as usize;
        let mut hit = None;
        if max > 0 {
            keys.clear();
            let mut k = Keys {
                exact: t.exact,
                lower: t.lower,
                stem: t.stem,
            };
            keys.push(k);
            for u in toks.iter().take((i + max).min(toks.len())).skip(i + 1) {
                if !s.prefixes.contains_key(&k.lower) && !s.prefixes.contains_key(&k.stem) {
                    break;
                }
                k = extend(k, u);
                keys.push(k);
            }
            for n in (1..=keys.len()).rev().filter(|n| lengths & (1 << (n - 1)) != 0) {
                hit = lookup(s, toks, i, n, &keys[n - 1], keys.get(n.wrapping_sub(2)), opt);
                if hit.is_some() {
                    break;
                }
            }
        }
        if hit.is_none() && opt.variants && opt.matcher {
            hit = single_word_variant(s, toks, i, seen, opt.untagged);
        }
        match hit {
            Some(h) => {
                seen.entry(h.key).or_insert(t.span.start);
                out.push(Suggestion {
                    span: Span::new(t.span.start, h.end_cp),
                    label: h.label,
                    score: h.score,
                    origin: h.origin,
                    canonical: h.canonical,
                    claim: None,
                });
                i = h.end_tok;
            }
            None => i += 1,
        }
    }
}

/// The best hit for the `n` words from `i`, whose keys are `k` (and `before`
/// for the first `n - 1`, to build the possessive form).
fn lookup(
    s: &Strings,
    toks: &[Tok],
    i: usize,
    n: usize,
    k: &Keys,
    before: Option<&Keys>,
    opt: MatchOptions,
) -> Option<Hit> {
    let last = &toks[i + n - 1];
    let untagged = opt.untagged;
    let hit = |e: &StringEntry, f: f32, end_cp: usize, key: u64| {
        let (label, count, canonical) = e.best()?;
        Some(Hit {
            end_tok: i + n,
            end_cp,
            label: label.clone(),
            score: f * e.share(count, untagged),
            origin: Origin::Matcher,
            canonical: canonical.cloned(),
            key,
        })
    };
    if opt.matcher
        && let Some(e) = s.get(k.lower)
    {
        if e.exact.contains(&k.exact) {
            return hit(e, 1.0, last.span.end, k.lower);
        }
        if opt.variants {
            return hit(e, factor::CASE, last.span.end, k.lower);
        }
    }
    if opt.gazetteer
        && let Some(g) = s.gazetteer.get(&k.lower)
        && (g.exact == k.exact || opt.variants)
    {
        return Some(Hit {
            end_tok: i + n,
            end_cp: last.span.end,
            label: g.label.clone(),
            score: if g.exact == k.exact {
                1.0
            } else {
                factor::GAZETTEER_CASE
            },
            origin: Origin::Gazetteer,
            canonical: g.canonical.clone(),
            key: k.lower,
        });
    }
    if !opt.variants || !opt.matcher {
        return None;
    }
    if let Some((end, _, poss_lower)) = last.possessive {
        let lower = match before {
            Some(b) => combine(combine(b.lower, last.gap), poss_lower),
            None => poss_lower,
        };
        if let Some(e) = s.get(lower) {
            return hit(e, factor::POSSESSIVE, end, lower);
        }
        if opt.gazetteer
            && let Some(g) = s.gazetteer.get(&lower)
        {
            return Some(Hit {
                end_tok: i + n,
                end_cp: end,
                label: g.label.clone(),
                score: factor::POSSESSIVE,
                origin: Origin::Gazetteer,
                canonical: g.canonical.clone(),
                key: lower,
            });
        }
    }
    if let Some(lower) = s.stems.get(&k.stem)
        && let Some(e) = s.get(*lower)
    {
        return hit(e, factor::INFLECTION, last.span.end, *lower);
    }
    None
}

/// A surname after its full name, or an acronym (after its expansion, or
/// anywhere with a lower score), at word `i`.
fn single_word_variant(
    s: &Strings,
    toks: &[Tok],
    i: usize,
    seen: &HashKeyed<usize>,
    untagged: bool,
) -> Option<Hit> {
    let t = &toks[i];
    let (exact, end) = match t.possessive {
        Some((end, exact, _)) if !s.surnames.contains_key(&t.exact) && !s.acronyms.contains_key(&t.exact) => {
            (exact, end)
        }
        _ => (t.exact, t.span.end),
    };
    let before = |key: &u64| seen.get(key).is_some_and(|&at| at < t.span.start);
    let make = |key: u64, f: f32| {
        let e = s.get(key)?;
        let (label, count, canonical) = e.best()?;
        Some(Hit {
            end_tok: i + 1,
            end_cp: end,
            label: label.clone(),
            score: f * e.share(count, untagged),
            origin: Origin::Matcher,
            canonical: canonical.cloned(),
            key: t.lower,
        })
    };
    if let Some(full) = s.surnames.get(&exact)
        && before(full)
    {
        return make(*full, factor::SURNAME);
    }
    if let Some(full) = s.acronyms.get(&exact) {
        let f = if before(full) {
            factor::ACRONYM_AFTER
        } else {
            factor::ACRONYM
        };
        return make(*full, f);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronyms_take_initials_and_capital_words() {
        assert_eq!(
            acronym(&["UN", "High", "Commissioner", "for", "Refugees"]).as_deref(),
            Some("UNHCR")
        );
        assert_eq!(acronym(&["Human", "Rights", "Watch"]).as_deref(), Some("HRW"));
        assert_eq!(acronym(&["Clinton"]), None);
        assert_eq!(acronym(&["the", "army"]), None);
    }
}
