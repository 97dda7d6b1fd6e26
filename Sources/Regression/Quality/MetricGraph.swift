import FFmpegKit
import Foundation

/// The libavfilter graph that scores pairs of pictures: the distorted (rendition) picture is scaled back to
/// the reference (source) size with bicubic, both become yuv420p, and `psnr` and `ssim` (and `libvmaf` when
/// asked) compare them, distorted as the main input and reference second.
///
/// Each pair is pushed with the same pts (the pair's index), so the filters' framesync pairs exactly the
/// pictures we paired. Scores are pulled after every push, so only a few pictures are ever in the graph.
final class MetricGraph {
    private var graph: FilterGraph?
    private let vmafLog: URL?
    private var nextIndex: Int64 = 0
    private var psnr: [(index: Int64, value: Double)] = []
    private var ssim: [(index: Int64, value: Double)] = []
    private(set) var scores: [FrameScores] = []

    /// The PSNR of identical pictures is infinite; it is reported as this, so means stay finite.
    static let psnrCap = 100.0

    /// A graph for pictures like `distorted` and `reference`. With `vmafLog`, libvmaf writes its per-frame
    /// scores there as JSON when the graph is freed (FFmpeg 5.1 reports VMAF only through that log).
    init(distorted: Frame, distortedAspect: Rational, reference: Frame, referenceAspect: Rational,
         vmafLog: URL?) throws {
        self.vmafLog = vmafLog
        let branches = vmafLog == nil ? 2 : 3
        var description = "[dist]scale=\(reference.width):\(reference.height):flags=bicubic,format=yuv420p,split=\(branches)"
            + (0..<branches).map { "[d\($0)]" }.joined() + ";"
            + "[ref]format=yuv420p,split=\(branches)" + (0..<branches).map { "[r\($0)]" }.joined() + ";"
            + "[d0][r0]psnr[psnr];[d1][r1]ssim[ssim]"
        var sinks = ["psnr", "ssim"]
        if let vmafLog {
            description += ";[d2][r2]libvmaf=log_fmt=json:log_path=\(try Self.filterArgument(vmafLog.path))[vmaf]"
            sinks.append("vmaf")
        }
        // The pts are pair indices, so any time base works; 1/1 keeps them readable in FFmpeg's logs.
        let timeBase = Rational(1, 1)
        graph = try FilterGraph(description: description, videoSources: [
            .init(name: "dist", width: distorted.width, height: distorted.height, pixelFormat: distorted.pixelFormat,
                  timeBase: timeBase, sampleAspectRatio: distortedAspect),
            .init(name: "ref", width: reference.width, height: reference.height, pixelFormat: reference.pixelFormat,
                  timeBase: timeBase, sampleAspectRatio: referenceAspect),
        ], sinks: sinks)
    }

    /// Scores one pair. Sets both frames' pts (the graph keeps its own reference to each).
    func add(distorted: Frame, reference: Frame) throws {
        guard let graph else { return }
        distorted.pts = nextIndex
        reference.pts = nextIndex
        nextIndex += 1
        try graph.push(distorted, to: "dist")
        try graph.push(reference, to: "ref")
        try drain(graph)
    }

    /// Ends both inputs, collects the last scores and frees the graph; returns every pair's scores in order.
    func finish() throws -> [FrameScores] {
        if let graph {
            try graph.push(nil, to: "dist")
            try graph.push(nil, to: "ref")
            try drain(graph)
        }
        // The last reference: freeing the graph is what makes libvmaf write its log (in its uninit), so it
        // must happen here, outside the scope above that held the graph too, before the log is read.
        graph = nil
        guard psnr.isEmpty, ssim.isEmpty, scores.count == nextIndex else {
            throw QualityError("quality: the filter graph scored \(scores.count) of \(nextIndex) picture pairs")
        }
        if let vmafLog {
            let vmaf = try VMAFLog.scores(at: vmafLog, expected: scores.count)
            for index in scores.indices { scores[index].vmaf = vmaf[index] }
        }
        return scores
    }

    /// Pulls every score the graph has ready and pairs the psnr and ssim results by index.
    private func drain(_ graph: FilterGraph) throws {
        try collect(from: "psnr", graph) { frame in
            guard let text = frame.metadata("lavfi.psnr.psnr_avg"), let value = Double(text), !value.isNaN else {
                throw QualityError("quality: psnr gave no score for picture pair \(frame.pts ?? -1)")
            }
            psnr.append((frame.pts ?? -1, min(value, Self.psnrCap)))
        }
        try collect(from: "ssim", graph) { frame in
            guard let text = frame.metadata("lavfi.ssim.All"), let value = Double(text), (-1...1).contains(value) else {
                throw QualityError("quality: ssim gave no score in [-1, 1] for picture pair \(frame.pts ?? -1)")
            }
            ssim.append((frame.pts ?? -1, value))
        }
        if vmafLog != nil {
            // libvmaf passes the pictures on; they carry nothing we need until its log is written.
            try collect(from: "vmaf", graph) { _ in }
        }
        let ready = min(psnr.count, ssim.count)
        for offset in 0..<ready {
            let (p, s) = (psnr[offset], ssim[offset])
            guard p.index == s.index, p.index == Int64(scores.count) else {
                throw QualityError("quality: the filter graph paired pictures out of order (psnr \(p.index), ssim \(s.index), expected \(scores.count))")
            }
            scores.append(FrameScores(psnr: p.value, ssim: s.value, vmaf: nil))
        }
        psnr.removeFirst(ready)
        ssim.removeFirst(ready)
    }

    private func collect(from sink: String, _ graph: FilterGraph, _ handle: (Frame) throws -> Void) throws {
        while case .item(let frame) = try graph.pull(from: sink) { try handle(frame) }
    }

    /// A path as a filter option value. Rather than escape it at two levels (option and graph syntax), refuse
    /// characters that would need it; temporary paths never have them.
    private static func filterArgument(_ path: String) throws -> String {
        let special = Set(":'\\[],;= \n")
        guard !path.contains(where: special.contains) else {
            throw QualityError("quality: the VMAF log path \(path) has characters a filter graph would need escaped; set TMPDIR to a plain path")
        }
        return path
    }
}
