//! Long jobs (imports, index builds, exports) report progress and can be
//! cancelled from another thread. The engine knows no async runtime: a shell
//! runs the job on a worker thread and forwards progress (a Tauri Channel, a
//! terminal bar).

use crate::model::Progress;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A flag a shell sets to ask a running job to stop. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed)
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
    /// Whether both are the same flag (clones of one token).
    pub fn same(&self, other: &CancelToken) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// What a job is given: where to report, and how to learn it should stop.
pub struct Job<'a> {
    cancel: CancelToken,
    report: Box<dyn FnMut(&Progress) + Send + 'a>,
}

impl<'a> Job<'a> {
    pub fn new(cancel: CancelToken, report: impl FnMut(&Progress) + Send + 'a) -> Self {
        Job {
            cancel,
            report: Box::new(report),
        }
    }
    /// A job nobody watches and nobody cancels.
    pub fn silent() -> Job<'static> {
        Job {
            cancel: CancelToken::new(),
            report: Box::new(|_| {}),
        }
    }
    pub fn report(&mut self, p: &Progress) {
        (self.report)(p)
    }
    /// Err(Cancelled) once the shell has asked to stop.
    pub fn check(&self) -> crate::Result<()> {
        if self.cancel.is_cancelled() {
            Err(crate::Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

// ---- analyses -------------------------------------------------------------
//
// Analyses (funnels, comparisons, reports, exports) are plain functions that
// take no Job: threading one through every signature would touch most of the
// engine. Instead a shell runs an analysis *within* a [`Work`] (a cancel flag
// and a progress sink) installed for the current thread, and the engine's
// long loops call [`checkpoint`] / [`cancelled`] and [`step`]. Threads the
// engine spawns carry the caller's work along ([`current`] + [`within`]).
// Without an installed work every call is a no-op, so the CLI and the tests
// pay nothing.

use std::cell::RefCell;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Progress of an analysis, sent to the app (an event) at most every
/// [`Work::EVERY`] and whenever the stage changes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AnalysisProgress {
    /// What is being done, in words an analyst reads ("Reading the events").
    pub stage: String,
    /// Done so far and in all, in the stage's own unit (chunks, units,
    /// sections); `total` 0 when it is not known.
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

type Sink = Box<dyn Fn(&AnalysisProgress) + Send + Sync>;

/// One running analysis: its cancel flag and where its progress goes.
pub struct Work {
    cancel: CancelToken,
    sink: Sink,
    last: Mutex<(Option<Instant>, String)>,
}

impl Work {
    /// The shortest gap between two reports of the same stage.
    pub const EVERY: Duration = Duration::from_millis(50);

    pub fn new(
        cancel: CancelToken,
        sink: impl Fn(&AnalysisProgress) + Send + Sync + 'static,
    ) -> Arc<Work> {
        Arc::new(Work {
            cancel,
            sink: Box::new(sink),
            last: Mutex::new((None, String::new())),
        })
    }
    pub fn token(&self) -> &CancelToken {
        &self.cancel
    }
    fn step(&self, stage: &str, done: u64, total: u64) {
        let now = Instant::now();
        {
            let mut last = match self.last.lock() {
                Ok(l) => l,
                Err(p) => p.into_inner(),
            };
            let same = last.1 == stage;
            if same && last.0.is_some_and(|t| now.duration_since(t) < Self::EVERY) && done < total {
                return;
            }
            last.0 = Some(now);
            if !same {
                last.1 = stage.to_string();
            }
        }
        (self.sink)(&AnalysisProgress {
            stage: stage.to_string(),
            done,
            total,
        });
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Work>>> = const { RefCell::new(None) };
}

/// Runs `f` with `work` as this thread's current analysis (restored after,
/// also on a panic).
pub fn within<T>(work: Option<Arc<Work>>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Arc<Work>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = prev);
        }
    }
    let prev = CURRENT.with(|c| std::mem::replace(&mut *c.borrow_mut(), work));
    let _restore = Restore(prev);
    f()
}

/// This thread's analysis, to hand to a thread the engine spawns.
pub fn current() -> Option<Arc<Work>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Whether this thread's analysis was asked to stop (cheap: call it in hot
/// loops every few thousand items, then [`checkpoint`] outside them).
pub fn cancelled() -> bool {
    CURRENT.with(|c| c.borrow().as_ref().is_some_and(|w| w.cancel.is_cancelled()))
}

/// Err(Cancelled) once this thread's analysis was asked to stop.
pub fn checkpoint() -> crate::Result<()> {
    if cancelled() {
        Err(crate::Error::Cancelled)
    } else {
        Ok(())
    }
}

/// Reports progress of this thread's analysis (throttled) and checks for a
/// cancel: the usual call at the top of a long loop's iteration.
pub fn step(stage: &str, done: u64, total: u64) -> crate::Result<()> {
    CURRENT.with(|c| {
        if let Some(w) = c.borrow().as_ref() {
            w.step(stage, done, total);
        }
    });
    checkpoint()
}
