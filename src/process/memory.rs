//! Guest memory access, independent of the CPU emulator so that the heap and the
//! debugger can be unit-tested against a plain in-memory implementation.

use thiserror::Error;

/// Page protection, as the emulated process sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prot {
    pub read: bool,
    pub write: bool,
    pub exec: bool,
}

impl Prot {
    pub const NONE: Prot = Prot { read: false, write: false, exec: false };
    pub const R: Prot = Prot { read: true, write: false, exec: false };
    pub const RW: Prot = Prot { read: true, write: true, exec: false };
    pub const RX: Prot = Prot { read: true, write: false, exec: true };
    pub const RWX: Prot = Prot { read: true, write: true, exec: true };
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum MemError {
    #[error("memory at {0:#x} is not readable")]
    Read(u64),
    #[error("memory at {0:#x} is not writable")]
    Write(u64),
    #[error("cannot map {size:#x} bytes at {addr:#x}")]
    Map { addr: u64, size: u64 },
}

pub const PAGE_SIZE: u64 = 0x1000;

/// Byte-level access to the guest address space. Addresses are guest virtual addresses.
pub trait GuestMemory {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemError>;
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemError>;
    /// Commit (map) page-aligned memory, zero-filled.
    fn map(&mut self, addr: u64, size: u64, prot: Prot) -> Result<(), MemError>;
    /// Decommit (unmap) page-aligned memory.
    fn unmap(&mut self, addr: u64, size: u64) -> Result<(), MemError>;
    /// True if every byte of the range is committed.
    fn is_mapped(&self, addr: u64, size: u64) -> bool;

    fn read_u8(&self, addr: u64) -> Result<u8, MemError> {
        let mut b = [0u8; 1];
        self.read(addr, &mut b)?;
        Ok(b[0])
    }
    fn read_u16(&self, addr: u64) -> Result<u16, MemError> {
        let mut b = [0u8; 2];
        self.read(addr, &mut b)?;
        Ok(u16::from_le_bytes(b))
    }
    fn read_u32(&self, addr: u64) -> Result<u32, MemError> {
        let mut b = [0u8; 4];
        self.read(addr, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn read_u64(&self, addr: u64) -> Result<u64, MemError> {
        let mut b = [0u8; 8];
        self.read(addr, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn read_vec(&self, addr: u64, len: usize) -> Result<Vec<u8>, MemError> {
        let mut v = vec![0u8; len];
        self.read(addr, &mut v)?;
        Ok(v)
    }
    fn write_u8(&mut self, addr: u64, v: u8) -> Result<(), MemError> {
        self.write(addr, &[v])
    }
    fn write_u16(&mut self, addr: u64, v: u16) -> Result<(), MemError> {
        self.write(addr, &v.to_le_bytes())
    }
    fn write_u32(&mut self, addr: u64, v: u32) -> Result<(), MemError> {
        self.write(addr, &v.to_le_bytes())
    }
    fn write_u64(&mut self, addr: u64, v: u64) -> Result<(), MemError> {
        self.write(addr, &v.to_le_bytes())
    }
    /// Reads a NUL-terminated byte string of at most `max` bytes.
    fn read_cstr(&self, addr: u64, max: usize) -> Result<Vec<u8>, MemError> {
        let mut out = Vec::new();
        for i in 0..max as u64 {
            let b = self.read_u8(addr + i)?;
            if b == 0 {
                break;
            }
            out.push(b);
        }
        Ok(out)
    }
}

/// A sparse page-granular memory used by unit tests and by tools that do not run code.
#[derive(Default)]
pub struct SparseMemory {
    pages: std::collections::BTreeMap<u64, (Box<[u8; PAGE_SIZE as usize]>, Prot)>,
}

impl SparseMemory {
    pub fn new() -> Self {
        Self::default()
    }
}

impl GuestMemory for SparseMemory {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemError> {
        for (i, b) in buf.iter_mut().enumerate() {
            let a = addr.wrapping_add(i as u64);
            let page = self.pages.get(&(a & !(PAGE_SIZE - 1))).ok_or(MemError::Read(a))?;
            *b = page.0[(a & (PAGE_SIZE - 1)) as usize];
        }
        Ok(())
    }
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemError> {
        for (i, b) in data.iter().enumerate() {
            let a = addr.wrapping_add(i as u64);
            let page = self.pages.get_mut(&(a & !(PAGE_SIZE - 1))).ok_or(MemError::Write(a))?;
            page.0[(a & (PAGE_SIZE - 1)) as usize] = *b;
        }
        Ok(())
    }
    fn map(&mut self, addr: u64, size: u64, prot: Prot) -> Result<(), MemError> {
        if !addr.is_multiple_of(PAGE_SIZE) || !size.is_multiple_of(PAGE_SIZE) {
            return Err(MemError::Map { addr, size });
        }
        let mut a = addr;
        while a < addr + size {
            self.pages.entry(a).or_insert_with(|| (Box::new([0u8; PAGE_SIZE as usize]), prot)).1 = prot;
            a += PAGE_SIZE;
        }
        Ok(())
    }
    fn unmap(&mut self, addr: u64, size: u64) -> Result<(), MemError> {
        let mut a = addr & !(PAGE_SIZE - 1);
        while a < addr + size {
            self.pages.remove(&a);
            a += PAGE_SIZE;
        }
        Ok(())
    }
    fn is_mapped(&self, addr: u64, size: u64) -> bool {
        if size == 0 {
            return true;
        }
        let mut a = addr & !(PAGE_SIZE - 1);
        while a < addr + size {
            if !self.pages.contains_key(&a) {
                return false;
            }
            a += PAGE_SIZE;
        }
        true
    }
}
