//! The breakpoint list. A breakpoint is a unicorn code hook on its one address while it is
//! enabled and resolved; nothing else about the guest's code is hooked.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Resolved(u64),
    /// `bu`, or a `bp` whose expression did not resolve: kept as text.
    Deferred,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakpoint {
    pub id: u32,
    pub enabled: bool,
    pub location: Location,
    /// The address expression as typed (shown for deferred breakpoints).
    pub expression: String,
    /// Passes left before it breaks, and the initial count (`bl`'s `0001 (0001)`).
    pub passes_left: u32,
    pub passes: u32,
    /// Commands run when it hits.
    pub command: Option<String>,
    /// `/1`: deleted after it fires.
    pub one_shot: bool,
}

#[derive(Debug, Default, Clone)]
pub struct BreakpointList {
    items: Vec<Breakpoint>,
}

impl BreakpointList {
    pub fn iter(&self) -> impl Iterator<Item = &Breakpoint> {
        self.items.iter()
    }

    pub fn get(&self, id: u32) -> Option<&Breakpoint> {
        self.items.iter().find(|b| b.id == id)
    }

    pub fn get_mut(&mut self, id: u32) -> Option<&mut Breakpoint> {
        self.items.iter_mut().find(|b| b.id == id)
    }

    /// The lowest unused id (ids are reused after `bc`, as in WinDbg).
    pub fn free_id(&self) -> u32 {
        (0..).find(|i| self.get(*i).is_none()).unwrap_or(0)
    }

    /// Inserts or replaces (by id), keeping the list sorted by id.
    pub fn put(&mut self, bp: Breakpoint) {
        self.items.retain(|b| b.id != bp.id);
        let pos = self.items.partition_point(|b| b.id < bp.id);
        self.items.insert(pos, bp);
    }

    pub fn remove(&mut self, id: u32) -> Option<Breakpoint> {
        let i = self.items.iter().position(|b| b.id == id)?;
        Some(self.items.remove(i))
    }

    /// The breakpoint already at this address, if any (for "breakpoint N redefined").
    pub fn at_address(&self, addr: u64) -> Option<u32> {
        self.items.iter().find(|b| b.location == Location::Resolved(addr)).map(|b| b.id)
    }

    pub fn with_expression(&self, expr: &str) -> Option<u32> {
        self.items.iter().find(|b| b.location == Location::Deferred && b.expression.eq_ignore_ascii_case(expr)).map(|b| b.id)
    }

    /// Enabled breakpoints at `addr`, lowest id first.
    pub fn enabled_at(&self, addr: u64) -> Vec<u32> {
        self.items.iter().filter(|b| b.enabled && b.location == Location::Resolved(addr)).map(|b| b.id).collect()
    }

    /// Every address that needs a hook.
    pub fn hooked_addresses(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self
            .items
            .iter()
            .filter(|b| b.enabled)
            .filter_map(|b| match b.location {
                Location::Resolved(a) => Some(a),
                Location::Deferred => None,
            })
            .collect();
        v.sort();
        v.dedup();
        v
    }

    pub fn ids(&self) -> Vec<u32> {
        self.items.iter().map(|b| b.id).collect()
    }
}

/// Parses a breakpoint id list: `3`, `1 2`, `1,2`, `1-3`, `*`. Ids are hex, as in WinDbg.
/// Returns the ids (those that exist) or the byte index of the first bad character.
pub fn parse_id_list(text: &str, existing: &[u32]) -> Result<Vec<u32>, usize> {
    let mut out = Vec::new();
    let t = text.trim();
    if t == "*" {
        return Ok(existing.to_vec());
    }
    let offset = text.len() - text.trim_start().len();
    let mut i = 0;
    let b = t.as_bytes();
    while i < b.len() {
        while i < b.len() && (b[i] == b' ' || b[i] == b',' || b[i] == b'\t') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_hexdigit() {
            i += 1;
        }
        if start == i {
            return Err(offset + i);
        }
        let lo = u32::from_str_radix(&t[start..i], 16).map_err(|_| offset + i - 1)?;
        let mut hi = lo;
        if i < b.len() && b[i] == b'-' {
            i += 1;
            let s2 = i;
            while i < b.len() && b[i].is_ascii_hexdigit() {
                i += 1;
            }
            if s2 == i {
                return Err(offset + i.min(b.len().saturating_sub(1)));
            }
            hi = u32::from_str_radix(&t[s2..i], 16).map_err(|_| offset + i - 1)?;
        }
        if i < b.len() && !matches!(b[i], b' ' | b',' | b'\t') {
            return Err(offset + i);
        }
        for id in lo..=hi.min(lo.saturating_add(0x1000)) {
            if existing.contains(&id) && !out.contains(&id) {
                out.push(id);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_lists() {
        let ex = [0, 1, 2, 3, 0x10];
        assert_eq!(parse_id_list("3", &ex), Ok(vec![3]));
        assert_eq!(parse_id_list("1 2", &ex), Ok(vec![1, 2]));
        assert_eq!(parse_id_list("1,3", &ex), Ok(vec![1, 3]));
        assert_eq!(parse_id_list("1-3", &ex), Ok(vec![1, 2, 3]));
        assert_eq!(parse_id_list("*", &ex), Ok(ex.to_vec()));
        assert_eq!(parse_id_list("10", &ex), Ok(vec![0x10]));
        assert_eq!(parse_id_list("7", &ex), Ok(vec![]));
        assert!(parse_id_list("x", &ex).is_err());
    }

    #[test]
    fn ids_are_reused() {
        let mut l = BreakpointList::default();
        for id in 0..3 {
            l.put(Breakpoint {
                id,
                enabled: true,
                location: Location::Resolved(0x1000 + u64::from(id)),
                expression: String::new(),
                passes_left: 1,
                passes: 1,
                command: None,
                one_shot: false,
            });
        }
        l.remove(1);
        assert_eq!(l.free_id(), 1);
        assert_eq!(l.at_address(0x1002), Some(2));
        assert_eq!(l.hooked_addresses(), vec![0x1000, 0x1002]);
    }
}
