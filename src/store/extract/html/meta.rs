//! A web page's metadata: title, byline, outlet, date, address, language, from
//! what news sites publish for search engines and social networks (`og:` and
//! `article:` meta tags, JSON-LD), then from the page itself (`<title>`,
//! `<time>`, `<html lang>`, a byline).

use std::collections::HashMap;

use scraper::{Html, Node};
use serde_json::Value;

use super::element_name;
use crate::model::DocMeta;
use crate::model::meta_guess::date_in;

/// JSON-LD types of articles, most specific kinds included.
fn is_article_type(t: &str) -> bool {
    t.ends_with("Article") || matches!(t, "BlogPosting" | "Report" | "WebPage" | "Posting")
}

/// Reads the metadata of a parsed page.
pub(super) fn read(doc: &Html) -> DocMeta {
    let mut tags: HashMap<String, String> = HashMap::new();
    let mut canonical = None;
    let mut title_tag = None;
    let mut lang = None;
    let mut ld = Vec::new();
    let mut first_time = None;
    let mut byline = None;
    for n in doc.tree.root().descendants() {
        let Some(e) = n.value().as_element() else { continue };
        match e.name() {
            "meta" => {
                let key = e
                    .attr("property")
                    .or(e.attr("name"))
                    .or(e.attr("itemprop"))
                    .or(e.attr("http-equiv"));
                if let (Some(k), Some(v)) = (key, e.attr("content")) {
                    let v = v.trim();
                    if !v.is_empty() {
                        tags.entry(k.to_ascii_lowercase()).or_insert_with(|| v.to_owned());
                    }
                }
            }
            "link" if e.attr("rel").is_some_and(|r| r.eq_ignore_ascii_case("canonical")) => {
                canonical = canonical.or(e.attr("href").map(str::to_owned));
            }
            "title" if title_tag.is_none() => title_tag = Some(text_of(n)),
            "html" => lang = lang.or(e.attr("lang").or(e.attr("xml:lang")).map(str::to_owned)),
            "script"
                if e.attr("type")
                    .is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json")) =>
            {
                if let Ok(v) = serde_json::from_str::<Value>(text_of(n).trim()) {
                    ld.push(v);
                }
            }
            "time" if first_time.is_none() => {
                first_time = e.attr("datetime").map(str::to_owned).or_else(|| Some(text_of(n)));
            }
            _ => {
                let rel_author = e.attr("rel").is_some_and(|r| r.eq_ignore_ascii_case("author"));
                let marked = e.attr("itemprop") == Some("author")
                    || e.attr("class").is_some_and(|c| {
                        c.split_whitespace().any(|w| {
                            let w = w.to_ascii_lowercase();
                            w == "byline"
                                || w == "author"
                                || w.ends_with("byline")
                                || w.ends_with("author-name")
                        })
                    });
                if byline.is_none() && (rel_author || marked) {
                    let t = text_of(n);
                    let t = clean_byline(&t);
                    if !t.is_empty() && t.chars().count() < 120 {
                        byline = Some(t);
                    }
                }
            }
        }
    }
    let article = ld.iter().find_map(find_article);
    let ld_str = |key: &str| article.and_then(|a| a.get(key)).and_then(json_text);
    let tag = |keys: &[&str]| keys.iter().find_map(|k| tags.get(*k).cloned());

    let mut meta = DocMeta::default();
    meta.outlet = tag(&["og:site_name", "application-name"])
        .or_else(|| article.and_then(|a| a.get("publisher")).and_then(json_text))
        .unwrap_or_default();
    meta.title = tag(&["og:title"])
        .or_else(|| ld_str("headline"))
        .or_else(|| tag(&["twitter:title", "dc.title", "citation_title"]))
        .or_else(|| title_tag.map(|t| clean_title(&t, &meta.outlet)))
        .unwrap_or_default();
    meta.author = tag(&[
        "author",
        "dc.creator",
        "citation_author",
        "parsely-author",
        "sailthru.author",
    ])
    .or_else(|| article.and_then(|a| a.get("author")).and_then(json_text))
    .or_else(|| tag(&["article:author"]).filter(|a| !a.starts_with("http")))
    .or(byline)
    .unwrap_or_default();
    let date = tag(&["article:published_time", "og:published_time"])
        .or_else(|| ld_str("datePublished"))
        .or_else(|| {
            tag(&[
                "date",
                "pubdate",
                "publishdate",
                "publish-date",
                "dc.date",
                "dc.date.issued",
                "citation_publication_date",
                "parsely-pub-date",
                "sailthru.date",
                "datepublished",
            ])
        })
        .or(first_time);
    meta.published = date.map(|d| iso_date(&d)).unwrap_or_default();
    meta.url = canonical
        .or_else(|| tag(&["og:url"]))
        .map(|u| u.trim().to_owned())
        .filter(|u| u.starts_with("http"))
        .unwrap_or_default();
    meta.language = lang
        .or_else(|| tag(&["content-language", "dc.language", "language"]))
        .or_else(|| tag(&["og:locale"]))
        .or_else(|| ld_str("inLanguage"))
        .map(|l| l.trim().replace('_', "-"))
        .unwrap_or_default();
    for f in DocMeta::FIELDS {
        let v = meta.get(f).unwrap_or_default();
        let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
        meta.set(f, v);
    }
    meta
}

/// The text inside a node.
fn text_of(n: ego_tree::NodeRef<'_, Node>) -> String {
    n.descendants()
        .filter(|d| {
            d.parent()
                .is_none_or(|p| !matches!(element_name(&p), Some("script" | "style")) || n == p)
        })
        .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
        .collect()
}

/// "By Jane Doe and John Roe" → "Jane Doe and John Roe".
fn clean_byline(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    for p in ["by ", "written by ", "author: ", "authors: "] {
        if s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p)) {
            return s[p.len()..].trim().to_owned();
        }
    }
    s
}

/// A `<title>` without the site's name after a separator: "Story | Outlet".
fn clean_title(title: &str, outlet: &str) -> String {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    for sep in [" | ", " – ", " — ", " - ", " :: ", " « ", " » "] {
        if let Some((head, tail)) = title.rsplit_once(sep)
            && (outlet.is_empty() || tail.trim().eq_ignore_ascii_case(outlet.trim()))
            && head.chars().count() >= 10
        {
            return head.trim().to_owned();
        }
    }
    title
}

/// A date as ISO `YYYY-MM-DD` when it is one (`2024-03-05T09:00:00+09:00`,
/// "March 5, 2024"), else as written.
fn iso_date(s: &str) -> String {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || !b[10].is_ascii_digit())
    {
        return s[..10].to_owned();
    }
    date_in(s).unwrap_or_else(|| s.to_owned())
}

/// The first JSON-LD object that describes an article, looking inside lists and
/// `@graph`.
fn find_article(v: &Value) -> Option<&serde_json::Map<String, Value>> {
    match v {
        Value::Array(items) => items.iter().find_map(find_article),
        Value::Object(o) => {
            let typed = match o.get("@type") {
                Some(Value::String(t)) => is_article_type(t),
                Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(is_article_type),
                _ => false,
            };
            if typed {
                return Some(o);
            }
            o.get("@graph").and_then(find_article)
        }
        _ => None,
    }
}

/// A JSON-LD value as text: a string, an object's `name`, a list's names joined.
fn json_text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Object(o) => return o.get("name").and_then(json_text),
        Value::Array(items) => items.iter().filter_map(json_text).collect::<Vec<_>>().join(", "),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_iso() {
        assert_eq!(iso_date("2024-03-05T09:00:00+09:00"), "2024-03-05");
        assert_eq!(iso_date("March 5, 2024"), "2024-03-05");
        assert_eq!(iso_date("sometime"), "sometime");
    }

    #[test]
    fn titles_lose_the_site_name() {
        assert_eq!(
            clean_title("A long story here | The Outlet", "The Outlet"),
            "A long story here"
        );
        assert_eq!(
            clean_title("A long story here | The Outlet", ""),
            "A long story here"
        );
        assert_eq!(clean_title("Q&A - Two", "Other"), "Q&A - Two");
    }
}
