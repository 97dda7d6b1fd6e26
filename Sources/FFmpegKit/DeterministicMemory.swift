internal import CFFmpeg

/// Makes the contents of fresh heap memory the same in every process state (glibc's `mallopt`).
///
/// libx264 reads memory it never wrote for some picture sizes: an 854x480 or 864x480 rung encoded the
/// same input to other bytes depending on what the heap held before (shown with the ffmpeg CLI too, by
/// `MALLOC_PERTURB_`; 848 and 856 wide were not affected). A fresh process's heap is zeroes, so one
/// `liveladder run` repeated gives the same bytes; `regress`, which runs its cases one after another in
/// one process, did not. With `M_PERTURB` every block malloc hands out is filled with the same pattern,
/// and a fixed `M_MMAP_THRESHOLD` stops glibc from moving large blocks between the heap (pattern) and
/// fresh mappings (zeroes) as the run goes. Process-wide and never undone: only a deterministic run asks
/// for it, and it costs a memset per allocation and free.
public enum DeterministicMemory {
    public static func pin() {
        _ = ll_malloc_pin_contents(0x55, 128 << 10)
    }
}
