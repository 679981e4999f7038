//! Stepwise engine: everything the desktop app and the CLI do, with no UI
//! and no async runtime. The stages, each a module:
//!
//! import -> store -> index -> analyse (funnel, segment, stats) -> chart -> report
//!
//! See docs/architecture.md.

pub mod bottleneck;
pub mod calendar;
pub mod chart;
pub mod clickhouse;
pub mod column;
pub mod compare;
pub mod csv_out;
pub mod dropoff;
pub mod error;
pub mod filter;
pub mod funnel;
pub mod generate;
pub mod impact;
pub mod import;
pub mod index;
pub mod job;
pub mod model;
pub mod paths;
pub use report::present;
pub mod report;
pub mod retention;
pub mod saved;
pub mod segment;
pub mod session;
pub mod stats;
pub mod store;
pub mod summary;
pub mod value;

pub use error::{Error, ErrorCode, ErrorInfo, Location, Result};
pub use job::{CancelToken, Job};
pub use model::*;
pub use store::Workspace;
