/// The per-rendition figures of one metric: mean, harmonic mean and 5th percentile over its frames.
///
/// The mean says how good a rendition is on the whole; the harmonic mean and the 5th percentile say how
/// bad its worst frames are, which the mean hides (a few smeared frames after a scene cut).
public enum QualityStatistics {
    /// The arithmetic mean, or nil for no values.
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The harmonic mean of the values above 0, or nil for no values; 0 when none is above 0.
    ///
    /// A value of 0 (a VMAF of 0 for a broken frame; SSIM can even go below 0) would make the harmonic
    /// mean 0, or undefined, whatever every other frame scores, so values <= 0 are left out; the 5th
    /// percentile is the figure that shows such frames.
    public static func harmonicMean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let positive = values.filter { $0 > 0 }
        guard !positive.isEmpty else { return 0 }
        return Double(positive.count) / positive.reduce(0) { $0 + 1 / $1 }
    }

    /// The nearest-rank 5th percentile: sorted ascending, the value at rank ceil(0.05 n) (index clamped to
    /// the array), or nil for no values.
    public static func percentile5(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((0.05 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank - 1, 0), sorted.count - 1)]
    }
}

/// One metric of one rendition as the summary writes it. Values are rounded to 4 decimals, so that the
/// JSON is stable across machines whose last bits of floating point differ.
public struct MetricSummary: Codable, Sendable, Equatable {
    public var mean: Double
    public var harmonicMean: Double
    public var p5: Double
    public var frames: Int

    public init(mean: Double, harmonicMean: Double, p5: Double, frames: Int) {
        self.mean = Self.rounded(mean)
        self.harmonicMean = Self.rounded(harmonicMean)
        self.p5 = Self.rounded(p5)
        self.frames = frames
    }

    /// The summary of `values` (one per frame; finite, as `QualityMeter` yields them), or nil for none.
    public init?(_ values: [Double]) {
        guard let mean = QualityStatistics.mean(values), let harmonic = QualityStatistics.harmonicMean(values),
              let p5 = QualityStatistics.percentile5(values) else { return nil }
        self.init(mean: mean, harmonicMean: harmonic, p5: p5, frames: values.count)
    }

    /// The one place figures are rounded: to 4 decimals, half away from zero.
    static func rounded(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
}
