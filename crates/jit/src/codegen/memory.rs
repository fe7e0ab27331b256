//! The memory compiled code lives in.
//!
//! LLVM's MCJIT lays a compiled module's sections out through a memory manager. Its default
//! one belongs to the execution engine, which must then live as long as the code; an engine
//! (its target machine, its code generator's state) holds some 370 KiB, far more than the
//! few KiB of code and constants a function compiles to. The sections are mapped here instead,
//! into pages that [`CodeMemory`] owns: once the code is finalised, the engine is dropped and
//! only the pages stay, for as long as the code may run.

use inkwell::memory_manager::McjitMemoryManager;
use std::cell::RefCell;
use std::rc::Rc;

/// What a section's pages become once the code is finalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Code,
    ReadOnly,
    ReadWrite,
}

/// One mapping: its start, its length, what it holds and how much of it is handed out.
#[derive(Debug)]
struct Region {
    start: *mut u8,
    len: usize,
    kind: Kind,
    used: usize,
}

/// The pages of one compiled module's sections (code, constants, data), unmapped when dropped.
#[derive(Debug, Default)]
pub struct CodeMemory {
    regions: Vec<Region>,
}

impl CodeMemory {
    /// Bytes mapped.
    pub fn mapped(&self) -> usize {
        self.regions.iter().map(|r| r.len).sum()
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        for r in self.regions.drain(..) {
            // SAFETY: mapped by `Sections::take` and not unmapped since; nothing runs the code
            // any more (its owner drops it when no activation can).
            unsafe { os::unmap(r.start, r.len) };
        }
    }
}

/// The operating system's page mappings.
#[cfg(unix)]
mod os {
    /// The page size.
    pub fn page() -> usize {
        // SAFETY: sysconf has no preconditions.
        usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
            .ok()
            .filter(|&p| p > 0)
            .unwrap_or(4096)
    }

    /// `len` bytes of fresh read-write pages, near `hint` if it can; NULL on failure.
    pub fn map(len: usize, hint: *mut u8) -> *mut u8 {
        // SAFETY: a fresh private anonymous mapping; the hint is only a hint.
        let p = unsafe {
            libc::mmap(
                hint as *mut libc::c_void,
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            std::ptr::null_mut()
        } else {
            p as *mut u8
        }
    }

    /// Makes a mapping executable (`exec`) or read-only.
    ///
    /// # Safety
    /// `start..start + len` is a whole mapping of [`map`].
    pub unsafe fn protect(start: *mut u8, len: usize, exec: bool) -> std::io::Result<()> {
        let prot = if exec {
            libc::PROT_READ | libc::PROT_EXEC
        } else {
            libc::PROT_READ
        };
        // SAFETY: per the caller.
        if unsafe { libc::mprotect(start as *mut libc::c_void, len, prot) } == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }

    /// Unmaps a mapping.
    ///
    /// # Safety
    /// `start..start + len` is a whole mapping of [`map`], no longer used.
    pub unsafe fn unmap(start: *mut u8, len: usize) {
        // SAFETY: per the caller.
        unsafe { libc::munmap(start as *mut libc::c_void, len) };
    }
}

/// The operating system's page mappings.
#[cfg(windows)]
mod os {
    use std::ffi::c_void;

    const MEM_COMMIT_RESERVE: u32 = 0x3000;
    const MEM_RELEASE: u32 = 0x8000;
    const PAGE_READWRITE: u32 = 0x04;
    const PAGE_READONLY: u32 = 0x02;
    const PAGE_EXECUTE_READ: u32 = 0x20;

    extern "system" {
        fn VirtualAlloc(addr: *mut c_void, size: usize, kind: u32, protect: u32) -> *mut c_void;
        fn VirtualProtect(addr: *mut c_void, size: usize, protect: u32, old: *mut u32) -> i32;
        fn VirtualFree(addr: *mut c_void, size: usize, kind: u32) -> i32;
    }

    /// The page size.
    pub fn page() -> usize {
        4096
    }

    /// `len` bytes of fresh read-write pages (the hint is not used); NULL on failure.
    pub fn map(len: usize, _hint: *mut u8) -> *mut u8 {
        // SAFETY: a fresh allocation.
        unsafe {
            VirtualAlloc(
                std::ptr::null_mut(),
                len,
                MEM_COMMIT_RESERVE,
                PAGE_READWRITE,
            ) as *mut u8
        }
    }

    /// Makes a mapping executable (`exec`) or read-only.
    ///
    /// # Safety
    /// `start..start + len` is a whole mapping of [`map`].
    pub unsafe fn protect(start: *mut u8, len: usize, exec: bool) -> std::io::Result<()> {
        let prot = if exec {
            PAGE_EXECUTE_READ
        } else {
            PAGE_READONLY
        };
        let mut old = 0;
        // SAFETY: per the caller.
        if unsafe { VirtualProtect(start as *mut c_void, len, prot, &mut old) } != 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }

    /// Unmaps a mapping.
    ///
    /// # Safety
    /// `start..start + len` is a whole mapping of [`map`], no longer used.
    pub unsafe fn unmap(start: *mut u8, _len: usize) {
        // SAFETY: per the caller.
        unsafe { VirtualFree(start as *mut c_void, 0, MEM_RELEASE) };
    }
}

/// The memory manager MCJIT lays one module out through: each section goes into a mapping of
/// its kind (several sections of a kind share one while they fit), read-write until
/// finalisation, then executable, read-only or left writable.
#[derive(Debug)]
pub struct Sections {
    memory: Rc<RefCell<CodeMemory>>,
}

impl Sections {
    /// A memory manager filling `memory`.
    pub fn new(memory: Rc<RefCell<CodeMemory>>) -> Self {
        Sections { memory }
    }

    fn take(&mut self, size: usize, alignment: u32, kind: Kind) -> *mut u8 {
        let align = (alignment as usize).max(16);
        let mut m = self.memory.borrow_mut();
        if let Some(r) = m.regions.iter_mut().rev().find(|r| r.kind == kind) {
            let at = (r.start as usize + r.used).next_multiple_of(align) - r.start as usize;
            if at + size <= r.len {
                r.used = at + size;
                // SAFETY: inside the mapping.
                return unsafe { r.start.add(at) };
            }
        }
        let page = os::page();
        // (an alignment beyond a page: room to align the start)
        let extra = if align > page { align } else { 0 };
        let len = (size.max(1) + extra).next_multiple_of(page);
        // near the module's other sections, as LLVM's own memory manager asks: 32-bit
        // PC-relative references between them must reach
        let hint = m
            .regions
            .last()
            .map_or(std::ptr::null_mut(), |r| r.start.wrapping_add(r.len));
        let start = os::map(len, hint);
        if start.is_null() {
            return std::ptr::null_mut();
        }
        let at = (start as usize).next_multiple_of(align) - start as usize;
        m.regions.push(Region {
            start,
            len,
            kind,
            used: at + size,
        });
        // SAFETY: inside the mapping.
        unsafe { start.add(at) }
    }
}

impl McjitMemoryManager for Sections {
    fn allocate_code_section(
        &mut self,
        size: libc::uintptr_t,
        alignment: libc::c_uint,
        _section_id: libc::c_uint,
        _section_name: &str,
    ) -> *mut u8 {
        self.take(size, alignment, Kind::Code)
    }

    fn allocate_data_section(
        &mut self,
        size: libc::uintptr_t,
        alignment: libc::c_uint,
        _section_id: libc::c_uint,
        _section_name: &str,
        is_read_only: bool,
    ) -> *mut u8 {
        let kind = if is_read_only {
            Kind::ReadOnly
        } else {
            Kind::ReadWrite
        };
        self.take(size, alignment, kind)
    }

    fn finalize_memory(&mut self) -> Result<(), String> {
        for r in &self.memory.borrow().regions {
            let exec = match r.kind {
                Kind::Code => true,
                Kind::ReadOnly => false,
                Kind::ReadWrite => continue,
            };
            // SAFETY: a mapping of ours, whole.
            unsafe { os::protect(r.start, r.len, exec) }
                .map_err(|e| format!("protecting compiled code failed: {e}"))?;
        }
        Ok(())
    }

    fn destroy(&mut self) {
        // the pages belong to the `CodeMemory`, which outlives the engine
    }
}
