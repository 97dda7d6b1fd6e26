/// Measured bit rates of a rendition, as HLS-RULES MV3/MV4 define them: segment file sizes (container
/// overhead included) over their `EXTINF` durations.
///
/// Measured here rather than with the producer's own helper, so the check does not share its bugs.
enum BitrateMeasurement {
    /// A segment's size and declared duration; nil for a GAP entry or a segment that could not be read,
    /// which no window may span (its size is unknown).
    typealias Sample = (bytes: Int, duration: Double)?

    static func samples(_ rendition: Rendition) -> [Sample] {
        rendition.entries.map { entry in
            entry.facts.map { (bytes: $0.size, duration: entry.segment.duration) }
        }
    }

    /// The peak segment bit rate (RFC 8216 §4.3.4.2): the largest bits / seconds over every run of
    /// consecutive segments whose total duration is between 0.5 and 1.5 × the target duration. When no
    /// run qualifies (a stream shorter than half a target duration), the largest single-segment rate
    /// stands in for it, as HLSModel's `Bandwidth.peak` does for the producer.
    static func peak(_ samples: [Sample], targetDuration: Int) -> Double? {
        // Inclusive bounds with a little slack: summed Doubles make 2.0 + 1.0 slightly more than 3.0.
        let low = 0.5 * Double(targetDuration) * (1 - 1e-9)
        let high = 1.5 * Double(targetDuration) * (1 + 1e-9)
        var best: Double?
        for start in samples.indices {
            var bits = 0.0
            var duration = 0.0
            for sample in samples[start...] {
                guard let sample else { break }
                bits += Double(sample.bytes) * 8
                duration += sample.duration
                if duration > high { break }
                if duration >= low, duration > 0 { best = max(best ?? 0, bits / duration) }
            }
        }
        if let best { return best }
        return samples.compactMap { $0 }.filter { $0.duration > 0 }.map { Double($0.bytes) * 8 / $0.duration }.max()
    }

    /// Total bits / total duration of the segments that could be read.
    static func average(_ samples: [Sample]) -> Double? {
        let known = samples.compactMap { $0 }
        let duration = known.reduce(0) { $0 + $1.duration }
        guard duration > 0 else { return nil }
        return known.reduce(0) { $0 + Double($1.bytes) * 8 } / duration
    }

    static func peak(_ rendition: Rendition) -> Double? {
        peak(samples(rendition), targetDuration: rendition.playlist.targetDuration)
    }

    static func average(_ rendition: Rendition) -> Double? {
        average(samples(rendition))
    }
}
