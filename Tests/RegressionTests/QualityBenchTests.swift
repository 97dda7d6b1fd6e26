import Foundation
import Regression
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The cost of quality metrics, for tools/quality-cost.sh: not a test. Skipped unless
/// LIVELADDER_QUALITY_BENCH=1; the script passes the pair in LIVELADDER_QUALITY_BENCH_SOURCE and
/// LIVELADDER_QUALITY_BENCH_RENDITION (an MPEG-TS file) and reads the line printed.
final class QualityBenchTests: XCTestCase {
    func testQualityCost() throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["LIVELADDER_QUALITY_BENCH"] == "1" else {
            throw XCTSkip("set LIVELADDER_QUALITY_BENCH=1 (tools/quality-cost.sh does) to measure")
        }
        let source = try XCTUnwrap(environment["LIVELADDER_QUALITY_BENCH_SOURCE"], "LIVELADDER_QUALITY_BENCH_SOURCE")
        let renditionPath = try XCTUnwrap(environment["LIVELADDER_QUALITY_BENCH_RENDITION"], "LIVELADDER_QUALITY_BENCH_RENDITION")
        let rendition = [UInt8](try Data(contentsOf: URL(fileURLWithPath: renditionPath)))
        let cpuBefore = Self.cpuSeconds()
        let start = Date()
        let frames = try QualityMeter.measure(rendition: rendition, format: "mpegts", source: source)
        let wall = Date().timeIntervalSince(start)
        let cpu = Self.cpuSeconds() - cpuBefore
        let psnr = frames.map(\.psnr).reduce(0, +) / Double(frames.count)
        let ssim = frames.map(\.ssim).reduce(0, +) / Double(frames.count)
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        // Peak RSS of the whole test process (the rendition buffer included), in MiB.
        let peak = Double(usage.ru_maxrss) / 1024
        print("quality-bench: frames=\(frames.count) wall=\(wall) cpu=\(cpu) psnr=\(psnr) ssim=\(ssim) peak_rss_mib=\(peak)")
    }

    /// User plus system CPU time of this process so far, all threads.
    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let seconds = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
