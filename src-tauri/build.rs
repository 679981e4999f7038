fn main() {
    // The config sits at the repository root; the capabilities beside the
    // shell's sources.
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/**/*"),
    )
    .expect("tauri-build failed");
}
