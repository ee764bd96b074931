//! The worker threads of exports and imports.
//!
//! - [`ordered`]: loading and rendering (or reading and parsing) documents
//!   ahead, in corpus order, on one thread per core.
//! - [`run`]: writing an import's documents into one
//!   [`crate::store::batch::Batch`], in whatever order they finish.

use std::sync::mpsc::{Receiver, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Items an [`ordered`] worker maps and hands over at once. Short documents
/// take microseconds each, and every hand-over wakes a thread.
const CHUNK: usize = 8;

/// The results of [`ordered`], in the order of its items.
pub(crate) struct Ordered<T, R> {
    items: Arc<[T]>,
    f: Arc<dyn Fn(&T) -> R + Send + Sync>,
    /// Worker `w` maps chunks `w`, `w + n`, `w + 2n`, … in that order.
    results: Vec<Receiver<Vec<R>>>,
    workers: Vec<JoinHandle<()>>,
    /// The rest of the chunk being handed out.
    ready: std::vec::IntoIter<R>,
    next: usize,
}

/// Maps `items` through `f` on one thread per core, a couple of chunks ahead of
/// the caller, who gets the results in order. Dropping the iterator stops the
/// workers at their next chunk and waits for them.
pub(crate) fn ordered<T, R>(items: Vec<T>, f: impl Fn(&T) -> R + Send + Sync + 'static) -> Ordered<T, R>
where
    T: Send + Sync + 'static,
    R: Send + 'static,
{
    let items: Arc<[T]> = items.into();
    let f: Arc<dyn Fn(&T) -> R + Send + Sync> = Arc::new(f);
    let chunks = items.len().div_ceil(CHUNK);
    let n = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(chunks.max(1));
    let mut results = Vec::with_capacity(n);
    let mut workers = Vec::with_capacity(n);
    for w in 0..n {
        let (tx, rx) = sync_channel(2);
        let (items, f) = (Arc::clone(&items), Arc::clone(&f));
        let spawned = std::thread::Builder::new()
            .name("marginalia-worker".into())
            .spawn(move || {
                for chunk in items.chunks(CHUNK).skip(w).step_by(n) {
                    if tx.send(chunk.iter().map(|t| f(t)).collect()).is_err() {
                        break;
                    }
                }
            });
        match spawned {
            Ok(h) => {
                workers.push(h);
                results.push(rx);
            }
            // No threads to be had: everything is mapped on the calling thread instead.
            Err(_) => {
                results.clear();
                break;
            }
        }
    }
    Ordered {
        items,
        f,
        results,
        workers,
        ready: Vec::new().into_iter(),
        next: 0,
    }
}

impl<T, R> Iterator for Ordered<T, R> {
    type Item = R;

    fn next(&mut self) -> Option<R> {
        let i = self.next;
        if i >= self.items.len() {
            return None;
        }
        self.next += 1;
        if i.is_multiple_of(CHUNK) {
            let n = self.results.len();
            let chunk = (n > 0)
                .then(|| self.results[(i / CHUNK) % n].recv().ok())
                .flatten();
            // The worker is gone (it panicked): its items are mapped here.
            self.ready = chunk.unwrap_or_default().into_iter();
        }
        Some(self.ready.next().unwrap_or_else(|| (self.f)(&self.items[i])))
    }
}

impl<T, R> Drop for Ordered<T, R> {
    fn drop(&mut self) {
        // Closing the channels stops the workers at their next chunk.
        self.results.clear();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

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
    fn ordered_hands_back_every_result_in_order() {
        for len in [0, 1, 7, 8, 9, 100, 1001] {
            let got: Vec<usize> = ordered((0..len).collect(), |x: &usize| x * 3).collect();
            assert_eq!(got, (0..len).map(|x| x * 3).collect::<Vec<_>>(), "{len} items");
        }
        // Dropped half-way: the workers stop, nothing hangs.
        let mut it = ordered((0..10_000).collect(), |x: &usize| *x);
        assert_eq!(it.nth(20), Some(20));
        drop(it);
    }

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
