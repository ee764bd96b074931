//! The suggestion engine on generated text (`marginalia::synth`):
//!
//! - `suggest.learn_1mb_corpus`: `Learned::learn` on a 1 MB corpus (20 documents
//!   of 50 KB, 10,000 annotations; `MARGINALIA_BENCH_QUICK=1`: 100 KB), string
//!   matcher and learner, as the workbench runs it on a background job.
//! - `suggest.suggest_1mb_document`: `suggest` on the 1 MB article with its
//!   10,000 annotations (every origin on), what runs after each edit; the
//!   budget is 50 ms.
//! - `suggest.suggest_1mb_exact`: the same with exact string matching only.
//! - `suggest.after_edit_1mb_document`: what the workspace runs after each tag
//!   on that article, learned with the rest of the corpus: the new tag learned
//!   at once (`Learned::with_doc`), then `suggest_prepared` on the words, finds
//!   and learner proposals kept from before; the budget is 50 ms.
//! - `suggest.prepare_1mb_document`: the first run on the article (words,
//!   detectors, learner), when it is opened or learning finishes.
//!
//! Prints `BENCH <key> <value> <unit>` lines; `scripts/bench.sh` collects them.

mod common;

use std::hint::black_box;

use common::{SEED, Samples, article_size, quick, report, report_samples};
use marginalia::model::suggest::{
    Enabled, Gazetteer, Learned, Options, Prepared, Rejections, suggest, suggest_prepared, suggest_with,
};
use marginalia::model::{DocAnnotations, Document, Kind, Span, TagSet};

fn main() {
    let docs = if quick() { 2 } else { 20 };
    let corpus: Vec<(Document, DocAnnotations)> = (0..docs)
        .map(|i| marginalia::synth::article(SEED + i as u64, &format!("d{i:02}.txt"), 50_000, 500))
        .collect();
    let bytes: usize = corpus.iter().map(|(d, _)| d.text.len()).sum();
    report("input.suggest_corpus_bytes", bytes as f64, "bytes");
    let tagset = TagSet::builtin();
    let (rejections, gazetteer) = (Rejections::default(), Gazetteer::default());
    let learn = || {
        Learned::learn(
            corpus.iter().map(|(d, a)| (d, a.annotations.as_slice())),
            &tagset,
            &rejections,
            &gazetteer,
        )
    };
    let mut l = Samples::default();
    let mut learned = learn();
    for _ in 0..if quick() { 2 } else { 5 } {
        learned = l.time(|| black_box(learn()));
    }
    report_samples("suggest.learn_1mb_corpus", &l);
    report("suggest.learned_tags", learned.tags() as f64, "tags");

    let (bytes, annotations) = article_size();
    let (doc, data) = marginalia::synth::article(SEED, "big.txt", bytes, annotations);
    report("input.suggest_article_bytes", doc.text.len() as f64, "bytes");
    let anns = data.annotations.as_slice();
    let samples = if quick() { 3 } else { 20 };
    let mut s = Samples::default();
    let mut n = 0;
    for _ in 0..samples {
        n = s.time(|| black_box(suggest(&learned, &doc, anns, &rejections, Enabled::default())).len());
    }
    report_samples("suggest.suggest_1mb_document", &s);
    report("suggest.suggestions_1mb_document", n as f64, "suggestions");
    let exact = Options {
        enabled: Enabled {
            matcher: true,
            learner: false,
            detector: false,
            gazetteer: false,
        },
        variants: false,
        untagged: false,
    };
    let mut e = Samples::default();
    for _ in 0..samples {
        e.time(|| black_box(suggest_with(&learned, &doc, anns, &rejections, exact)));
    }
    report_samples("suggest.suggest_1mb_exact", &e);

    // After an edit, as the workspace runs it: learned with the article in the
    // corpus, its text prepared once, then one new tag per sample.
    let with_article = Learned::learn(
        corpus
            .iter()
            .map(|(d, a)| (d, a.annotations.as_slice()))
            .chain(std::iter::once((&doc, anns))),
        &tagset,
        &rejections,
        &gazetteer,
    );
    let mut p = Samples::default();
    let mut prep = Prepared::new(&doc);
    for _ in 0..if quick() { 2 } else { 5 } {
        p.time(|| {
            prep = Prepared::new(&doc);
            black_box(suggest_prepared(
                &with_article,
                &mut prep,
                &doc,
                anns,
                &rejections,
                Options::default(),
            ))
        });
    }
    report_samples("suggest.prepare_1mb_document", &p);
    let mut edited = anns.to_vec();
    let mut a = Samples::default();
    let chars: Vec<(usize, char)> = doc.text.chars().enumerate().collect();
    let mut at = 0;
    for k in 0..samples {
        // A word not tagged yet, further on each time.
        at = (at + doc.text.len() / samples / 2).min(chars.len() - 1);
        while at + 1 < chars.len()
            && !(chars[at].1.is_alphabetic() && (at == 0 || !chars[at - 1].1.is_alphabetic()))
        {
            at += 1;
        }
        let end = (at..chars.len())
            .find(|&i| !chars[i].1.is_alphabetic())
            .unwrap_or(chars.len());
        let label = if k % 2 == 0 { "PERSON" } else { "ORG" };
        edited.push(doc.annotate(vec![Span::new(at, end)], label, Kind::entity(), "bench"));
        // Until the list is made (the workspace sends it then); the copy of
        // what was learned is dropped after.
        let done = a.time(|| {
            let learned = with_article.with_doc(&doc, &edited);
            let list = suggest_prepared(
                &learned,
                &mut prep,
                &doc,
                &edited,
                &rejections,
                Options::default(),
            );
            black_box((learned, list))
        });
        drop(done);
    }
    report_samples("suggest.after_edit_1mb_document", &a);
}
