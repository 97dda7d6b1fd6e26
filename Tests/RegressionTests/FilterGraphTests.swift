import FFmpegKit
import XCTest

/// FFmpegKit's FilterGraph on its own (FFmpegKit has no test target; the quality engine is its user).
final class FilterGraphTests: XCTestCase {
    private func source(_ name: String) -> FilterGraph.VideoSource {
        .init(name: name, width: 64, height: 36, pixelFormat: .yuv420p, timeBase: Rational(1, 30))
    }

    private func blackFrame(pts: Int64) throws -> Frame {
        let frame = try Frame.video(width: 64, height: 36, format: .yuv420p)
        try frame.fillBlack()
        frame.pts = pts
        return frame
    }

    func testFramesPassThroughAndTheSinkEnds() throws {
        let graph = try FilterGraph(description: "[in]scale=32:18[out]", videoSources: [source("in")], sinks: ["out"])
        let frame = try blackFrame(pts: 7)
        try graph.push(frame, to: "in")
        try graph.push(nil, to: "in")
        guard case .item(let output) = try graph.pull(from: "out") else { return XCTFail("no frame out") }
        XCTAssertEqual(output.width, 32)
        XCTAssertEqual(output.pts, 7)
        // KEEP_REF: the caller's frame is untouched.
        XCTAssertEqual(frame.width, 64)
        guard case .endOfStream = try graph.pull(from: "out") else { return XCTFail("the sink did not end") }
    }

    func testPSNRMetadataOfIdenticalFrames() throws {
        let graph = try FilterGraph(description: "[a][b]psnr[out]", videoSources: [source("a"), source("b")], sinks: ["out"])
        try graph.push(try blackFrame(pts: 0), to: "a")
        try graph.push(try blackFrame(pts: 0), to: "b")
        try graph.push(nil, to: "a")
        try graph.push(nil, to: "b")
        guard case .item(let output) = try graph.pull(from: "out") else { return XCTFail("no frame out") }
        XCTAssertEqual(output.metadata("lavfi.psnr.psnr_avg"), "inf")
        XCTAssertEqual(output.metadata["lavfi.psnr.mse_avg"].flatMap(Double.init), 0)
        XCTAssertNil(output.metadata("lavfi.no.such.key"))
    }

    func testBadDescriptionAndUnknownNamesThrow() throws {
        XCTAssertThrowsError(try FilterGraph(description: "[in]no_such_filter[out]", videoSources: [source("in")], sinks: ["out"])) { error in
            XCTAssertTrue("\(error)".contains("avfilter_graph_parse_ptr"), "\(error)")
        }
        let graph = try FilterGraph(description: "[in]null[out]", videoSources: [source("in")], sinks: ["out"])
        XCTAssertThrowsError(try graph.push(nil, to: "elsewhere"))
        XCTAssertThrowsError(try graph.pull(from: "elsewhere"))
    }
}
