//! Writing many files at once, for imports: several threads add documents to
//! one [`crate::store::batch::Batch`], which is synced once at the end.

use std::sync::Mutex;
use std::sync::mpsc::{channel, sync_channel};

/// Threads writing at once: one per core. Writes are not synced one by one
/// (see [`crate::store::batch`]), so more threads than cores would only contend
/// for the folder's lock, which the kernel spins on.
fn writers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
}

/// Runs `work` on each job `jobs` yields, on several threads, and hands each
/// result to `done` with the job's number (its place in `jobs`), on the calling
/// thread, as results arrive. `jobs` runs on the calling thread too, so it may
/// keep state of its own. Once `done` returns false no further job starts;
/// those under way finish and are still handed to `done`.
pub(crate) fn run<J: Send, R: Send>(
    jobs: impl Iterator<Item = J>,
    work: impl Fn(J) -> R + Sync,
    mut done: impl FnMut(usize, R) -> bool,
) {
    let (job_tx, job_rx) = sync_channel::<(usize, J)>(2 * writers());
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|scope| {
        // Owned by this closure, so dropping it below tells the writers to stop.
        let job_tx = job_tx;
        let (done_tx, done_rx) = channel::<(usize, R)>();
        for _ in 0..writers() {
            let (job_rx, done_tx, work) = (&job_rx, done_tx.clone(), &work);
            scope.spawn(move || {
                loop {
                    let Ok(Ok((k, job))) = job_rx.lock().map(|rx| rx.recv()) else {
                        break;
                    };
                    if done_tx.send((k, work(job))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let mut go_on = true;
        for (k, job) in jobs.enumerate() {
            if job_tx.send((k, job)).is_err() {
                break;
            }
            // Results are taken as they come, so progress shows and a cancel acts
            // while jobs are still being handed out.
            while go_on && let Ok((k, r)) = done_rx.try_recv() {
                go_on = done(k, r);
            }
            if !go_on {
                break;
            }
        }
        drop(job_tx);
        for (k, r) in done_rx {
            done(k, r);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_runs_once_and_a_stop_starts_no_more() {
        let mut seen = Vec::new();
        run(
            0..100,
            |j| j * 2,
            |k, r| {
                assert_eq!(r, k * 2);
                seen.push(k);
                true
            },
        );
        seen.sort_unstable();
        assert_eq!(seen, (0..100).collect::<Vec<_>>());

        let mut results = 0;
        let started = std::sync::atomic::AtomicUsize::new(0);
        run(
            0..10_000,
            |j| {
                started.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                j
            },
            |_, _| {
                results += 1;
                false
            },
        );
        // Everything started was handed back; far from everything started.
        assert_eq!(results, started.load(std::sync::atomic::Ordering::Relaxed));
        assert!(results < 1_000, "{results} jobs ran after the stop");
    }
}
