//! A small static HTTP server for the demo and the browser tests (loopback only).
//!
//! It serves `www/dist/` with the headers a real deployment needs: correct MIME types
//! (`application/wasm` for streaming compilation), a strict CSP on the widget's pages
//! (`script-src 'self' 'wasm-unsafe-eval'`, no inline script), and CORS on the catalog,
//! assets and knowledge packs (`/packs/`) so a shop on another origin can embed them.
//!
//! The first server a process starts is the widget's origin; the demo shop's pages
//! (`/shop/…`, on whichever server) get that origin filled in for the placeholder
//! [`WIDGET_PLACEHOLDER`] and a host-page CSP that allows exactly the widget's loader and
//! iframe, as a retailer would configure it.

use anyhow::{Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

/// Text in the demo shop's HTML replaced by the widget origin (`http://127.0.0.1:PORT`).
pub const WIDGET_PLACEHOLDER: &str = "__DOPPEL_WIDGET_ORIGIN__";

/// Origin of the first server started by this process: the widget's.
static WIDGET_ORIGIN: OnceLock<String> = OnceLock::new();

/// CSP of the demo shop's pages: a retailer that allows only its own scripts plus the
/// widget's loader and iframe.
pub fn host_csp(widget: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' {widget}; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; frame-src {widget}; base-uri 'none'; form-action 'self'"
    )
}

/// Content-Security-Policy of every HTML page this server sends.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
frame-src 'self' http://127.0.0.1:* http://localhost:*; base-uri 'none'; form-action 'self'";

/// Starts serving `root` on `addr` in background threads; returns the bound address.
pub fn spawn(root: PathBuf, addr: &str) -> Result<SocketAddr> {
    let listener = TcpListener::bind(addr)
        .with_context(|| format!("cannot listen on {addr} (is another demo running?)"))?;
    let local = listener.local_addr()?;
    let _ = WIDGET_ORIGIN.set(format!("http://{local}"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let _ = handle(stream, &root);
            });
        }
    });
    Ok(local)
}

fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "glb" => "model/gltf-binary",
        "gltf" => "model/gltf+json",
        "bin" => "application/octet-stream",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Maps a URL path to a file under `root`, refusing anything that escapes it.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let path = url_path.split(['?', '#']).next().unwrap_or("/");
    let path = percent_decode(path)?;
    // The catalog is published at /catalog/ (as a retailer's CDN would).
    let path = match path.strip_prefix("/catalog/") {
        Some(rest) => format!("/assets/catalog/{rest}"),
        None => path,
    };
    let rel = Path::new(path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut full = root.join(rel);
    if full.is_dir() || path.ends_with('/') {
        full = full.join("index.html");
    }
    full.is_file().then_some(full)
}

fn handle(stream: TcpStream, root: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the request headers; nothing in them changes the response.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let mut out = stream;
    if method != "GET" && method != "HEAD" && method != "OPTIONS" {
        return respond(
            &mut out,
            "405 Method Not Allowed",
            "text/plain",
            &[],
            b"method not allowed\n",
            false,
        );
    }
    // Knowledge packs are public too: a maker publishes them for any app to read.
    let public = target.starts_with("/catalog/")
        || target.starts_with("/assets/")
        || target.starts_with("/packs/")
        || target == "/doppel.js";
    let mut headers: Vec<(&str, String)> = vec![("Cache-Control", "no-cache".into())];
    if public {
        // Anyone may fetch the catalog and loader (a shop embeds them from this origin).
        headers.push(("Access-Control-Allow-Origin", "*".into()));
    }
    if method == "OPTIONS" {
        headers.push(("Access-Control-Allow-Methods", "GET, HEAD".into()));
        return respond(
            &mut out,
            "204 No Content",
            "text/plain",
            &headers,
            b"",
            false,
        );
    }
    match resolve(root, target) {
        Some(file) => {
            let mut body = std::fs::read(&file)?;
            let ct = mime(&file);
            let shop = target.starts_with("/shop/");
            if shop && let Some(widget) = WIDGET_ORIGIN.get() {
                body = fill_widget_origin(&body, widget);
            }
            if ct.starts_with("text/html") {
                let csp = match WIDGET_ORIGIN.get() {
                    Some(widget) if shop => host_csp(widget),
                    _ => CSP.into(),
                };
                headers.push(("Content-Security-Policy", csp));
                headers.push(("X-Content-Type-Options", "nosniff".into()));
            }
            respond(&mut out, "200 OK", ct, &headers, &body, method == "HEAD")
        }
        None => respond(
            &mut out,
            "404 Not Found",
            "text/plain; charset=utf-8",
            &headers,
            b"not found\n",
            false,
        ),
    }
}

/// Replaces every [`WIDGET_PLACEHOLDER`] in `body` (UTF-8 text) with `widget`.
fn fill_widget_origin(body: &[u8], widget: &str) -> Vec<u8> {
    match std::str::from_utf8(body) {
        Ok(text) if text.contains(WIDGET_PLACEHOLDER) => {
            text.replace(WIDGET_PLACEHOLDER, widget).into_bytes()
        }
        _ => body.to_vec(),
    }
}

fn respond(
    out: &mut TcpStream,
    status: &str,
    content_type: &str,
    headers: &[(&str, String)],
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    if !head_only {
        out.write_all(body)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_path_escapes() {
        let root = std::env::temp_dir();
        assert!(resolve(&root, "/../etc/passwd").is_none());
        assert!(resolve(&root, "/%2e%2e/etc/passwd").is_none());
        assert!(resolve(&root, "/a/%zz").is_none());
    }

    #[test]
    fn fills_widget_origin_in_shop_pages() {
        let html = format!("<script src=\"{WIDGET_PLACEHOLDER}/doppel.js\"></script>");
        let out = fill_widget_origin(html.as_bytes(), "http://127.0.0.1:9");
        assert_eq!(
            String::from_utf8(out).ok().as_deref(),
            Some("<script src=\"http://127.0.0.1:9/doppel.js\"></script>")
        );
        // Binary files pass through untouched.
        assert_eq!(fill_widget_origin(&[0xff, 0x00], "x"), vec![0xff, 0x00]);
        let csp = host_csp("http://127.0.0.1:9");
        assert!(
            csp.contains("script-src 'self' http://127.0.0.1:9;"),
            "{csp}"
        );
        assert!(csp.contains("frame-src http://127.0.0.1:9;"), "{csp}");
    }
}
