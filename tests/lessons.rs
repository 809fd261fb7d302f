//! Every lesson under lessons/ runs its commands.txt against its guest, and every output
//! block in its README.md appears verbatim in that transcript, so lessons never show
//! output crtlab does not print.

mod common;

fn check_lesson(dir: &str, guest: &str) {
    let root = common::root().join("lessons").join(dir);
    let commands = std::fs::read_to_string(root.join("commands.txt")).unwrap();
    let transcript = common::transcript(guest, &commands);
    insta::assert_snapshot!(dir, transcript);
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut in_block = false;
    let mut block = String::new();
    let mut checked = 0;
    for line in readme.lines() {
        if line.starts_with("```") {
            if in_block {
                assert!(transcript.contains(&block), "lessons/{dir}/README.md shows output crtlab does not print:\n{block}");
                checked += 1;
                block.clear();
            }
            in_block = !in_block;
            continue;
        }
        if in_block {
            block.push_str(line);
            block.push('\n');
        }
    }
    assert!(checked > 0);
}

#[test]
fn lesson_01_allocations() {
    check_lesson("01-allocations", "guests/allocate.exe");
}

#[test]
fn lesson_02_debug_heap() {
    check_lesson("02-debug-heap", "guests/allocate_d.exe");
}

/// The lesson player runs every lesson to the end, prose and live output interleaved.
#[test]
fn the_player_plays_every_lesson() {
    for dir in ["01-allocations", "02-debug-heap", "03-heap-corruption"] {
        let path = common::root().join("lessons").join(dir);
        let mut out = Vec::new();
        crtlab::frontend::lesson::play(&path, false, &mut out).unwrap_or_else(|e| panic!("{dir}: {e:#}"));
        let text = String::from_utf8(out).unwrap();
        let readme = std::fs::read_to_string(path.join("README.md")).unwrap();
        for heading in readme.lines().filter(|l| l.starts_with('#')) {
            assert!(text.contains(heading), "{dir}: missing {heading}");
        }
        let last = std::fs::read_to_string(path.join("commands.txt")).unwrap().lines().last().unwrap().to_string();
        assert!(text.contains(&format!("0:000> {last}\n")), "{dir}: the last command ran");
    }
}

#[test]
fn lesson_03_heap_corruption() {
    check_lesson("03-heap-corruption", "guests/tests/heap_overrun.exe");
}
