//! pdf-extract does not know the `'` and `"` text operators (next line, then
//! show), which Ghostscript and older office suites write for most lines: every
//! line shown with them would be lost. Before a page is walked, its content
//! streams (and the form XObjects it may draw) are rewritten with the operators
//! they stand for: `'` is `T*` then `Tj`; `aw ac string "` is `aw Tw`, `ac Tc`,
//! `T*`, `Tj` (PDF 32000-1 §9.4.3).

use std::collections::HashSet;
use std::time::Instant;

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, ObjectId};

/// Rewrites the streams `pages` draw (page contents and form XObjects), each at
/// most once over calls (`done`). Stops quietly at the deadline: the walk that
/// follows reports it.
pub(crate) fn rewrite(
    doc: &mut Document,
    pages: &[ObjectId],
    done: &mut HashSet<ObjectId>,
    deadline: Instant,
) {
    let mut ids: Vec<ObjectId> = pages.iter().flat_map(|&p| doc.get_page_contents(p)).collect();
    if done.is_empty() {
        ids.extend(doc.objects.iter().filter(|(_, o)| is_form(o)).map(|(id, _)| *id));
    }
    for id in ids {
        if !done.insert(id) || Instant::now() > deadline {
            continue;
        }
        let Some(Object::Stream(stream)) = doc.objects.get_mut(&id) else {
            continue;
        };
        let Ok(raw) = (if stream.dict.has(b"Filter") {
            stream.decompressed_content()
        } else {
            Ok(stream.content.clone())
        }) else {
            continue;
        };
        if !raw.iter().any(|&b| b == b'\'' || b == b'"') {
            continue;
        }
        let Ok(content) = Content::decode(&raw) else {
            continue;
        };
        if !content
            .operations
            .iter()
            .any(|op| op.operator == "'" || op.operator == "\"")
        {
            continue;
        }
        if let Ok(bytes) = (Content {
            operations: expand(content.operations),
        })
        .encode()
        {
            stream.set_plain_content(bytes);
        }
    }
}

fn is_form(o: &Object) -> bool {
    matches!(o, Object::Stream(s) if s.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Form"))
}

fn expand(ops: Vec<Operation>) -> Vec<Operation> {
    let mut out = Vec::with_capacity(ops.len() + 16);
    for mut op in ops {
        match op.operator.as_str() {
            "'" => {
                out.push(Operation::new("T*", Vec::new()));
                out.push(Operation::new("Tj", op.operands));
            }
            "\"" if op.operands.len() == 3 => {
                let text = op.operands.pop();
                let ac = op.operands.pop();
                let aw = op.operands.pop();
                out.push(Operation::new("Tw", aw.into_iter().collect()));
                out.push(Operation::new("Tc", ac.into_iter().collect()));
                out.push(Operation::new("T*", Vec::new()));
                out.push(Operation::new("Tj", text.into_iter().collect()));
            }
            _ => out.push(op),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_operators_become_next_line_and_show() {
        let ops = Content::decode(b"BT 12 TL (a) Tj (b) ' 1 2 (c) \" ET")
            .unwrap()
            .operations;
        let names: Vec<String> = expand(ops).into_iter().map(|o| o.operator).collect();
        assert_eq!(
            names,
            ["BT", "TL", "Tj", "T*", "Tj", "Tw", "Tc", "T*", "Tj", "ET"]
        );
    }
}
