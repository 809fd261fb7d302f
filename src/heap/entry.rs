//! `_HEAP_ENTRY`: the 16-byte block header, its XOR encoding and its checksum.
//!
//! Only bytes 8..16 carry heap data (Size, Flags, SmallTagIndex, PreviousSize,
//! SegmentOffset, UnusedBytes). Bytes 0..8 (PreviousBlockPrivateData) belong to the
//! previous block's user area, so the heap never writes them: the key's first qword is 0.

use crate::process::memory::{GuestMemory, MemError};

use super::layout::{self, GRANULARITY, HEAP_ENTRY_BUSY};

/// The decoded second qword of a `_HEAP_ENTRY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeapEntry {
    /// +0x8, in 16-byte units (for virtual blocks: CommitSize − request, in bytes).
    pub size: u16,
    /// +0xA, HEAP_ENTRY_*.
    pub flags: u8,
    /// +0xB, checksum of the three bytes before it.
    pub small_tag_index: u8,
    /// +0xC, in 16-byte units.
    pub previous_size: u16,
    /// +0xE.
    pub segment_offset: u8,
    /// +0xF.
    pub unused_bytes: u8,
}

impl HeapEntry {
    /// A header with a correct checksum.
    pub fn new(size: u16, flags: u8, previous_size: u16, segment_offset: u8, unused_bytes: u8) -> Self {
        let mut e = HeapEntry { size, flags, small_tag_index: 0, previous_size, segment_offset, unused_bytes };
        e.small_tag_index = e.checksum();
        e
    }

    /// What SmallTagIndex must hold: the XOR of Size's two bytes and Flags.
    pub fn checksum(&self) -> u8 {
        (self.size as u8) ^ ((self.size >> 8) as u8) ^ self.flags
    }

    pub fn checksum_ok(&self) -> bool {
        self.small_tag_index == self.checksum()
    }

    pub fn is_busy(&self) -> bool {
        self.flags & HEAP_ENTRY_BUSY != 0
    }

    pub fn size_bytes(&self) -> u64 {
        self.size as u64 * GRANULARITY
    }

    pub fn previous_size_bytes(&self) -> u64 {
        self.previous_size as u64 * GRANULARITY
    }

    /// Bytes not covered by the request (UnusedBytes without crtlab's marker bits).
    pub fn unused(&self) -> u64 {
        (self.unused_bytes & layout::UNUSED_BYTES_MASK) as u64
    }

    pub fn is_internal(&self) -> bool {
        self.unused_bytes & layout::UNUSED_INTERNAL != 0
    }

    pub fn to_u64(self) -> u64 {
        u64::from_le_bytes([
            self.size as u8,
            (self.size >> 8) as u8,
            self.flags,
            self.small_tag_index,
            self.previous_size as u8,
            (self.previous_size >> 8) as u8,
            self.segment_offset,
            self.unused_bytes,
        ])
    }

    pub fn from_u64(v: u64) -> Self {
        let b = v.to_le_bytes();
        HeapEntry {
            size: u16::from_le_bytes([b[0], b[1]]),
            flags: b[2],
            small_tag_index: b[3],
            previous_size: u16::from_le_bytes([b[4], b[5]]),
            segment_offset: b[6],
            unused_bytes: b[7],
        }
    }
}

/// Encodes (or decodes: XOR is its own inverse) the second qword of a header.
pub fn xor_key(raw: u64, key: u64) -> u64 {
    raw ^ key
}

/// The second qword of `_HEAP.Encoding` for a heap at `base`.
///
/// ntdll draws it at random; crtlab derives it from the base so that every run sees the
/// same bytes. As in the x64 capture (S4), the two top bytes (SegmentOffset, UnusedBytes)
/// are 0, so `dt _HEAP_ENTRY` shows the real UnusedBytes. The four checksummed bytes never
/// XOR to 0, so a run of identical bytes written over a header fails the checksum.
pub fn derive_encoding_key(base: u64) -> u64 {
    let mut z = base ^ 0x9E37_79B9_7F4A_7C15;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let mut key = z & 0x0000_FFFF_FFFF_FFFF;
    let b = key.to_le_bytes();
    if b[0] ^ b[1] ^ b[2] ^ b[3] == 0 {
        key ^= 0x5A << 24;
    }
    key
}

/// Reads and decodes the header at `addr` without judging it.
pub fn read_entry<M: GuestMemory + ?Sized>(mem: &M, addr: u64, key: u64) -> Result<HeapEntry, MemError> {
    let raw = mem.read_u64(addr.wrapping_add(layout::entry::SIZE))?;
    Ok(HeapEntry::from_u64(xor_key(raw, key)))
}

/// Encodes and writes the header at `addr` (bytes 8..16 only).
pub fn write_entry<M: GuestMemory + ?Sized>(mem: &mut M, addr: u64, key: u64, e: HeapEntry) -> Result<(), MemError> {
    mem.write_u64(addr + layout::entry::SIZE, xor_key(e.to_u64(), key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::memory::{Prot, SparseMemory};

    #[test]
    fn decodes_the_s4_capture() {
        // dd heap+80: 00000000 00000000 775498ca 000041e2; entry: 725598ce 030040ec.
        let key = 0x0000_41e2_7754_98ca;
        let e = HeapEntry::from_u64(xor_key(0x0300_40ec_7255_98ce, key));
        assert_eq!(e.size, 4);
        assert_eq!(e.flags, 1);
        assert_eq!(e.small_tag_index, 5);
        assert_eq!(e.previous_size, 0x10e);
        assert_eq!(e.segment_offset, 0);
        assert_eq!(e.unused_bytes, 3);
        assert!(e.checksum_ok());
    }

    #[test]
    fn round_trips_through_memory() {
        let mut mem = SparseMemory::new();
        mem.map(0x10000, 0x1000, Prot::RW).unwrap();
        mem.write_u64(0x10100, 0x1122_3344_5566_7788).unwrap();
        let key = derive_encoding_key(0x267a06f0000);
        let e = HeapEntry::new(0x11, HEAP_ENTRY_BUSY, 0x74, 0, 0x41);
        write_entry(&mut mem, 0x10100, key, e).unwrap();
        // PreviousBlockPrivateData is untouched, the stored bytes are encoded.
        assert_eq!(mem.read_u64(0x10100).unwrap(), 0x1122_3344_5566_7788);
        assert_ne!(mem.read_u64(0x10108).unwrap(), e.to_u64());
        let back = read_entry(&mem, 0x10100, key).unwrap();
        assert_eq!(back, e);
        assert!(back.checksum_ok());
        assert_eq!(back.size_bytes(), 0x110);
        assert_eq!(back.unused(), 1);
        assert!(back.is_internal());
    }

    #[test]
    fn key_is_deterministic_and_catches_uniform_overwrites() {
        for base in [0x267a06f0000u64, 0x267a0530000, 0x267a0800000, 0, u64::MAX] {
            let key = derive_encoding_key(base);
            assert_eq!(key, derive_encoding_key(base));
            assert_eq!(key >> 48, 0);
            for fill in 0..=255u8 {
                let e = HeapEntry::from_u64(xor_key(u64::from_le_bytes([fill; 8]), key));
                assert!(!e.checksum_ok(), "fill {fill:#x} passes for base {base:#x}");
            }
        }
    }

    #[test]
    fn checksum_detects_a_flipped_size() {
        let mut e = HeapEntry::new(2, HEAP_ENTRY_BUSY, 0x11, 0, 0x18);
        assert!(e.checksum_ok());
        e.size = 3;
        assert!(!e.checksum_ok());
    }
}
