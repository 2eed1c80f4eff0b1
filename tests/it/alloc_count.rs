//! The plain-tag scan path allocates nothing: a counting allocator wraps the
//! system allocator for this test binary and counts, per thread, the
//! allocations made while classifying plain asset tags.
//!
//! `unsafe` is needed here and only here: implementing `GlobalAlloc` is an
//! unsafe trait by definition; the impl only forwards to `System`.

use scanstation::config::IdentifyConfig;
use scanstation::identify::{Classifier, IdentityKind};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: forwards the caller's layout unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with this layout (see alloc).
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCS.with(Cell::get)
}

#[test]
fn classifying_plain_tags_does_not_allocate() {
    let c = Classifier::new(&IdentifyConfig::default()).expect("default rules");
    let tags: Vec<Vec<u8>> = (0..1000)
        .map(|i| format!("A-{:06}", 100_000 + i).into_bytes())
        .collect();
    // Warm-up: the regex engine fills its per-thread cache on first use.
    for t in &tags {
        assert_eq!(c.classify(t).kind, IdentityKind::AssetTag);
    }
    let before = allocations();
    let mut found = 0;
    for t in &tags {
        if c.classify(t).kind == IdentityKind::AssetTag {
            found += 1;
        }
    }
    let after = allocations();
    assert_eq!(found, tags.len());
    assert_eq!(after - before, 0, "allocations on the plain-tag path");
    // The counter works: formatting a string does allocate.
    let b = allocations();
    let s = format!("{}-{}", found, after);
    assert!(allocations() > b && !s.is_empty());
}
