// Replaced by the quality branch's QualityStatistics.
public struct MetricSummary: Codable, Equatable, Sendable {
    public var mean: Double
    public var harmonicMean: Double
    public var p5: Double
    public var frames: Int
}
