//! The binary's heap: mimalloc, counting the bytes in use and their high-water mark, so that
//! `workbench bench` can report each model's peak memory.
//!
//! Why not the system allocator: a training step allocates and frees tensors of hundreds of
//! kilobytes; glibc's malloc hands blocks that large to the kernel (`mmap`) and back (`munmap`)
//! every time, so each step pays page faults on fresh zeroed pages (~20 % of an Elman RNN step
//! under `perf`). mimalloc keeps freed blocks for reuse, and [`keep_freed_pages`] stops it from
//! handing their pages back to the kernel too.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::{c_int, c_long};
use std::sync::atomic::{AtomicU64, Ordering};

use mimalloc::MiMalloc as Heap;
use seq2seq_train::throughput::MemoryMeter;

/// `mi_option_purge_delay`: its place in the `mi_option_e` enum of mimalloc's `mimalloc.h`
/// (the same in its v2 and v3 sources, which `libmimalloc-sys` compiles).
const PURGE_DELAY: c_int = 15;

// mimalloc's option functions, linked in with the allocator by `libmimalloc-sys`.
unsafe extern "C" {
    fn mi_option_set(option: c_int, value: c_long);
    #[cfg(test)]
    fn mi_option_get(option: c_int) -> c_long;
}

/// Keeps the pages of freed memory mapped (`purge_delay = −1`). By default mimalloc returns the
/// pages of memory that stays free for a while to the kernel ("purges" them), and the next step
/// that needs them takes a page fault on each, and the kernel zeroes it: ~15,000 faults in a
/// `workbench bench` of the LSTM and the Transformer, ~600 without. The heap's footprint then
/// stays at its high-water mark, which the peak it reports already is.
/// A delay set in the environment (`MIMALLOC_PURGE_DELAY`) is left as it is. Called first thing
/// in `main`.
pub fn keep_freed_pages() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: a plain store into mimalloc's option table, made before `main` starts any
        // other thread; mimalloc reads it at its next purge.
        unsafe { mi_option_set(PURGE_DELAY, -1) }
    }
}

pub struct CountingAllocator {
    in_use: AtomicU64,
    peak: AtomicU64,
}

impl CountingAllocator {
    pub const fn new() -> Self {
        CountingAllocator { in_use: AtomicU64::new(0), peak: AtomicU64::new(0) }
    }

    fn grew(&self, bytes: usize) {
        let now = self.in_use.fetch_add(bytes as u64, Ordering::Relaxed) + bytes as u64;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }
}

// SAFETY: every call goes to mimalloc unchanged; only counters are added.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { Heap.alloc(layout) };
        if !pointer.is_null() {
            self.grew(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { Heap.alloc_zeroed(layout) };
        if !pointer.is_null() {
            self.grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { Heap.dealloc(pointer, layout) };
        self.in_use.fetch_sub(layout.size() as u64, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { Heap.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            self.in_use.fetch_sub(layout.size() as u64, Ordering::Relaxed);
            self.grew(new_size);
        }
        moved
    }
}

impl MemoryMeter for CountingAllocator {
    fn reset_peak(&self) {
        self.peak.store(self.in_use.load(Ordering::Relaxed), Ordering::Relaxed);
    }

    fn peak(&self) -> Option<u64> {
        Some(self.peak.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_high_water_mark() {
        let meter = CountingAllocator::new();
        let layout = Layout::from_size_align(1000, 8).unwrap();
        unsafe {
            let a = meter.alloc(layout);
            let b = meter.alloc(layout);
            meter.dealloc(a, layout);
            assert_eq!(meter.peak(), Some(2000));
            meter.reset_peak();
            assert_eq!(meter.peak(), Some(1000));
            let c = meter.realloc(b, layout, 3000);
            assert_eq!(meter.peak(), Some(3000));
            meter.dealloc(c, Layout::from_size_align(3000, 8).unwrap());
        }
        assert_eq!(meter.in_use.load(Ordering::Relaxed), 0);
    }

    /// Option 15 is the purge delay: mimalloc v3's default (1,000 ms) before, none after.
    #[test]
    fn keeping_freed_pages_sets_the_purge_delay() {
        assert!(
            std::env::var_os("MIMALLOC_PURGE_DELAY").is_none(),
            "run without MIMALLOC_PURGE_DELAY: this test reads mimalloc's default"
        );
        let delay = || unsafe { mi_option_get(PURGE_DELAY) };
        assert_eq!(delay(), 1000, "mimalloc's default purge delay: is option {PURGE_DELAY} still purge_delay?");
        keep_freed_pages();
        assert_eq!(delay(), -1);
    }
}
