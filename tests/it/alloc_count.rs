//! The plain-tag scan path allocates nothing, and an ISO/IEC 15434 box
//! label allocates little more than its field values: a counting allocator
//! wraps the system allocator for this test binary and counts, per thread,
//! the allocations made.
//!
//! `unsafe` is needed here and only here: implementing `GlobalAlloc` is an
//! unsafe trait by definition; the impl only forwards to `System`.

use scanstation::codec::iso15434;
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

#[test]
fn a_fifteen_four_thirty_four_label_allocates_its_values_and_little_else() {
    // Ten format 06 fields, real separators: one copy per value, the
    // tokens, the envelope list, its fields, the field slices.
    let label: &[u8] = b"[)>\x1e06\x1d1P20TBS1D000\x1dSPE07FEA4\x1dQ1\x1d1TLOT-4711\x1d16D20260115\x1d4LCN\x1dKPO-2026-0042\x1d4K7\x1d1VLENOVO\x1d10D2603\x1e\x04";
    let m = iso15434::parse(label).unwrap();
    assert_eq!(m.envelopes[0].fields.len(), 10);
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    let before = allocations();
    let m = iso15434::parse(label).unwrap();
    let n = allocations() - before;
    assert_eq!(m.first("S"), Some("PE07FEA4"));
    assert!(n <= 14, "{n} allocations for a 10-field label");
    // Wedge-mangled (Ctrl lost, no EOT) costs the same plus its warning.
    let mangled: &[u8] = b"[)>^06]1P20TBS1D000]SPE07FEA4]Q1]1TLOT-4711]16D20260115]4LCN]KPO-2026-0042]4K7]1VLENOVO]10D2603^";
    let before = allocations();
    let m = iso15434::parse(mangled).unwrap();
    let n = allocations() - before;
    assert_eq!(m.envelopes[0].fields.len(), 10);
    assert!(n <= 18, "{n} allocations for a mangled 10-field label");
}
