@testable import HLSRemoteCheck
import XCTest

/// O5 as a client reads it, and the pieces that keep the check inside the stream.
final class HeaderRulesTests: XCTestCase {
    func testContentTypes() {
        XCTAssertNil(HeaderRules.contentTypeProblem("application/vnd.apple.mpegurl", kind: .playlist))
        XCTAssertNil(HeaderRules.contentTypeProblem("Application/VND.Apple.MPEGURL; charset=utf-8", kind: .playlist))
        XCTAssertNil(HeaderRules.contentTypeProblem("video/mp2t", kind: .transportStream))
        XCTAssertNil(HeaderRules.contentTypeProblem("audio/mp4", kind: .fragmentedMP4))
        XCTAssertEqual(HeaderRules.contentTypeProblem("text/plain", kind: .transportStream), "served as text/plain, expected video/mp2t")
        XCTAssertNotNil(HeaderRules.contentTypeProblem(nil, kind: .playlist))
    }

    func testPlaylistCaching() {
        XCTAssertNil(HeaderRules.playlistCachingProblem(nil, limit: 1))
        XCTAssertNil(HeaderRules.playlistCachingProblem("no-cache", limit: 1))
        XCTAssertNil(HeaderRules.playlistCachingProblem("max-age=1", limit: 1))
        XCTAssertNotNil(HeaderRules.playlistCachingProblem("public, max-age=60", limit: 1))
        XCTAssertNotNil(HeaderRules.playlistCachingProblem("s-maxage=10", limit: 1))
        XCTAssertNotNil(HeaderRules.playlistCachingProblem("max-age=1, immutable", limit: 1))
    }

    func testMediaCaching() {
        XCTAssertNil(HeaderRules.mediaCachingProblem("public, max-age=31536000, immutable", minimum: 6))
        XCTAssertNil(HeaderRules.mediaCachingProblem(nil, minimum: 6))
        XCTAssertNotNil(HeaderRules.mediaCachingProblem("no-store", minimum: 6))
        XCTAssertNotNil(HeaderRules.mediaCachingProblem("max-age=2", minimum: 6))
        XCTAssertNil(HeaderRules.mediaCachingProblem("max-age=99999999999999999999", minimum: 6), "a number out of range counts as none")
    }

    func testPartsAgainstTheirSegment() {
        func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
            let size = UInt32(8 + payload.count)
            return [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] + Array(type.utf8) + payload
        }
        let parts = [box("moof", [1]) + box("mdat", [1, 2]), box("moof", [2]) + box("mdat", [3])]
        XCTAssertNil(PartSamples.problem(parts: parts, segment: parts[0] + parts[1]), "the same bytes")
        XCTAssertNil(PartSamples.problem(parts: parts, segment: box("moof", [9, 9]) + box("mdat", [1, 2, 3])), "the same samples")
        XCTAssertNotNil(PartSamples.problem(parts: parts, segment: box("moof", [9]) + box("mdat", [1, 2, 4])))
        XCTAssertNotNil(PartSamples.problem(parts: [[0x47, 1, 2]], segment: [0x47, 1, 3]), "not boxes: bytes only")
        XCTAssertNil(PartSamples.mediaData([0xFF, 0xFF, 0xFF, 0xFF] + Array("mdat".utf8)), "a size past the end")
    }

    func testStreamURLs() throws {
        guard case .success(let parsed) = StreamAddress.parse("http://127.0.0.1:8080/live/a%20b/master.m3u8") else { return XCTFail() }
        XCTAssertEqual(parsed.origin, "http://127.0.0.1:8080")
        XCTAssertEqual(parsed.basePath, "/live/a%20b/")
        XCTAssertEqual(parsed.masterName, "master.m3u8")
        guard case .success(let folder) = StreamAddress.parse("https://example.com/live/") else { return XCTFail() }
        XCTAssertEqual(folder.masterName, "master.m3u8")
        for bad in ["ftp://x/master.m3u8", "http:///master.m3u8", "http://x/master.m3u8?token=1", "http://u:p@x/m.m3u8",
                    "http://x/a/../master.m3u8", "http://x:99999/master.m3u8"] {
            guard case .failure = StreamAddress.parse(bad) else { return XCTFail(bad) }
        }
    }
}
