//! A small element tree read with quick-xml: `project.qde` is read whole and
//! walked, which is simpler than events for the few elements imported.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

/// Elements deeper than this are refused (a REFI-QDA project nests codes a few
/// levels deep; a file nesting thousands is not one).
const MAX_DEPTH: usize = 256;

/// An element: its local name (namespace prefixes dropped), attributes by
/// local name, child elements, and its text (character data joined).
#[derive(Debug, Default)]
pub struct Element {
    /// Local name, e.g. `TextSource`.
    pub name: String,
    attrs: Vec<(String, String)>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// The text directly inside the element.
    pub text: String,
}

impl Element {
    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Children named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child named `name`.
    pub fn first(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_owned(),
        None => name.into_owned(),
    }
}

fn element(e: &BytesStart) -> Result<Element, String> {
    let mut el = Element {
        name: local(e.name().as_ref()),
        ..Element::default()
    };
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let key = local(a.key.as_ref());
        if a.key.as_ref().starts_with(b"xmlns") {
            continue;
        }
        let value = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        el.attrs.push((key, value.into_owned()));
    }
    Ok(el)
}

/// Parses an XML document into its root element; the error names the byte
/// offset where reading stopped.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let fail = |reader: &quick_xml::Reader<&[u8]>, e: String| {
        format!(
            "the XML is not well formed near byte {}: {e}",
            reader.buffer_position()
        )
    };
    loop {
        let event = reader.read_event().map_err(|e| fail(&reader, e.to_string()))?;
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(fail(
                        &reader,
                        format!("elements nest deeper than {MAX_DEPTH} levels"),
                    ));
                }
                stack.push(element(&e).map_err(|m| fail(&reader, m))?);
            }
            Event::Empty(e) => {
                let el = element(&e).map_err(|m| fail(&reader, m))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(fail(&reader, "an end tag without its start".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t.xml10_content().map_err(|e| fail(&reader, e.to_string()))?;
                    top.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let c = r.resolve_char_ref().map_err(|e| fail(&reader, e.to_string()))?;
                    match c {
                        Some(c) => top.text.push(c),
                        None => {
                            let name = r.decode().map_err(|e| fail(&reader, e.to_string()))?;
                            match quick_xml::escape::resolve_predefined_entity(&name) {
                                Some(v) => top.text.push_str(v),
                                None => return Err(fail(&reader, format!("unknown entity &{name};"))),
                            }
                        }
                    }
                }
            }
            Event::Eof => {
                return Err(fail(
                    &reader,
                    "the document ends before its root element closes".into(),
                ));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_references_and_attributes_are_read() {
        let root = parse(
            "<?xml version=\"1.0\"?>\n<p:Project xmlns:p=\"urn:x\" name=\"a&amp;b&#10;c\"><Note>x &lt; y&#13;\r\nz<![CDATA[<q>]]></Note><Empty a='1'/></p:Project>",
        )
        .unwrap();
        assert_eq!(root.name, "Project");
        assert_eq!(root.attr("name"), Some("a&b\nc"));
        assert_eq!(root.first("Note").unwrap().text, "x < y\r\nz<q>");
        assert_eq!(root.first("Empty").unwrap().attr("a"), Some("1"));
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<a>").is_err());
        assert!(parse(&"<a>".repeat(300)).is_err());
    }
}
