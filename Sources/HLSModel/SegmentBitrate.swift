/// One segment's size and duration, the input to bit-rate measurement.
public struct SegmentSample: Equatable, Sendable {
    /// The whole segment file in bytes, container overhead included (HLS-RULES MV3).
    public var bytes: Int
    /// Its `EXTINF` duration in seconds.
    public var duration: Double

    public init(bytes: Int, duration: Double) {
        self.bytes = bytes
        self.duration = duration
    }
}

/// Bit-rate measurements that `BANDWIDTH` and `AVERAGE-BANDWIDTH` are checked against
/// (HLS-RULES MV3, MV4; RFC 8216 §4.3.4.2).
public enum Bandwidth {
    /// Relative slack when comparing a run's summed `Double` durations with the bounds: binary rounding
    /// noise makes 0.1 + 2.7 + 0.2 slightly more than 3, which would drop a run of exactly 1.5 × 2 s.
    private static let durationTolerance = 1e-9

    /// Relative noise ignored when rounding a rate up, so an exact 12 000 bit/s computed as 12 000.000000001
    /// stays 12 000. Far below any real fraction of a bit per second (1e-12 of 10 Mbit/s is 0.00001).
    private static let rateNoise = 1e-12

    /// The peak segment bit rate in bit/s: over every run of consecutive segments whose total duration
    /// lies between 0.5 and 1.5 × `targetDuration` (inclusive), (sum of bytes × 8) / (sum of durations),
    /// the largest such value, rounded up.
    ///
    /// If no run qualifies (say, a single segment much shorter than the target), falls back to the
    /// largest single-segment rate. Segments with zero duration never form a rate on their own. Returns 0
    /// for empty input.
    public static func peak(_ samples: [SegmentSample], targetDuration: Double) -> Int {
        let shortest = 0.5 * targetDuration * (1 - durationTolerance)
        let longest = 1.5 * targetDuration * (1 + durationTolerance)
        var peakRate: Double?
        for first in samples.indices {
            var bits = 0.0
            var duration = 0.0
            for sample in samples[first...] {
                bits += Double(sample.bytes) * 8
                duration += sample.duration
                // Durations are non-negative, so once a run is too long every longer one is too.
                guard duration <= longest else { break }
                if duration >= shortest, duration > 0 {
                    peakRate = max(peakRate ?? 0, bits / duration)
                }
            }
        }
        if let peakRate { return roundedUp(peakRate) }
        let singleRates = samples.filter { $0.duration > 0 }.map { Double($0.bytes) * 8 / $0.duration }
        return roundedUp(singleRates.max() ?? 0)
    }

    /// The average bit rate in bit/s: total bits / total duration, rounded up; 0 for empty input or a
    /// zero total duration.
    public static func average(_ samples: [SegmentSample]) -> Int {
        let bits = compensatedSum(samples.map { Double($0.bytes) * 8 })
        let duration = compensatedSum(samples.map(\.duration))
        guard duration > 0 else { return 0 }
        return roundedUp(bits / duration)
    }

    /// Neumaier's compensated sum. Summed naively, the durations of a stream that ran for days (some
    /// 200 000 segments) drift by more than `rateNoise` and the average rounds up one bit/s too far.
    private static func compensatedSum(_ values: [Double]) -> Double {
        var sum = 0.0
        var compensation = 0.0
        for value in values {
            let total = sum + value
            if abs(sum) >= abs(value) {
                compensation += (sum - total) + value
            } else {
                compensation += (value - total) + sum
            }
            sum = total
        }
        return sum + compensation
    }

    /// `rate` rounded up to a whole bit/s, ignoring noise below `rateNoise` and clamped to `Int`'s range.
    private static func roundedUp(_ rate: Double) -> Int {
        guard rate.isFinite, rate > 0 else { return 0 }
        let value = (rate * (1 - rateNoise)).rounded(.up)
        return value >= Double(Int.max) ? Int.max : Int(value)
    }
}
