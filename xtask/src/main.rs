//! `cargo xtask`: doppel's build, test and serve automation.
fn main() -> anyhow::Result<()> {
    Ok(())
}
