//! One module per subcommand: its arguments and what it does.

pub mod compare;
pub mod connect;
pub mod datasets;
pub mod format;
pub mod funnel;
pub mod generate;
pub mod impact;
pub mod import;
pub mod paths;
pub mod plan;
pub mod report;
pub mod retention;
pub mod save;
pub mod saved;
pub mod segment;
pub mod srm;
pub mod tables;
pub mod tag;
pub mod value;
