//! Dates in running text: "12 March 2012", "March 12, 2012", "March 2012",
//! "2012-03-12", "12/03/2012", weekdays, and a year after a preposition
//! ("in 2015", "since the 1990s" is left out: only "since 1990").
//!
//! English month and day names; other languages' dates in digits are found
//! by the numeric forms.

use super::super::annotation::Span;
use super::super::quantity::MONTHS;
use super::tokens::Tok;

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Words after which a bare year is a date.
const BEFORE_YEAR: [&str; 10] = [
    "in", "since", "until", "till", "by", "from", "before", "after", "during", "of",
];

/// A month's name or its abbreviation ("Jan", "Sept"), capitalised.
fn is_month(w: &str) -> bool {
    let l = w.to_ascii_lowercase();
    let abbreviation = (l.len() == 3 || l == "sept") && MONTHS.iter().any(|m| m.starts_with(&l));
    (MONTHS.contains(&l.as_str()) || abbreviation) && w.chars().next().is_some_and(char::is_uppercase)
}

fn is_weekday(w: &str) -> bool {
    let l = w.to_ascii_lowercase();
    WEEKDAYS.contains(&l.as_str()) && w.chars().next().is_some_and(char::is_uppercase)
}

/// A day of the month: 1–31, with an ordinal ending allowed ("3rd").
fn is_day(w: &str) -> bool {
    let digits: String = w.chars().take_while(char::is_ascii_digit).collect();
    let rest = &w[digits.len()..];
    matches!(rest, "" | "st" | "nd" | "rd" | "th")
        && digits.len() <= 2
        && digits.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
}

/// A year: four digits from 1000 to 2199.
fn is_year(w: &str) -> bool {
    w.len() == 4
        && w.bytes().all(|b| b.is_ascii_digit())
        && w.parse::<u32>().is_ok_and(|y| (1000..2200).contains(&y))
}

fn is_num(w: &str, max_len: usize) -> bool {
    !w.is_empty() && w.len() <= max_len && w.bytes().all(|b| b.is_ascii_digit())
}

/// Adds the spans of the dates in `text` (whose words are `toks`) to `out`, in order.
pub(crate) fn find(text: &str, toks: &[Tok], out: &mut Vec<Span>) {
    let word = |i: usize| toks.get(i).map_or("", |t| &text[t.bytes.clone()]);
    // The text between word i - 1 and word i, trimmed.
    let gap = |i: usize| {
        if i == 0 || i >= toks.len() {
            return "\u{1}";
        }
        text[toks[i - 1].bytes.end..toks[i].bytes.start].trim()
    };
    let mut i = 0;
    while i < toks.len() {
        let w = word(i);
        // How many words the date starting here has.
        let mut n = 0;
        if is_day(w) && is_month(word(i + 1)) && matches!(gap(i + 1), "" | "of") {
            n = 2;
            if is_year(word(i + 2)) && matches!(gap(i + 2), "" | ",") {
                n = 3;
            }
        } else if is_month(w)
            && !(w.eq_ignore_ascii_case("may") && !is_day(word(i + 1)) && !is_year(word(i + 1)))
        {
            if is_day(word(i + 1)) && matches!(gap(i + 1), "" | ".") {
                n = 2;
                if is_year(word(i + 2)) && gap(i + 2) == "," || is_year(word(i + 2)) && gap(i + 2).is_empty()
                {
                    n = 3;
                }
            } else if is_year(word(i + 1)) && matches!(gap(i + 1), "" | ",") {
                n = 2;
            } else if w.len() > 3 && !w.eq_ignore_ascii_case("march") {
                // A month alone ("in January"); "March" and "May" alone are often verbs.
                n = 1;
            }
        } else if is_weekday(w) {
            n = 1;
        } else if is_year(w)
            && gap(i + 1) == "-"
            && is_num(word(i + 1), 2)
            && gap(i + 2) == "-"
            && is_num(word(i + 2), 2)
        {
            n = 3;
        } else if is_num(w, 2) && gap(i + 1) == "/" && is_num(word(i + 1), 2) && gap(i + 2) == "/" {
            let y = word(i + 2);
            if is_year(y) || is_num(y, 2) && y.len() == 2 {
                n = 3;
            }
        } else if is_year(w)
            && i > 0
            && BEFORE_YEAR.contains(&word(i - 1).to_ascii_lowercase().as_str())
            && gap(i).is_empty()
        {
            n = 1;
        }
        if n > 0 {
            out.push(Span::new(toks[i].span.start, toks[i + n - 1].span.end));
            i += n;
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;
    use crate::model::Document;

    fn dates(text: &str) -> Vec<String> {
        let d = Document::new("a", text);
        let mut out = Vec::new();
        find(&d.text, &tokenize(&d.text), &mut out);
        out.iter().map(|s| d.slice(*s).to_owned()).collect()
    }

    #[test]
    fn finds_the_common_forms() {
        assert_eq!(
            dates("On 12 March 2012 and March 3, 2013, in 2015, on Friday, 2012-03-12 or 12/03/2012."),
            [
                "12 March 2012",
                "March 3, 2013",
                "2015",
                "Friday",
                "2012-03-12",
                "12/03/2012"
            ]
        );
        assert_eq!(
            dates("They may march in May 2020 or in January."),
            ["May 2020", "January"]
        );
        assert_eq!(
            dates("1,200 people; 2015 people; room 12/3"),
            Vec::<String>::new()
        );
    }
}
