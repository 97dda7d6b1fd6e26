import Foundation
import XCTest
import HLSModel
@testable import LiveLadderCore

/// A pass-through rung's BANDWIDTH follows its measured peak in a live master (docs/passthrough.md, rule MV3).
final class MeasuredBandwidthTests: XCTestCase {
    private func bandwidths(_ folder: String) throws -> [Int] {
        try MultivariantPlaylist.parse(String(contentsOfFile: folder + "/master.m3u8", encoding: .utf8)).variants.map(\.bandwidth)
    }

    func testLiveMasterIsRewrittenWhenTheMeasuredPeakGrowsPastWhatItAnnounced() throws {
        let folder = try temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let master = MasterPublisher(outputDirectory: folder, kind: .live, targetDuration: 2, variants: [
            .init(name: "copy", width: 320, height: 180, frameRate: 30, estimatedPeak: 500_000, estimatedAverage: 400_000,
                  followsMeasurement: true, codecs: "avc1.64000d"),
            .init(name: "enc", width: 256, height: 144, frameRate: 30, estimatedPeak: 300_000, estimatedAverage: 250_000,
                  codecs: "avc1.64000c"),
        ], audio: nil, hasAudio: false)
        // 100 kB in 2 s: 400 kbit/s, under the estimate.
        try master.published(rendition: "copy", sample: SegmentSample(bytes: 100_000, duration: 2))
        try master.published(rendition: "enc", sample: SegmentSample(bytes: 50_000, duration: 2))
        XCTAssertEqual(try bandwidths(folder), [500_000, 300_000])
        // 250 kB in 2 s: 1 Mbit/s measured, past the 500 kbit/s announced: rewritten with 10 % headroom.
        try master.published(rendition: "copy", sample: SegmentSample(bytes: 250_000, duration: 2))
        XCTAssertEqual(try bandwidths(folder), [1_100_000, 300_000])
        // An encoded rung keeps what rate control promised until the end.
        try master.published(rendition: "enc", sample: SegmentSample(bytes: 100_000, duration: 2))
        XCTAssertEqual(try bandwidths(folder), [1_100_000, 300_000])
    }
}
