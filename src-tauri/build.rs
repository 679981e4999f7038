use std::path::Path;

fn main() {
    // `cargo build --workspace` on a fresh clone compiles the desktop shell
    // before anyone ran `npm run build`; Tauri embeds ui/dist at compile
    // time, so give it a page that says what to do instead of failing.
    // `make run`, `make test` and `tauri build` build the real front end.
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/dist");
    if !dist.join("index.html").exists() {
        let _ = std::fs::create_dir_all(&dist);
        let _ = std::fs::write(
            dist.join("index.html"),
            "<!doctype html><meta charset=utf-8><title>Stepwise</title>\
             <p style=\"font-family:sans-serif;margin:3em\">The Stepwise front end was not built. \
             Run <code>make run</code> (or <code>npm ci --prefix ui &amp;&amp; npm run build --prefix ui</code>) and build again.</p>",
        );
    }
    println!("cargo:rerun-if-changed=ui/dist/index.html");
    // The config sits at the repository root; the capabilities beside the
    // shell's sources.
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/**/*"),
    )
    .expect("tauri-build failed");
}
