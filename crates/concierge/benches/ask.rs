//! Answer latency benchmark (work in progress).
fn main() {}
