//! Strips comments, indentation and blank lines from the WGSL shaders at build time: the
//! browser wasm embeds the shader text, and the comments are a third of its bytes
//! (BENCHMARKS.md, "Web bundle sizes"). WGSL has no string literals, so every `//` starts
//! a comment; block comments are refused here rather than half-stripped.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for name in ["shader.wgsl", "shadow.wgsl"] {
        let src = format!("src/{name}");
        println!("cargo::rerun-if-changed={src}");
        let text = std::fs::read_to_string(&src).expect("shader source is readable");
        assert!(
            !text.contains("/*"),
            "{src}: block comments are not stripped; use //"
        );
        let mut min = String::with_capacity(text.len());
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("").trim();
            if !code.is_empty() {
                min.push_str(code);
                min.push('\n');
            }
        }
        std::fs::write(out.join(name), min).expect("OUT_DIR is writable");
    }
}
