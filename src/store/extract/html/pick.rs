//! Which part of a page is the article, and what inside it is not.
//!
//! The choice follows Mozilla's Readability in spirit: every paragraph of some
//! length gives points to its parent and half as many to its grandparent;
//! class names and ids that speak of articles add, those that speak of
//! comments, sharing or advertising take away; a container made mostly of links
//! is worth less. The element with most points is the article.

use std::collections::HashMap;

use ego_tree::{NodeId, NodeRef};
use scraper::Node;

use super::element_name;

/// Elements never shown: code, forms, media, and the page's own navigation.
fn never_shown(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "svg"
            | "math"
            | "canvas"
            | "form"
            | "button"
            | "input"
            | "select"
            | "textarea"
            | "label"
            | "nav"
            | "aside"
            | "footer"
            | "figure"
            | "figcaption"
            | "picture"
            | "img"
            | "object"
            | "embed"
            | "video"
            | "audio"
            | "map"
            | "dialog"
            | "menu"
            | "head"
            | "title"
            | "meta"
            | "link"
    )
}

/// ARIA roles of page furniture.
const FURNITURE_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "dialog",
    "alertdialog",
    "search",
    "menu",
    "menubar",
    "toolbar",
];

/// Parts of class names and ids that mark what is never article text, even
/// inside the article: comment threads.
const ALWAYS_OUT: &[&str] = &["comment", "disqus", "respond", "cookie", "consent", "gdpr"];

/// Parts of class names and ids that mark page furniture; a container with
/// several long paragraphs is kept despite them (a layout named `has-sidebar`).
const FURNITURE_WORDS: &[&str] = &[
    "share",
    "sharing",
    "social",
    "breadcrumb",
    "advert",
    "sponsor",
    "promo",
    "newsletter",
    "subscribe",
    "signup",
    "related",
    "recommend",
    "popular",
    "trending",
    "sidebar",
    "widget",
    "footer",
    "masthead",
    "navbar",
    "navigation",
    "menu",
    "popup",
    "modal",
    "banner",
    "credit",
    "caption",
    "byline",
    "author",
    "dateline",
    "timestamp",
    "skip",
    "toolbar",
    "pagination",
    "paywall",
    "donate",
    "outbrain",
    "taboola",
    "print",
];

/// Whole words of class names and ids that mark furniture.
const FURNITURE_TOKENS: &[&str] = &[
    "ad", "ads", "nav", "tag", "tags", "meta", "info", "date", "hidden", "hide", "sr", "sr-only", "screen",
];

/// Parts of class names and ids of article containers.
const ARTICLE_WORDS: &[&str] = &[
    "article", "content", "entry", "post", "story", "body", "text", "main",
];

/// Lower-case words of an element's class and id (split at spaces, `-` and `_`).
fn tokens(e: &scraper::node::Element) -> Vec<String> {
    let mut out = Vec::new();
    for v in e.attr("class").into_iter().chain(e.attr("id")) {
        for t in v.split(|c: char| c.is_whitespace() || c == '-' || c == '_') {
            if !t.is_empty() {
                out.push(t.to_ascii_lowercase());
            }
        }
    }
    out
}

/// How a class name or id judges an element.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Neutral,
    Article,
    Furniture,
    Out,
}

fn verdict(e: &scraper::node::Element) -> Verdict {
    let words = tokens(e);
    if words.iter().any(|w| ALWAYS_OUT.iter().any(|x| w.contains(x))) {
        return Verdict::Out;
    }
    if words
        .iter()
        .any(|w| FURNITURE_TOKENS.contains(&w.as_str()) || FURNITURE_WORDS.iter().any(|x| w.contains(x)))
    {
        return Verdict::Furniture;
    }
    if words.iter().any(|w| ARTICLE_WORDS.iter().any(|x| w.contains(x)))
        || e.attr("itemprop") == Some("articleBody")
    {
        return Verdict::Article;
    }
    Verdict::Neutral
}

/// True when an element and all in it are left out of the text.
pub(super) fn skipped(node: NodeRef<'_, Node>) -> bool {
    let Some(e) = node.value().as_element() else {
        return false;
    };
    if never_shown(e.name()) {
        return true;
    }
    if e.attr("hidden").is_some() || e.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = e.attr("style") {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if style.contains("display:none") || style.contains("visibility:hidden") {
            return true;
        }
    }
    if e.attr("role")
        .is_some_and(|r| FURNITURE_ROLES.contains(&r.to_ascii_lowercase().as_str()))
    {
        return true;
    }
    match verdict(e) {
        Verdict::Out => true,
        Verdict::Furniture => long_paragraphs(node) < 3,
        _ => dateline(node, e.name()),
    }
}

/// A short line holding a `<time>`: "Kim Yoo Jin | 2022.11.03 4:12pm", the
/// byline and date the metadata already has.
fn dateline(node: NodeRef<'_, Node>, name: &str) -> bool {
    if !matches!(name, "div" | "p" | "span" | "ul" | "li" | "section") {
        return false;
    }
    // Stops at the hundredth character or the two-hundredth node: a container
    // of the whole article is not walked to the end for every element in it.
    let mut len = 0;
    let mut time = false;
    for d in node.descendants().take(200) {
        match d.value() {
            Node::Text(t) => {
                len += t.trim().chars().count();
                if len >= 100 {
                    return false;
                }
            }
            Node::Element(e) if e.name() == "time" => time = true,
            _ => {}
        }
    }
    time && node.descendants().nth(200).is_none()
}

/// Paragraphs of 100 characters or more inside `node`, counted up to 3 and
/// among its first 20,000 nodes (a page nesting thousands of blocks named
/// like furniture is not walked whole for each of them).
fn long_paragraphs(node: NodeRef<'_, Node>) -> usize {
    node.descendants()
        .take(20_000)
        .filter(|d| element_name(d) == Some("p"))
        .filter(|p| text_len(*p) >= 100)
        .take(3)
        .count()
}

/// Characters of text in `node` (all of it, skipped parts included).
fn text_len(node: NodeRef<'_, Node>) -> usize {
    node.descendants()
        .filter_map(|d| d.value().as_text().map(|t| t.trim().chars().count()))
        .sum()
}

/// Characters of text inside links in `node`.
fn link_len(node: NodeRef<'_, Node>) -> usize {
    node.descendants()
        .filter(|d| element_name(d) == Some("a"))
        .map(text_len)
        .sum()
}

/// The points an element starts with, by its name and class.
fn base_score(node: NodeRef<'_, Node>) -> f64 {
    let Some(e) = node.value().as_element() else {
        return 0.0;
    };
    let by_name = match e.name() {
        "article" => 10.0,
        "main" | "div" | "section" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" | "address" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    };
    let by_class = match verdict(e) {
        Verdict::Article => 25.0,
        Verdict::Furniture | Verdict::Out => -25.0,
        Verdict::Neutral => 0.0,
    };
    let marked = if e.attr("itemprop") == Some("articleBody") {
        50.0
    } else {
        0.0
    };
    by_name + by_class + marked
}

/// The element holding the article under `body`: `body` itself when no
/// paragraph of some length is found.
pub(super) fn container<'a>(body: NodeRef<'a, Node>) -> NodeRef<'a, Node> {
    let mut scores: HashMap<NodeId, f64> = HashMap::new();
    let mut stack = vec![body];
    while let Some(n) = stack.pop() {
        if n != body && skipped(n) {
            continue;
        }
        let name = element_name(&n);
        if matches!(name, Some("p" | "pre" | "td" | "blockquote")) {
            let len = text_len(n);
            if len >= 25 {
                let text: String = n
                    .descendants()
                    .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                    .collect();
                let commas = text.matches([',', '،', '、', '，']).count() as f64;
                let points = 1.0 + commas + (len as f64 / 100.0).min(3.0);
                let mut up = n.parent();
                for share in [1.0, 0.5] {
                    let Some(a) = up.filter(|a| a.value().is_element()) else {
                        break;
                    };
                    *scores.entry(a.id()).or_insert_with(|| base_score(a)) += points * share;
                    up = a.parent();
                }
            }
            continue;
        }
        stack.extend(n.children().filter(|c| c.value().is_element()));
    }
    let tree_node = |id: NodeId| body.tree().get(id);
    let best = scores
        .iter()
        .filter_map(|(&id, &s)| {
            let n = tree_node(id)?;
            let total = text_len(n).max(1) as f64;
            let density = link_len(n) as f64 / total;
            Some((s * (1.0 - density), id))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
    let Some(best) = best.and_then(|(_, id)| tree_node(id)) else {
        return body;
    };
    // An article split over sibling blocks (a lead paragraph apart from the rest)
    // is read whole from their parent when that shows little else.
    if let Some(parent) = best.parent()
        && !matches!(element_name(&parent), None | Some("body" | "html"))
        && !skipped(parent)
    {
        let (all, mine) = (shown_len(parent), shown_len(best));
        if mine < all && mine * 10 >= all * 8 {
            return parent;
        }
    }
    best
}

/// Characters of text in `node` that the walk would show.
fn shown_len(node: NodeRef<'_, Node>) -> usize {
    // A stack rather than recursion: pages may nest elements very deeply.
    let mut len = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if skipped(n) {
            continue;
        }
        match n.value() {
            Node::Text(t) => len += t.trim().chars().count(),
            _ => stack.extend(n.children()),
        }
    }
    len
}

/// The article's headline when it stands outside the article's container (in a
/// page header above it): the first shown `<h1>` whose words are in the page's
/// title (a site's name in an `<h1>` logo is not), or without a title the first
/// shown `<h1>` of some length.
pub(super) fn headline<'a>(
    body: NodeRef<'a, Node>,
    container: NodeRef<'a, Node>,
    title: &str,
) -> Option<NodeRef<'a, Node>> {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let title = norm(title);
    let h1 = body.descendants().find(|d| {
        if element_name(d) != Some("h1") || d.ancestors().any(|a| a != body && skipped(a)) {
            return false;
        }
        let text: String = d
            .descendants()
            .filter_map(|x| x.value().as_text().map(|t| t.to_string()))
            .collect();
        let text = norm(&text);
        if title.is_empty() {
            text.chars().count() >= 15
        } else {
            (title.contains(&text) && text.chars().count() * 2 >= title.chars().count())
                || text.contains(&title)
        }
    })?;
    (!h1.ancestors().any(|a| a == container)).then_some(h1)
}

/// Lines of page furniture that class names do not mark: "Skip to main
/// content", "Image Credit: Flickr", "Home > News > …", "Share this article".
pub(super) fn boilerplate(block: &str) -> bool {
    let t = block.trim();
    if t.is_empty() || t.chars().count() > 160 {
        return false;
    }
    let lower = t.to_lowercase();
    const STARTS: &[&str] = &[
        "image credit",
        "image:",
        "photo credit",
        "photo:",
        "credit:",
        "image courtesy",
        "photo courtesy",
        "skip to",
        "share this",
        "share on",
        "share:",
        "follow us",
        "advertisement",
        "read more",
        "related:",
        "related articles",
        "sign up",
        "subscribe",
        "click here",
        "tags:",
        "leave a comment",
        "also read",
        "you may also like",
        "this article was",
        "print this",
        "email this",
    ];
    if STARTS.iter().any(|s| lower.starts_with(s)) {
        return true;
    }
    // Breadcrumbs: "Home > News > NK Human Rights Issues".
    let seps = t.matches(['>', '›', '»']).count() + t.matches(" / ").count();
    lower.starts_with("home") && seps >= 1
}
