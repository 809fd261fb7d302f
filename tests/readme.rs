//! The README's "A real session" block is exactly what crtlab prints for the command the
//! README gives, so the README never shows output crtlab does not produce.

mod common;

#[test]
fn readme_session_is_real_output() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let at = readme.find("## A real session").expect("README has a session");
    let open = readme[at..].find("```\n").map(|i| at + i + 4).unwrap();
    let close = readme[open..].find("```").map(|i| open + i).unwrap();
    let block = &readme[open..close];
    let t = common::transcript(
        "guests/allocate.exe",
        "g; bp allocate!alloc_malloc; bp ntdll!rtlallocateheap; bl; g; g; k; r rcx; r r8; !heap",
    );
    assert_eq!(block, t);
}
