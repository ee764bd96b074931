//! Values for a document's metadata found in its text, offered to the analyst
//! one click each and never set silently: a "Date : March 12, 2012" line, a
//! date near the top, a "By …" byline, a title line, a web address.

use super::document::DocMeta;
use super::quantity::MONTHS;

/// One value offered for a metadata field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// The field (`title`, `published`, …; see [`DocMeta::FIELDS`]).
    pub field: &'static str,
    /// The value offered.
    pub value: String,
    /// Where it was found, in words ("line 3: “Date : March 12, 2012”").
    pub found: String,
}

fn month(w: &str) -> Option<u32> {
    let w = w.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&w) && (w.len() >= 3))
        .map(|i| i as u32 + 1)
}

/// The first date in `line` as ISO `YYYY-MM-DD`: "March 12, 2012",
/// "12 March 2012", "2012-03-12", "2012.03.12", "2012/03/12".
pub fn date_in(line: &str) -> Option<String> {
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let year = |w: &str| {
        w.trim_end_matches(['.', ')'])
            .parse::<u32>()
            .ok()
            .filter(|y| (1800..=2200).contains(y))
    };
    let day = |w: &str| {
        w.trim_end_matches(['.', ','])
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=31).contains(d))
    };
    for i in 0..words.len() {
        // March 12, 2012
        if let (Some(m), Some(d), Some(y)) = (
            month(words[i]),
            words.get(i + 1).and_then(|w| day(w)),
            words.get(i + 2).and_then(|w| year(w)),
        ) {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
        // 12 March 2012
        if let (Some(d), Some(m), Some(y)) = (
            day(words[i]),
            words.get(i + 1).and_then(|w| month(w)),
            words.get(i + 2).and_then(|w| year(w)),
        ) {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
        // 2012-03-12, 2012.03.12, 2012/03/12
        let parts: Vec<&str> = words[i].split(['-', '.', '/']).collect();
        if parts.len() == 3
            && let (Some(y), Ok(m), Ok(d)) =
                (year(parts[0]), parts[1].parse::<u32>(), parts[2].parse::<u32>())
            && (1..=12).contains(&m)
            && (1..=31).contains(&d)
        {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    None
}

fn quoted(n: usize, line: &str) -> String {
    let short: String = line.chars().take(60).collect();
    format!(
        "line {}: “{}{}”",
        n + 1,
        short,
        if line.chars().count() > 60 { "…" } else { "" }
    )
}

/// Lines that are a site's furniture, not the document's own.
fn furniture(line: &str) -> bool {
    let l = line.to_lowercase();
    l.contains(" > ")
        || l.starts_with("skip to")
        || l.starts_with("image credit")
        || l.starts_with("home")
        || l.starts_with("menu")
        || l.starts_with("share")
        || l.starts_with("date")
}

/// A paragraph of running text: long, or a whole sentence.
fn prose(line: &str) -> bool {
    let words = line.split_whitespace().count();
    words > 20 || (words >= 8 && line.ends_with(['.', '”', '"']))
}

/// Values found in `text` for the fields of `meta` that are still empty.
pub fn offers(text: &str, meta: &DocMeta) -> Vec<Offer> {
    let mut out = Vec::new();
    let top: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .take(25)
        .collect();
    let mut offer = |field: &'static str, value: String, found: String| {
        if meta.get(field).is_some_and(str::is_empty) && !out.iter().any(|o: &Offer| o.field == field) {
            out.push(Offer { field, value, found });
        }
    };
    // A labelled date first, then any date near the top.
    let labelled = top.iter().find_map(|(n, l)| {
        let lower = l.to_lowercase();
        ["date", "published", "posted", "updated"]
            .iter()
            .any(|k| lower.starts_with(k))
            .then(|| date_in(l).map(|d| (d, quoted(*n, l))))
            .flatten()
    });
    if let Some((d, found)) = labelled.or_else(|| {
        top.iter()
            .take(12)
            .find_map(|(n, l)| Some((date_in(l)?, quoted(*n, l))))
    }) {
        offer("published", d, found);
    }
    // A title comes before the body: a line after the first paragraph of prose
    // is a caption, a name or a job ("Deputy Director, Asia Division").
    let title = top.iter().take_while(|(_, l)| !prose(l)).find(|(_, l)| {
        let words = l.split_whitespace().count();
        (3..=20).contains(&words) && !furniture(l) && !l.ends_with(':') && !l.ends_with('.')
    });
    if let Some((n, l)) = title {
        offer("title", l.to_string(), quoted(*n, l));
    }
    if let Some((n, l)) = top.iter().find(|(_, l)| {
        let lower = l.to_lowercase();
        (lower.starts_with("by ") && l.split_whitespace().count() <= 7) || lower.starts_with("author:")
    }) {
        let name = l
            .split_once([':', ' '])
            .map(|(_, rest)| rest.trim())
            .unwrap_or_default();
        offer("author", name.to_owned(), quoted(*n, l));
    }
    if let Some(at) = text.find("http://").or_else(|| text.find("https://")) {
        let url: String = text[at..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !"\"'<>)".contains(*c))
            .collect();
        let host = url
            .split('/')
            .nth(2)
            .unwrap_or_default()
            .trim_start_matches("www.")
            .to_owned();
        offer("url", url.clone(), format!("the web address “{url}”"));
        if !host.is_empty() {
            offer("outlet", host, format!("the web address “{url}”"));
        }
    }
    // English is told by its commonest words; other languages are left to the analyst.
    let sample: String = text.chars().take(4000).collect::<String>().to_lowercase();
    let hits = [" the ", " and ", " of ", " to ", " in "]
        .iter()
        .map(|w| sample.matches(w).count())
        .sum::<usize>();
    if hits >= 20 {
        offer("language", "en".into(), "its commonest words are English".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_sources_print() {
        assert_eq!(date_in("Date : March 12, 2012").as_deref(), Some("2012-03-12"));
        assert_eq!(date_in("18 March 2015").as_deref(), Some("2015-03-18"));
        assert_eq!(date_in("posted 2015-03-18 10:00").as_deref(), Some("2015-03-18"));
        assert_eq!(date_in("on Feb. 14th, 2012").as_deref(), Some("2012-02-14"));
        assert_eq!(date_in("In 2012 there were 31"), None);
    }

    #[test]
    fn the_first_seed_offers_its_date_and_title() {
        let text = "Home > News > NK Human Rights Issues\n\nDate : March 12, 2012\nThe Repatriation of North Korean Refugees\n\nWith the repatriation of at least 50 North Korean refugees from China in the last few weeks, the international community has once again failed.";
        let o = offers(text, &DocMeta::default());
        let get = |f: &str| o.iter().find(|o| o.field == f).map(|o| o.value.as_str());
        assert_eq!(get("published"), Some("2012-03-12"));
        assert_eq!(get("title"), Some("The Repatriation of North Korean Refugees"));
        assert!(
            o.iter()
                .find(|o| o.field == "published")
                .unwrap()
                .found
                .contains("line 3")
        );
    }

    #[test]
    fn no_title_is_offered_from_below_the_first_paragraph() {
        let text = "Skip to main content\n\n(Seoul) – South Korean President Park Geun-Hye should urgently press Chinese leaders in Beijing to halt the forced return of a group of nine North Korean refugees, Human Rights Watch said today.\n\nPhil Robertson\n\nDeputy Director, Asia Division\n";
        assert!(
            offers(text, &DocMeta::default())
                .iter()
                .all(|o| o.field != "title")
        );
        let text = "A North Korean Refugee Dilemma\nImage Credit: Flickr / yeowatzup\n\nThey beat paths worn solid by so many who came before them.";
        let o = offers(text, &DocMeta::default());
        assert_eq!(
            o.iter().find(|o| o.field == "title").map(|o| o.value.as_str()),
            Some("A North Korean Refugee Dilemma")
        );
    }

    #[test]
    fn fields_already_set_get_no_offer() {
        let meta = DocMeta {
            published: "2012-03-01".into(),
            ..Default::default()
        };
        assert!(
            offers("Date : March 12, 2012\nA title of some words here", &meta)
                .iter()
                .all(|o| o.field != "published")
        );
    }
}
