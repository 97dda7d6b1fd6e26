import Foundation

/// One check of a case: a JUnit testcase, and a clause of the case's line when it fails.
public struct CaseCheck: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case passed
        case failed(String)
        case skipped(String)
    }
    public var name: String
    public var status: Status

    public var failure: String? {
        if case .failed(let message) = status { return message }
        return nil
    }
}

/// Compares a case's summary with its golden:
/// - structure (renditions, sizes, CODECS, segment count and durations, frames, keyframes, GAPs,
///   discontinuities, timestamps) exactly: it must never drift;
/// - measured bitrates (and the master's BANDWIDTH) within the case's relative tolerances;
/// - quality: no drop beyond the tolerance (on the mean; twice that on the 5th percentile) and, where a
///   floor is set, at or above it.
/// Segment bytes are not compared one by one: the bitrates carry them.
public enum GoldenComparison {
    public static func compare(_ actual: OutputSummary, golden: OutputSummary, case regressionCase: RegressionCase) -> [CaseCheck] {
        var checks: [CaseCheck] = []
        checks.append(structureCheck("structure: master", golden: golden.master.structure, actual: actual.master.structure))
        let names = golden.renditions.map(\.uri) + actual.renditions.map(\.uri).filter { uri in !golden.renditions.contains { $0.uri == uri } }
        for uri in names {
            let expected = golden.renditions.first { $0.uri == uri }
            let found = actual.renditions.first { $0.uri == uri }
            guard let expected, let found else {
                checks.append(CaseCheck(name: "structure: \(uri)",
                                        status: .failed(expected == nil ? "\(uri) is new (not in the golden)" : "\(uri) is missing (the golden has it)")))
                continue
            }
            checks.append(structureCheck("structure: \(uri)", golden: expected.structure, actual: found.structure))
            let limits = regressionCase.limits(for: renditionName(uri))
            checks.append(relative("bitrate: \(uri) average", found.averageBitrate, expected.averageBitrate, limits.averageBitrate))
            checks.append(relative("bitrate: \(uri) peak", found.peakBitrate, expected.peakBitrate, limits.peakBitrate))
            if found.role == "video" { checks += quality(uri, found.quality, expected.quality, limits) }
        }
        for variant in actual.master.variants {
            guard let expected = golden.master.variants.first(where: { $0.uri == variant.uri }) else { continue }
            let limits = regressionCase.limits(for: renditionName(variant.uri))
            var problems: [String] = []
            if let message = relative("", variant.bandwidth ?? 0, expected.bandwidth ?? 0, limits.peakBitrate).failure { problems.append("BANDWIDTH \(message)") }
            if let message = relative("", variant.averageBandwidth ?? 0, expected.averageBandwidth ?? 0, limits.averageBitrate).failure {
                problems.append("AVERAGE-BANDWIDTH \(message)")
            }
            checks.append(CaseCheck(name: "bandwidth: master \(variant.uri)",
                                    status: problems.isEmpty ? .passed : .failed("master \(variant.uri) " + problems.joined(separator: ", "))))
        }
        return checks
    }

    /// `360p/index.m3u8` → `360p`: the ladder's rendition name, which per-rendition limits use.
    static func renditionName(_ uri: String) -> String {
        uri.split(separator: "/").first.map(String.init) ?? uri
    }

    private static func structureCheck<T: Encodable>(_ name: String, golden: T, actual: T) -> CaseCheck {
        let changes = SummaryDiff.changes(from: golden, to: actual)
        guard !changes.isEmpty else { return CaseCheck(name: name, status: .passed) }
        let shown = changes.prefix(3).map(\.line).joined(separator: "; ")
        let more = changes.count > 3 ? " (and \(changes.count - 3) more)" : ""
        return CaseCheck(name: name, status: .failed("\(name.dropFirst("structure: ".count)) changed: \(shown)\(more)"))
    }

    private static func relative(_ name: String, _ actual: Int, _ golden: Int, _ tolerance: Double) -> CaseCheck {
        let change = golden > 0 ? Double(actual - golden) / Double(golden) : (actual == 0 ? 0 : 1)
        guard abs(change) > tolerance + 1e-12 else { return CaseCheck(name: name, status: .passed) }
        let what = name.isEmpty ? "" : "\(name.dropFirst("bitrate: ".count)) bitrate "
        return CaseCheck(name: name, status: .failed(
            "\(what)\(actual) vs golden \(golden) (\(percent(change)), tolerance ±\(percent(tolerance, signed: false)))"))
    }

    private static func quality(_ uri: String, _ actual: QualitySummary?, _ golden: QualitySummary?, _ limits: CaseLimits) -> [CaseCheck] {
        var checks: [CaseCheck] = []
        let metrics: [(String, KeyPath<QualitySummary, MetricSummary?>, Double, Double?)] = [
            ("psnr", \.psnrOptional, limits.psnrDrop, limits.minPSNR),
            ("ssim", \.ssimOptional, limits.ssimDrop, limits.minSSIM),
            ("vmaf", \.vmaf, limits.vmafDrop, limits.minVMAF),
        ]
        for (metric, path, drop, floor) in metrics {
            let now = actual?[keyPath: path]
            let then = golden?[keyPath: path]
            let label = metric.uppercased()
            if let floor {
                let name = "floor: \(uri) \(metric)"
                if let now {
                    checks.append(CaseCheck(name: name, status: now.mean >= floor ? .passed
                                            : .failed("\(uri) \(label) \(now.mean) is below the floor \(floor)")))
                } else {
                    checks.append(CaseCheck(name: name, status: .skipped(metric == "vmaf" ? "this FFmpeg build has no libvmaf" : "not measured")))
                }
            }
            let name = "quality: \(uri) \(metric)"
            guard let now, let then else {
                if metric != "vmaf" || then != nil || now != nil {
                    let reason = now == nil ? (metric == "vmaf" ? "this FFmpeg build has no libvmaf" : "not measured") : "the golden has no \(label)"
                    checks.append(CaseCheck(name: name, status: .skipped(reason)))
                }
                continue
            }
            var problems: [String] = []
            if now.mean < then.mean - drop - 1e-9 {
                problems.append("mean \(now.mean) vs golden \(then.mean) (\(signed(now.mean - then.mean)), tolerance −\(drop))")
            }
            if now.p5 < then.p5 - 2 * drop - 1e-9 {
                problems.append("5th percentile \(now.p5) vs golden \(then.p5) (\(signed(now.p5 - then.p5)), tolerance −\(2 * drop))")
            }
            checks.append(CaseCheck(name: name, status: problems.isEmpty ? .passed
                                    : .failed("\(uri) \(label) dropped: " + problems.joined(separator: ", "))))
        }
        return checks
    }

    private static func percent(_ fraction: Double, signed: Bool = true) -> String {
        let value = (fraction * 1000).rounded() / 10
        return (signed && value > 0 ? "+" : "") + String(format: "%.1f %%", value)
    }

    private static func signed(_ value: Double) -> String {
        (value >= 0 ? "+" : "") + String(format: "%.4f", value)
    }
}

private extension QualitySummary {
    var psnrOptional: MetricSummary? { psnr }
    var ssimOptional: MetricSummary? { ssim }
}

/// The parts of a summary that must never drift: everything but measured sizes, rates and quality.
extension MasterSummary {
    var structure: MasterSummary {
        var copy = self
        copy.variants = copy.variants.map { variant in
            var stripped = variant
            stripped.bandwidth = nil
            stripped.averageBandwidth = nil
            return stripped
        }
        return copy
    }
}

extension RenditionSummary {
    var structure: RenditionSummary {
        var copy = self
        copy.averageBitrate = 0
        copy.peakBitrate = 0
        copy.initBytes = nil
        copy.quality = nil
        copy.segments = copy.segments.map { segment in
            var stripped = segment
            stripped.bytes = nil
            return stripped
        }
        return copy
    }
}
