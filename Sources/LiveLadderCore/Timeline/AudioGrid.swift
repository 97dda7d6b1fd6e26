import FFmpegKit

/// Where the program's AAC frames sit on the output timeline: frame m starts at sample m × 1024 after the
/// audio chain's origin, in output ticks as the chain rounds them (`av_rescale_q`, to nearest). Stand-ins
/// that fall back to silence put their frames on this grid, so they join the real audio on both sides with
/// neither overlap nor hole (rule S7). Pure arithmetic; at 44.1 kHz a frame is not a whole number of ticks,
/// so each start is rounded on its own, exactly as the chain does.
struct AudioGrid {
    let origin: Int64
    let sampleRate: Int
    let frameSize: Int

    /// Output ticks of frame `index`.
    func pts(_ index: Int64) -> Int64 {
        origin + Rational(1, Int32(sampleRate)).rescale(index * Int64(frameSize), to: .mpegClock)
    }

    /// The first frame that starts at or after `ticks`.
    func firstFrame(atOrAfter ticks: Int64) -> Int64 {
        let perFrame = Double(frameSize) * 90_000 / Double(sampleRate)
        var index = Int64((Double(ticks - origin) / perFrame).rounded(.up))
        while pts(index) < ticks { index += 1 }
        while pts(index - 1) >= ticks { index -= 1 }
        return index
    }
}
