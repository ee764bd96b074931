//! Reading a REFI-QDA project (`.qdpx`) into plain data for the import:
//! codes, text sources with their selections and variables, notes and links.
//! Whatever a project holds that is not read here is named in `lost`.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use super::xml::{self, Element};

/// The largest `.qdpx` read, and the most read of any one file inside it.
const MAX_QDPX: u64 = 4 << 30;
const MAX_ENTRY: u64 = 1 << 30;

/// A code of the code book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    /// Its GUID, which codings refer to.
    pub guid: String,
    /// Its name: the label.
    pub name: String,
    /// `#rrggbb`, when given.
    pub colour: Option<String>,
    /// Its description.
    pub description: String,
}

/// A coding of a selection with a code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coding {
    /// The code's GUID.
    pub code: String,
    /// Who coded (the user's name).
    pub user: Option<String>,
    /// When.
    pub created: Option<String>,
}

/// A `PlainTextSelection`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// Its GUID.
    pub guid: String,
    /// Its name: most tools write the selected text, or its start.
    pub name: String,
    /// First position (code points of the source text).
    pub start: usize,
    /// One past the last position.
    pub end: usize,
    /// Its description (the memo of the coding).
    pub description: String,
    /// Its codings.
    pub codings: Vec<Coding>,
    /// GUIDs of the notes it refers to.
    pub notes: Vec<String>,
    /// Who made it (the user's name).
    pub user: Option<String>,
    /// When it was made and last changed.
    pub created: Option<String>,
    /// When it last changed.
    pub modified: Option<String>,
}

/// A text source: its name, its text (or why it could not be read), its
/// selections and variable values, and what of it is not read.
#[derive(Debug)]
pub struct Source {
    /// The source's name in the project.
    pub name: String,
    /// The plain text, without a byte-order mark.
    pub text: Result<String, String>,
    /// Its selections, in the project's order.
    pub selections: Vec<Selection>,
    /// Variable values: (variable name, value).
    pub variables: Vec<(String, String)>,
    /// What of the source is not read, in plain words.
    pub lost: Vec<String>,
}

/// A link between two selections (or other objects).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The link's GUID.
    pub guid: String,
    /// Its name: the relation type.
    pub name: String,
    /// GUID of what it starts from.
    pub origin: String,
    /// GUID of what it points to.
    pub target: String,
}

/// What a project holds, as the import needs it.
#[derive(Debug, Default)]
pub struct Project {
    /// The software that wrote it (`origin`).
    pub origin: String,
    /// Codes, in code book order, nested codes after their parent.
    pub codes: Vec<Code>,
    /// Text sources.
    pub sources: Vec<Source>,
    /// Note texts by GUID.
    pub notes: HashMap<String, String>,
    /// Links.
    pub links: Vec<Link>,
    /// Parts of the project that are not read, in plain words.
    pub lost: Vec<String>,
}

/// The files of the zip, by lower-case name (tools write `sources/` or `Sources/`).
struct Archive {
    zip: zip::ZipArchive<std::fs::File>,
    names: HashMap<String, usize>,
}

impl Archive {
    fn read(&mut self, name: &str) -> Result<Vec<u8>, String> {
        let i = *self
            .names
            .get(&name.to_lowercase())
            .ok_or_else(|| format!("the project has no file {name}"))?;
        let f = self.zip.by_index(i).map_err(|e| format!("{name}: {e}"))?;
        let mut bytes = Vec::new();
        f.take(MAX_ENTRY + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{name}: {e}"))?;
        if bytes.len() as u64 > MAX_ENTRY {
            return Err(format!(
                "{name} is larger than the {} MB Marginalia reads",
                MAX_ENTRY >> 20
            ));
        }
        Ok(bytes)
    }

    /// The text of `internal://X` (in `sources/`), decoded.
    fn internal_text(&mut self, path: &str) -> Result<String, String> {
        let Some(file) = path.strip_prefix("internal://") else {
            return Err(format!(
                "its text is outside the project ({path}); only texts inside the .qdpx are imported"
            ));
        };
        let bytes = self.read(&format!("sources/{file}"))?;
        crate::store::decode::decode_owned(bytes)
            .map(|d| d.text)
            .map_err(|e| format!("sources/{file} is {e}"))
    }
}

/// Reads the project at `path`.
pub fn read_project(path: &Path) -> Result<Project, String> {
    let file = crate::store::safe_file::open_regular(path).map_err(|e| e.to_string())?;
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    if size > MAX_QDPX {
        return Err(format!(
            "the file is larger than the {} MB Marginalia reads",
            MAX_QDPX >> 20
        ));
    }
    let zip = zip::ZipArchive::new(file).map_err(|e| format!("it is not a .qdpx (zip) file: {e}"))?;
    let names = zip
        .file_names()
        .enumerate()
        .filter_map(|(i, n)| n.ok().map(|n| (n.to_lowercase(), i)))
        .collect::<HashMap<_, _>>();
    let mut archive = Archive { zip, names };
    let qde = archive
        .names
        .keys()
        .filter(|n| !n.contains('/') && n.ends_with(".qde"))
        .min_by_key(|n| (n.as_str() != "project.qde", n.to_string()))
        .cloned()
        .ok_or("it holds no project.qde; is it a REFI-QDA project?")?;
    let bytes = archive.read(&qde)?;
    let text = crate::store::decode::utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
        .map_err(|e| format!("{qde} is not UTF-8 ({e})"))?;
    let root = xml::parse(text).map_err(|e| format!("{qde}: {e}"))?;
    if root.name != "Project" {
        return Err(format!(
            "{qde} is not a REFI-QDA project (its root is <{}>)",
            root.name
        ));
    }
    Ok(project(&root, &mut archive))
}

fn project(root: &Element, archive: &mut Archive) -> Project {
    let mut p = Project {
        origin: root.attr("origin").unwrap_or("").to_owned(),
        ..Project::default()
    };
    let users: HashMap<&str, &str> = root
        .first("Users")
        .into_iter()
        .flat_map(|u| u.all("User"))
        .filter_map(|u| Some((u.attr("guid")?, u.attr("name").or(u.attr("id"))?)))
        .collect();
    let user = |e: &Element, attr: &str| e.attr(attr).and_then(|g| users.get(g)).map(|n| n.to_string());
    if let Some(codes) = root.first("CodeBook").and_then(|b| b.first("Codes")) {
        let mut nested = 0;
        for c in codes.all("Code") {
            collect_codes(c, 0, &mut p.codes, &mut nested);
        }
        if nested > 0 {
            p.lost.push(format!(
                "the code hierarchy: {nested} code(s) nested in others become labels of their own"
            ));
        }
    }
    let variables: HashMap<&str, &str> = root
        .first("Variables")
        .into_iter()
        .flat_map(|v| v.all("Variable"))
        .filter_map(|v| Some((v.attr("guid")?, v.attr("name")?)))
        .collect();
    for note in root.first("Notes").into_iter().flat_map(|n| n.all("Note")) {
        let Some(g) = note.attr("guid") else { continue };
        let text = match (note.first("PlainTextContent"), note.attr("plainTextPath")) {
            (Some(t), _) => Some(t.text.clone()),
            (None, Some(path)) => archive.internal_text(path).ok(),
            _ => None,
        };
        if let Some(text) = text {
            p.notes.insert(g.to_owned(), text);
        }
    }
    for s in root.first("Sources").into_iter().flat_map(|s| s.children.iter()) {
        let name = s.attr("name").unwrap_or("").to_owned();
        let text_source = match s.name.as_str() {
            "TextSource" => Some(s),
            "PDFSource" => s.first("Representation"),
            _ => None,
        };
        let Some(ts) = text_source else {
            p.lost.push(format!(
                "the {} \"{name}\": only text sources (and the text of PDF sources) are imported",
                s.name
            ));
            continue;
        };
        let mut src = text_source_of(ts, &name, archive, &user, &variables);
        if s.name == "PDFSource" {
            src.name = format!("{name}.txt");
        }
        p.sources.push(src);
    }
    for l in root.first("Links").into_iter().flat_map(|l| l.all("Link")) {
        match (l.attr("guid"), l.attr("originGUID"), l.attr("targetGUID")) {
            (Some(g), Some(o), Some(t)) => p.links.push(Link {
                guid: g.to_owned(),
                name: l.attr("name").unwrap_or("link").to_owned(),
                origin: o.to_owned(),
                target: t.to_owned(),
            }),
            _ => p.lost.push(format!(
                "the link \"{}\": it lacks an origin or a target",
                l.attr("name").unwrap_or("")
            )),
        }
    }
    for (tag, what) in [("Cases", "case(s)"), ("Sets", "set(s)"), ("Graphs", "graph(s)")] {
        let n = root.first(tag).map_or(0, |e| e.children.len());
        if n > 0 {
            p.lost
                .push(format!("{n} {what}: Marginalia has no place for them"));
        }
    }
    if root
        .first("Description")
        .is_some_and(|d| !d.text.trim().is_empty())
    {
        p.lost.push("the project's description".into());
    }
    p
}

fn collect_codes(c: &Element, depth: usize, out: &mut Vec<Code>, nested: &mut usize) {
    if c.attr("isCodable") != Some("false")
        && let (Some(guid), Some(name)) = (c.attr("guid"), c.attr("name"))
    {
        if depth > 0 {
            *nested += 1;
        }
        out.push(Code {
            guid: guid.to_owned(),
            name: name.to_owned(),
            colour: c.attr("color").map(str::to_owned),
            description: c
                .first("Description")
                .map_or(String::new(), |d| d.text.trim().to_owned()),
        });
    }
    for child in c.all("Code") {
        collect_codes(child, depth + 1, out, nested);
    }
}

fn text_source_of(
    ts: &Element,
    name: &str,
    archive: &mut Archive,
    user: &impl Fn(&Element, &str) -> Option<String>,
    variables: &HashMap<&str, &str>,
) -> Source {
    let text = match (ts.first("PlainTextContent"), ts.attr("plainTextPath")) {
        (Some(t), _) => Ok(t.text.clone()),
        (None, Some(path)) => archive.internal_text(path),
        (None, None) => Err("it has neither a plain text nor a plainTextPath".into()),
    };
    let mut src = Source {
        name: name.to_owned(),
        text,
        selections: Vec::new(),
        variables: Vec::new(),
        lost: Vec::new(),
    };
    for sel in ts.all("PlainTextSelection") {
        let pos = |a: &str| sel.attr(a).and_then(|v| v.trim().parse::<usize>().ok());
        let (Some(start), Some(end)) = (pos("startPosition"), pos("endPosition")) else {
            src.lost.push(format!(
                "a selection without whole-number positions ({}–{})",
                sel.attr("startPosition").unwrap_or("?"),
                sel.attr("endPosition").unwrap_or("?")
            ));
            continue;
        };
        let codings = sel
            .all("Coding")
            .filter_map(|c| {
                Some(Coding {
                    code: c.first("CodeRef")?.attr("targetGUID")?.to_owned(),
                    user: user(c, "creatingUser"),
                    created: c.attr("creationDateTime").map(str::to_owned),
                })
            })
            .collect();
        src.selections.push(Selection {
            guid: sel.attr("guid").unwrap_or("").to_owned(),
            name: sel.attr("name").unwrap_or("").to_owned(),
            start,
            end,
            description: sel.first("Description").map_or(String::new(), |d| d.text.clone()),
            codings,
            notes: sel
                .all("NoteRef")
                .chain(sel.all("Coding").flat_map(|c| c.all("NoteRef")))
                .filter_map(|n| n.attr("targetGUID").map(str::to_owned))
                .collect(),
            user: user(sel, "creatingUser").or_else(|| user(sel, "modifyingUser")),
            created: sel.attr("creationDateTime").map(str::to_owned),
            modified: sel.attr("modifiedDateTime").map(str::to_owned),
        });
    }
    for vv in ts.all("VariableValue") {
        let name = vv
            .first("VariableRef")
            .and_then(|r| r.attr("targetGUID"))
            .and_then(|g| variables.get(g));
        let value = vv
            .children
            .iter()
            .find(|c| c.name.ends_with("Value"))
            .map(|c| c.text.trim().to_owned());
        if let (Some(n), Some(v)) = (name, value) {
            src.variables.push(((*n).to_owned(), v));
        }
    }
    let whole = ts.all("Coding").count();
    if whole > 0 {
        src.lost.push(format!(
            "{whole} coding(s) of the whole source: Marginalia labels spans"
        ));
    }
    let memos = ts.all("NoteRef").count();
    if memos > 0 {
        src.lost.push(format!("{memos} note(s) on the whole source"));
    }
    src
}
