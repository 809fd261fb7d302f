//! The exercise transcript (seeds/000): the whole command sequence against allocate.exe.

mod common;

/// The commands of the seed, after `g` to the manual break in main (the seed's first block
/// starts there).
pub const SEED_COMMANDS: &str = "g
bp allocate!alloc_malloc
bp allocate!alloc_new
bp allocate!alloc_heap
bp ntdll!rtlallocateheap
bl
g
g
k
r rcx
r rdx
r r8
bd 3
bl
g
be 3
g
k
r rcx
r rdx
r r8
bd 3
g
be 3
g
k
r rcx
r rdx
r r8
!heap";

#[test]
fn seed_sequence_snapshot() {
    let t = common::transcript("guests/allocate.exe", SEED_COMMANDS);
    insta::assert_snapshot!(t);
}

#[test]
fn transcripts_are_deterministic() {
    let a = common::transcript("guests/allocate.exe", SEED_COMMANDS);
    let b = common::transcript("guests/allocate.exe", SEED_COMMANDS);
    assert_eq!(a, b);
}
