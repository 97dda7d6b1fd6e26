import Foundation

/// Reads the per-frame scores libvmaf writes with `log_fmt=json` (`frames[].metrics.vmaf`).
///
/// UNTESTED on this project's build: Debian's FFmpeg 5.1 has no libvmaf, so this path has never run. It
/// follows libvmaf 2.x's JSON output (`{"frames": [{"frameNum": 0, "metrics": {"vmaf": 93.2, ...}}]}`).
enum VMAFLog {
    private struct Log: Decodable {
        struct Entry: Decodable {
            struct Metrics: Decodable { let vmaf: Double }
            let frameNum: Int
            let metrics: Metrics
        }
        let frames: [Entry]
    }

    /// The scores in frame order, one per scored pair; removes the log file.
    static func scores(at url: URL, expected count: Int) throws -> [Double] {
        defer { try? FileManager.default.removeItem(at: url) }
        let log: Log
        do {
            log = try JSONDecoder().decode(Log.self, from: Data(contentsOf: url))
        } catch {
            throw QualityError("quality: libvmaf's log \(url.path) is missing or not the JSON expected: \(error)")
        }
        let frames = log.frames.sorted { $0.frameNum < $1.frameNum }
        guard frames.count == count, frames.enumerated().allSatisfy({ $0.offset == $0.element.frameNum }) else {
            throw QualityError("quality: libvmaf's log has \(log.frames.count) frames, expected \(count) numbered from 0")
        }
        // VMAF's models clip to 0...100; a value that is not even finite is not a score.
        if let bad = frames.first(where: { !$0.metrics.vmaf.isFinite }) {
            throw QualityError("quality: libvmaf's log gives frame \(bad.frameNum) a VMAF of \(bad.metrics.vmaf)")
        }
        return frames.map { min(max($0.metrics.vmaf, 0), 100) }
    }
}
