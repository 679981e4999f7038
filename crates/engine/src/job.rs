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
