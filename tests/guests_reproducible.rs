//! The committed guests are exactly what guests/build.sh produces from their sources.
//! Needs the guest toolchain (clang-19, lld-19, llvm-19: scripts/setup.sh installs it, and
//! CI always has it). Without it the test says so and passes, since users who only run the
//! committed guests do not need a cross compiler.

use std::process::Command;

#[test]
fn rebuilding_the_guests_gives_the_committed_bytes() {
    let root = env!("CARGO_MANIFEST_DIR");
    let have = |t: &str| Command::new("sh").arg("-c").arg(format!("command -v {t}")).output().map(|o| o.status.success()).unwrap_or(false);
    if !(have("clang-19") && have("lld-link-19")) {
        if std::env::var_os("CI").is_some() || std::env::var_os("CRTLAB_REQUIRE_GUEST_TOOLCHAIN").is_some() {
            panic!("clang-19/lld-link-19 are required here (run scripts/setup.sh)");
        }
        eprintln!("skipped: clang-19/lld-link-19 not installed (scripts/setup.sh installs them)");
        return;
    }
    let out = Command::new("bash").arg(format!("{root}/guests/build.sh")).arg("--check").current_dir(root).output().expect("build.sh runs");
    assert!(
        out.status.success(),
        "guests/build.sh --check failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
