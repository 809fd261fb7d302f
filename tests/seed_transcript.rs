//! The exercise transcript (seeds/000): the whole command sequence against allocate.exe.

mod common;

#[test]
fn seed_sequence_snapshot() {
    let t = common::transcript("guests/allocate.exe", &(common::seed_commands("allocate") + "\n!heap"));
    insta::assert_snapshot!(t);
}

#[test]
fn transcripts_are_deterministic() {
    let a = common::transcript("guests/allocate.exe", &(common::seed_commands("allocate") + "\n!heap"));
    let b = common::transcript("guests/allocate.exe", &(common::seed_commands("allocate") + "\n!heap"));
    assert_eq!(a, b);
}
