//! Writers racing on one sidecar: however their saves interleave, exactly one of
//! those that started from the same version wins and every other one is told
//! the file changed; no save is lost without its writer knowing.

mod common;

use std::sync::{Arc, Barrier};

use marginalia::model::{DocAnnotations, Document, Status};
use marginalia::store::corpus::{self, DiskStamp, SaveError};
use marginalia::store::sidecar;

#[test]
fn of_writers_starting_from_the_same_version_exactly_one_wins() {
    let text = common::seed(common::CLINTON);
    let dir = common::corpus(&[("a.txt", text.as_bytes())]);
    let root = dir.path().to_path_buf();
    let doc = Arc::new(Document::new("a.txt", text));
    const WRITERS: usize = 6;
    for round in 0..40 {
        let expected = DiskStamp::read(&root.join("a.txt.ron")).unwrap();
        let barrier = Arc::new(Barrier::new(WRITERS));
        let handles: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (root, doc, expected, barrier) =
                    (root.clone(), doc.clone(), expected.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let mut data = DocAnnotations {
                        status: Status::ALL[w % 3],
                        ..Default::default()
                    };
                    data.annotations.push(common::entity(
                        &doc,
                        &format!("r{round}w{w}"),
                        "Clinton",
                        0,
                        "PERSON",
                    ));
                    barrier.wait();
                    (w, corpus::save(&root, &doc, &data, (1, 0), &expected))
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let winners: Vec<usize> = results
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(w, _)| *w)
            .collect();
        assert_eq!(
            winners.len(),
            1,
            "round {round}: {} writers all think they saved",
            winners.len()
        );
        for (w, r) in &results {
            if let Err(e) = r {
                assert!(
                    matches!(e, SaveError::Conflict(_)),
                    "round {round} writer {w}: {e}"
                );
            }
        }
        let on_disk = sidecar::from_str(&std::fs::read_to_string(root.join("a.txt.ron")).unwrap()).unwrap();
        assert_eq!(on_disk.data.annotations[0].id, format!("r{round}w{}", winners[0]));
    }
}
