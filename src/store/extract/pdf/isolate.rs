//! Extraction in a child process of the app's own binary, so that a hostile or
//! broken PDF meets real limits: the operating system caps the child's memory
//! (address space) and CPU time, and the parent kills it at the deadline. A
//! thread could do neither: `catch_unwind` and a deadline on a thread leave a
//! runaway parse running and allocating inside the app.
//!
//! The child is the same executable started with `MARGINALIA_PDF_WORKER` set;
//! its `main` hands over to [`worker_main`] before anything else. The PDF goes
//! in on standard input, the result comes back as JSON on standard output.
//! Where no child can be started (no executable path, not Unix), the extraction
//! runs on a thread as [`super::extract`] does.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{Limits, PdfError, PdfText};

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
}

/// Extracts in a child process of the running executable, under memory and CPU
/// limits; on a thread where no child can be started. Only for an executable
/// whose `main` calls [`worker_main`] first (the app): any other would run
/// itself in the child, and answer nothing the parent can read.
pub fn extract_isolated(bytes: &[u8], limits: &Limits, first_page_only: bool) -> Result<PdfText, PdfError> {
    // A worker never starts another: whatever runs here is already held to limits.
    let is_worker = std::env::var_os(WORKER_ENV).is_some();
    match std::env::current_exe() {
        Ok(exe) if cfg!(unix) && !is_worker && CAN_BE_WORKER.load(std::sync::atomic::Ordering::Relaxed) => {
            extract_with_worker(&exe, bytes, limits, first_page_only)
        }
        _ => fallback(bytes, limits, first_page_only),
    }
}

fn fallback(bytes: &[u8], limits: &Limits, first_page_only: bool) -> Result<PdfText, PdfError> {
    if first_page_only {
        super::extract_first_page(bytes, limits)
    } else {
        super::extract(bytes, limits)
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
    if bytes.len() as u64 > limits.max_bytes {
        return Err(PdfError::TooLarge);
    }
    let job = serde_json::to_string(&Job {
        limits: limits.clone(),
        first_page_only,
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
        return fallback(bytes, limits, first_page_only);
    };
    let deadline = Instant::now() + Duration::from_millis(limits.max_millis) + STARTUP;
    let (Some(mut stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return fallback(bytes, limits, first_page_only);
    };
    let input = bytes.to_vec();
    // Writing and reading on their own threads: a child that stops reading
    // (it crashed, or it is writing) must not block the other direction.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        let _ = tx.send(out);
    });
    let output = rx.recv_timeout(deadline.saturating_duration_since(Instant::now()));
    let timed_out = output.is_err();
    if timed_out {
        let _ = child.kill();
    }
    let status = child.wait();
    let _ = writer.join();
    if timed_out {
        return Err(PdfError::TimedOut);
    }
    let output = output.unwrap_or_default();
    if let Ok(result) = serde_json::from_slice::<Result<PdfText, PdfError>>(&output) {
        return result;
    }
    Err(died(status.ok()))
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
        });
    // A panic is answered as a damaged file, not printed.
    std::panic::set_hook(Box::new(|_| {}));
    set_limits(&job.limits);
    let mut bytes = Vec::new();
    let read = std::io::stdin()
        .take(job.limits.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes);
    let deadline = Instant::now() + Duration::from_millis(job.limits.max_millis);
    let result = match read {
        Err(e) => Err(PdfError::Damaged(format!("it could not be read: {e}"))),
        Ok(_) => std::panic::catch_unwind(|| {
            super::run(&bytes, &job.limits, deadline, job.first_page_only.then_some(1))
        })
        .unwrap_or_else(|_| Err(PdfError::Damaged("its structure could not be followed".into()))),
    };
    let json = serde_json::to_vec(&result).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    Some(if out.write_all(&json).and_then(|()| out.flush()).is_ok() {
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
