//! Reservations of guest address space (VirtualAlloc, heap segments, large heap blocks).
//! Placement is first-fit from fixed areas, so the same program gets the same addresses.

use crate::layout::VIRTUAL_ALLOC_AREA;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionKind {
    Image,
    Stack,
    Heap,
    Private,
    Teb,
    Peb,
    SharedUserData,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub base: u64,
    pub size: u64,
    pub kind: RegionKind,
}

/// Granularity of reservations, as on Windows.
pub const ALLOCATION_GRANULARITY: u64 = 0x1_0000;
/// Total bytes a guest may reserve; a runaway allocation loop fails cleanly instead of
/// exhausting host memory.
pub const RESERVE_LIMIT: u64 = 0x4000_0000;

#[derive(Debug, Default, Clone)]
pub struct AddressSpace {
    regions: Vec<Region>,
}

impl AddressSpace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a region placed at a fixed address by the loader or process setup.
    pub fn add_fixed(&mut self, base: u64, size: u64, kind: RegionKind) {
        self.regions.push(Region { base, size, kind });
        self.regions.sort_by_key(|r| r.base);
    }

    fn reserved_total(&self) -> u64 {
        self.regions.iter().filter(|r| matches!(r.kind, RegionKind::Private | RegionKind::Heap)).map(|r| r.size).sum()
    }

    /// Reserves `size` bytes (rounded up to the granularity) at the first free address at or
    /// above `VIRTUAL_ALLOC_AREA` (or exactly at `at`), aligned to `align`.
    pub fn reserve(&mut self, at: Option<u64>, size: u64, align: u64, kind: RegionKind) -> Option<u64> {
        let size = size.max(1).div_ceil(ALLOCATION_GRANULARITY) * ALLOCATION_GRANULARITY;
        if self.reserved_total() + size > RESERVE_LIMIT {
            return None;
        }
        let align = align.max(ALLOCATION_GRANULARITY);
        let base = match at {
            Some(a) => {
                if a % ALLOCATION_GRANULARITY != 0 || self.overlaps(a, size) {
                    return None;
                }
                a
            }
            None => {
                let mut cand = VIRTUAL_ALLOC_AREA;
                loop {
                    cand = cand.div_ceil(align) * align;
                    match self.regions.iter().find(|r| cand < r.base + r.size && cand + size > r.base) {
                        Some(r) => cand = r.base + r.size,
                        None => break cand,
                    }
                }
            }
        };
        self.add_fixed(base, size, kind);
        Some(base)
    }

    pub fn overlaps(&self, base: u64, size: u64) -> bool {
        self.regions.iter().any(|r| base < r.base + r.size && base + size > r.base)
    }

    pub fn release(&mut self, base: u64) -> Option<Region> {
        let i = self.regions.iter().position(|r| r.base == base)?;
        Some(self.regions.remove(i))
    }

    pub fn find(&self, addr: u64) -> Option<&Region> {
        self.regions.iter().find(|r| addr >= r.base && addr < r.base + r.size)
    }

    pub fn regions(&self) -> &[Region] {
        &self.regions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_fit_is_deterministic_and_aligned() {
        let mut a = AddressSpace::new();
        let x = a.reserve(None, 0x1000, 0, RegionKind::Private).unwrap();
        let y = a.reserve(None, 0x23000, 0, RegionKind::Private).unwrap();
        assert_eq!(x, VIRTUAL_ALLOC_AREA);
        assert_eq!(y, VIRTUAL_ALLOC_AREA + 0x10000);
        a.release(x);
        assert_eq!(a.reserve(None, 0x8000, 0, RegionKind::Private), Some(x));
        assert_eq!(a.reserve(Some(y), 0x1000, 0, RegionKind::Private), None);
    }

    #[test]
    fn reservations_are_bounded() {
        let mut a = AddressSpace::new();
        assert!(a.reserve(None, RESERVE_LIMIT + 1, 0, RegionKind::Private).is_none());
    }
}
