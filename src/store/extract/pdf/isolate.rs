//! Extraction in a child process of the app's own binary, so that a hostile or
//! broken PDF meets real limits: the operating system caps the child's memory
//! (address space) and CPU time, and the parent kills it at the deadline. A
//! thread could do neither: `catch_unwind` and a deadline on a thread leave a
//! runaway parse running and allocating inside the app.
//!
//! The child is the same executable started with `MARGINALIA_PDF_WORKER` set;
//! its `main` hands over to [`worker_main`] before anything else. The PDF goes
//! in on standard input; on standard output come lines of JSON, the first page
//! (when asked for, and more pages follow) and then the result.
//! Where no child can be started (no executable path, not Unix), the extraction
//! runs on a thread as [`super::extract`] does.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{Limits, PdfError, PdfText, Progress};

/// Set by [`worker_main`] in a program that can be its own worker (the app):
/// only such a program is started again as a child. Any other (a test
/// program, a tool linking the library) would run itself in the child.
static CAN_BE_WORKER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Set in the child's environment: run as the extraction worker.
const WORKER_ENV: &str = "MARGINALIA_PDF_WORKER";
/// The limits and what to extract, as JSON, in the child's environment.
const JOB_ENV: &str = "MARGINALIA_PDF_JOB";
/// Starting a process and loading the binary, on top of the extraction's own time.
const STARTUP: Duration = Duration::from_secs(2);

#[derive(serde::Serialize, serde::Deserialize)]
struct Job {
    limits: Limits,
    first_page_only: bool,
    /// Send the first page as soon as it is read.
    #[serde(default)]
    preview: bool,
}

/// Extracts in a child process of the running executable, under memory and CPU
/// limits; on a thread where no child can be started. Only for an executable
/// whose `main` calls [`worker_main`] first (the app): any other would run
/// itself in the child, and answer nothing the parent can read.
pub fn extract_isolated(bytes: &[u8], limits: &Limits, first_page_only: bool) -> Result<PdfText, PdfError> {
    isolated(bytes, limits, first_page_only, None)
}

/// [`extract_isolated`] of the whole text, handing `first` the first page as
/// soon as the child has read it (not called for a PDF of one page).
pub fn extract_isolated_previewing(
    bytes: &[u8],
    limits: &Limits,
    first: &mut dyn FnMut(PdfText),
) -> Result<PdfText, PdfError> {
    isolated(bytes, limits, false, Some(first))
}

fn isolated(
    bytes: &[u8],
    limits: &Limits,
    first_page_only: bool,
    first: Option<&mut dyn FnMut(PdfText)>,
) -> Result<PdfText, PdfError> {
    // A worker never starts another: whatever runs here is already held to limits.
    let is_worker = std::env::var_os(WORKER_ENV).is_some();
    match std::env::current_exe() {
        Ok(exe) if cfg!(unix) && !is_worker && CAN_BE_WORKER.load(std::sync::atomic::Ordering::Relaxed) => {
            with_worker(&exe, bytes, limits, first_page_only, first)
        }
        _ => fallback(bytes, limits, first_page_only, first),
    }
}

fn fallback(
    bytes: &[u8],
    limits: &Limits,
    first_page_only: bool,
    first: Option<&mut dyn FnMut(PdfText)>,
) -> Result<PdfText, PdfError> {
    match (first_page_only, first) {
        (true, _) => super::extract_first_page(bytes, limits),
        (false, Some(f)) => super::extract_previewing(bytes, limits, f),
        (false, None) => super::extract(bytes, limits),
    }
}

/// Extracts in a child process running `worker`, an executable whose `main`
/// calls [`worker_main`] first.
pub fn extract_with_worker(
    worker: &Path,
    bytes: &[u8],
    limits: &Limits,
    first_page_only: bool,
) -> Result<PdfText, PdfError> {
    with_worker(worker, bytes, limits, first_page_only, None)
}

/// [`extract_with_worker`] of the whole text, handing `first` the first page
/// as soon as the child has read it (not called for a PDF of one page).
pub fn extract_with_worker_previewing(
    worker: &Path,
    bytes: &[u8],
    limits: &Limits,
    first: &mut dyn FnMut(PdfText),
) -> Result<PdfText, PdfError> {
    with_worker(worker, bytes, limits, false, Some(first))
}

fn with_worker(
    worker: &Path,
    bytes: &[u8],
    limits: &Limits,
    first_page_only: bool,
    mut first: Option<&mut dyn FnMut(PdfText)>,
) -> Result<PdfText, PdfError> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(PdfError::TooLarge);
    }
    let job = serde_json::to_string(&Job {
        limits: limits.clone(),
        first_page_only,
        preview: first.is_some(),
    })
    .unwrap_or_default();
    let spawned = Command::new(worker)
        .env(WORKER_ENV, "1")
        .env(JOB_ENV, job)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = spawned else {
        return fallback(bytes, limits, first_page_only, first);
    };
    let deadline = Instant::now() + Duration::from_millis(limits.max_millis) + STARTUP;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return fallback(bytes, limits, first_page_only, first);
    };
    let input = bytes.to_vec();
    // Writing and reading on their own threads: a child that stops reading
    // (it crashed, or it is writing) must not block the other direction.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    // One JSON message a line (JSON escapes the line breaks inside strings).
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout);
        loop {
            let mut line = Vec::new();
            match lines.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            }
        }
    });
    let mut result = None;
    let mut timed_out = false;
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => match serde_json::from_slice::<Progress>(&line) {
                Ok(Progress::FirstPage(t)) => {
                    if let Some(f) = first.as_mut() {
                        f(t);
                    }
                }
                Ok(Progress::Done(r)) => {
                    result = Some(r);
                    break;
                }
                Err(_) => break,
            },
            Err(mpsc::RecvTimeoutError::Timeout) => {
                timed_out = true;
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    if timed_out {
        let _ = child.kill();
    }
    let status = child.wait();
    let _ = writer.join();
    if timed_out {
        return Err(PdfError::TimedOut);
    }
    match result {
        Some(r) => r,
        None => Err(died(status.ok())),
    }
}

/// What a child that left no result died of.
fn died(status: Option<std::process::ExitStatus>) -> PdfError {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.and_then(|s| s.signal())
            && (signal == libc::SIGXCPU || signal == libc::SIGKILL)
        {
            return PdfError::TimedOut;
        }
    }
    let _ = status;
    PdfError::Damaged("reading it needed more memory than allowed, or its structure is broken".into())
}

/// In the worker child: does the extraction the parent asked for and returns
/// the exit code; `None` in any other process. Call it first thing in `main`.
pub fn worker_main() -> Option<ExitCode> {
    if std::env::var_os(WORKER_ENV).is_none() {
        CAN_BE_WORKER.store(true, std::sync::atomic::Ordering::Relaxed);
        return None;
    }
    let job: Job = std::env::var(JOB_ENV)
        .ok()
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or(Job {
            limits: Limits::default(),
            first_page_only: false,
            preview: false,
        });
    // A panic is answered as a damaged file, not printed.
    std::panic::set_hook(Box::new(|_| {}));
    set_limits(&job.limits);
    let mut bytes = Vec::new();
    let read = std::io::stdin()
        .take(job.limits.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes);
    let deadline = Instant::now() + Duration::from_millis(job.limits.max_millis);
    let out = std::sync::Mutex::new(std::io::stdout().lock());
    let send = |p: &Progress| {
        let mut line = serde_json::to_vec(p).unwrap_or_default();
        line.push(b'\n');
        let mut out = out.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        out.write_all(&line).and_then(|()| out.flush()).is_ok()
    };
    let mut send_first = |t: PdfText| {
        send(&Progress::FirstPage(t));
    };
    let result = match read {
        Err(e) => Err(PdfError::Damaged(format!("it could not be read: {e}"))),
        Ok(_) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let first: Option<&mut dyn FnMut(PdfText)> =
                if job.preview { Some(&mut send_first) } else { None };
            super::run(
                &bytes,
                &job.limits,
                deadline,
                job.first_page_only.then_some(1),
                first,
            )
        }))
        .unwrap_or_else(|_| Err(PdfError::Damaged("its structure could not be followed".into()))),
    };
    Some(if send(&Progress::Done(result)) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Caps the worker's address space, CPU time and core dumps.
#[cfg(unix)]
fn set_limits(limits: &Limits) {
    let set = |resource, soft: u64, hard: u64| {
        let lim = libc::rlimit {
            rlim_cur: soft as libc::rlim_t,
            rlim_max: hard as libc::rlim_t,
        };
        // SAFETY: setrlimit only reads the struct passed by reference.
        unsafe { libc::setrlimit(resource, &lim) };
    };
    let cpu = limits.max_millis.div_ceil(1000) + 1;
    set(libc::RLIMIT_CPU, cpu, cpu + 1);
    set(libc::RLIMIT_AS, limits.max_memory, limits.max_memory);
    set(libc::RLIMIT_CORE, 0, 0);
}

#[cfg(not(unix))]
fn set_limits(_limits: &Limits) {}
