//! doppel's product concierge: recognise what the shopper owns, keep it cared for,
//! explain errors and answer questions — entirely on the device.
//!
//! Pure logic (no file I/O, no clock, no threads): a knowledge pack is loaded from
//! in-memory JSON ([`Pack::from_files`]), every function that needs "today" takes it as
//! an argument, and all results are serde-serialisable for the web UI and the CLI.

pub mod date;
pub mod gs1;
pub mod identify;
pub mod text;

pub use date::{Date, DateError};
pub use text::Lang;
pub mod care;
pub mod json;
pub mod pack;
pub mod report;
pub mod rerank;
pub mod samples;
pub mod search;
pub mod serial;

pub use care::{CareDone, TaskState, TaskStatus};
pub use identify::{Identification, IdentifyError};
pub use json::Issue;
pub use pack::{Pack, PackErrors, Product, Text};
pub use samples::LoadError;
pub use search::{Answer, AskError, AskOptions};
