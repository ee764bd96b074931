//! The worker threads of exports and imports.
//!
//! - [`ordered`]: loading and rendering (or reading and parsing) documents
//!   ahead, in corpus order, on the cores, the calling thread included.
//! - [`run`]: writing an import's documents into one
//!   [`crate::store::batch::Batch`], in whatever order they finish.

use std::collections::BTreeMap;
use std::sync::mpsc::{channel, sync_channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// Items mapped and handed over at once. Short documents take microseconds
/// each, and every hand-over may wake a thread.
const CHUNK: usize = 8;

/// Chunks mapped ahead of the caller at most: what is held in memory waiting.
const AHEAD: usize = 8;

/// The results of [`ordered`], in the order of its items.
pub(crate) struct Ordered<T, R> {
    shared: Arc<Shared<T, R>>,
    workers: Vec<JoinHandle<()>>,
    /// The rest of the chunk being handed out.
    ready: std::vec::IntoIter<R>,
    /// The chunk to hand out next.
    next_chunk: usize,
}

struct Shared<T, R> {
    items: Vec<T>,
    f: Box<dyn Fn(&T) -> R + Send + Sync>,
    state: Mutex<State<R>>,
    /// Signalled when a chunk is mapped, handed out or given up, and on stop.
    changed: Condvar,
}

struct State<R> {
    /// Chunks below this are taken by a thread (or done).
    claimed: usize,
    /// Chunks below this were handed to the caller.
    consumed: usize,
    /// Chunks mapped and not handed out yet.
    done: BTreeMap<usize, Vec<R>>,
    /// Chunks a worker took and never finished (it panicked).
    abandoned: Vec<usize>,
    stop: bool,
}

impl<T, R> Shared<T, R> {
    fn chunks(&self) -> usize {
        self.items.len().div_ceil(CHUNK)
    }

    fn lock(&self) -> MutexGuard<'_, State<R>> {
        // A panic while the lock is held leaves the state whole (every change is one step).
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes the next chunk, if there is one within [`AHEAD`] of the caller.
    fn claim(&self, state: &mut State<R>) -> Option<usize> {
        let k = state.claimed;
        (k < self.chunks() && k < state.consumed + AHEAD).then(|| {
            state.claimed += 1;
            k
        })
    }

    fn map(&self, k: usize) -> Vec<R> {
        let end = (k * CHUNK + CHUNK).min(self.items.len());
        self.items[k * CHUNK..end].iter().map(|t| (self.f)(t)).collect()
    }
}

/// Gives a worker's chunk up if it is dropped unfinished (the worker panicked),
/// so that the caller maps it instead of waiting for it.
struct Claim<'a, T, R> {
    shared: &'a Shared<T, R>,
    chunk: usize,
    finished: bool,
}

impl<T, R> Drop for Claim<'_, T, R> {
    fn drop(&mut self) {
        if !self.finished {
            self.shared.lock().abandoned.push(self.chunk);
            self.shared.changed.notify_all();
        }
    }
}

/// Maps `items` through `f` a few chunks ahead of the caller, who gets the
/// results in order. One thread per core but one maps; the calling thread
/// maps too whenever the result it needs next is not ready, instead of
/// waiting, so no core idles while the caller writes out what it got (an
/// export's caller writes its whole output). Dropping the iterator stops the
/// workers at their next chunk and waits for them.
pub(crate) fn ordered<T, R>(items: Vec<T>, f: impl Fn(&T) -> R + Send + Sync + 'static) -> Ordered<T, R>
where
    T: Send + Sync + 'static,
    R: Send + 'static,
{
    let shared = Arc::new(Shared {
        items,
        f: Box::new(f),
        state: Mutex::new(State {
            claimed: 0,
            consumed: 0,
            done: BTreeMap::new(),
            abandoned: Vec::new(),
            stop: false,
        }),
        changed: Condvar::new(),
    });
    let helpers = (crate::store::cores() - 1).min(shared.chunks().saturating_sub(1));
    let mut workers = Vec::with_capacity(helpers);
    for _ in 0..helpers {
        let shared = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("marginalia-worker".into())
            .spawn(move || work(&shared));
        match spawned {
            Ok(h) => workers.push(h),
            // No threads to be had: the calling thread maps everything.
            Err(_) => break,
        }
    }
    Ordered {
        shared,
        workers,
        ready: Vec::new().into_iter(),
        next_chunk: 0,
    }
}

/// A worker: takes chunks in order and maps them, until there are none or it is stopped.
fn work<T, R>(shared: &Shared<T, R>) {
    let mut state = shared.lock();
    loop {
        if state.stop || state.claimed >= shared.chunks() {
            return;
        }
        let Some(k) = shared.claim(&mut state) else {
            state = shared
                .changed
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            continue;
        };
        drop(state);
        let mut claim = Claim {
            shared,
            chunk: k,
            finished: false,
        };
        let mapped = shared.map(k);
        state = shared.lock();
        claim.finished = true;
        state.done.insert(k, mapped);
        shared.changed.notify_all();
    }
}

impl<T, R> Ordered<T, R> {
    /// The mapped chunk `k`: taken when ready; otherwise the calling thread
    /// maps it (not taken yet, or given up), or maps another chunk ahead while
    /// a worker finishes it, and waits only when there is nothing to map.
    fn chunk(&mut self, k: usize) -> Vec<R> {
        let shared = &*self.shared;
        let mut state = shared.lock();
        loop {
            if let Some(r) = state.done.remove(&k) {
                state.consumed = k + 1;
                drop(state);
                // Room ahead for the workers again.
                shared.changed.notify_all();
                return r;
            }
            // Everything before `k` was handed out, so `k` is the next to take
            // unless a thread took it.
            let unclaimed = state.claimed == k;
            let given_up = state.abandoned.iter().position(|&c| c == k);
            if let Some(at) = given_up {
                state.abandoned.swap_remove(at);
            }
            if unclaimed || given_up.is_some() {
                if unclaimed {
                    state.claimed += 1;
                }
                state.consumed = k + 1;
                drop(state);
                shared.changed.notify_all();
                return shared.map(k);
            }
            if let Some(j) = shared.claim(&mut state) {
                drop(state);
                let mapped = shared.map(j);
                state = shared.lock();
                state.done.insert(j, mapped);
                continue;
            }
            state = shared
                .changed
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

impl<T, R> Iterator for Ordered<T, R> {
    type Item = R;

    fn next(&mut self) -> Option<R> {
        loop {
            if let Some(r) = self.ready.next() {
                return Some(r);
            }
            let k = self.next_chunk;
            if k >= self.shared.chunks() {
                return None;
            }
            self.next_chunk += 1;
            self.ready = self.chunk(k).into_iter();
        }
    }
}

impl<T, R> Drop for Ordered<T, R> {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.changed.notify_all();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
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
    let (job_tx, job_rx) = sync_channel::<(usize, J)>(2 * crate::store::cores());
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|scope| {
        // Owned by this closure, so dropping it below tells the writers to stop.
        let job_tx = job_tx;
        let (done_tx, done_rx) = channel::<(usize, R)>();
        // One writer per core: writes are not synced one by one (see
        // `store::batch`), so more would only contend for the folder's lock.
        for _ in 0..crate::store::cores() {
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
    fn a_chunk_whose_worker_panicked_is_mapped_by_the_caller() {
        // Every item panics on any thread but the caller's, as a worker's bug would.
        let caller = std::thread::current().id();
        let got: Vec<usize> = ordered((0..1000).collect(), move |x: &usize| {
            assert!(std::thread::current().id() == caller, "a worker fails");
            x + 1
        })
        .collect();
        assert_eq!(got, (1..=1000).collect::<Vec<_>>());
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
