@testable import HLSChecker
import XCTest

final class BitrateMeasurementTests: XCTestCase {
    func testPeakIsTheBusiestRunBetweenHalfAndOneAndAHalfTargetDurations() {
        // Target 2 s: runs of 1–3 s count. Rates: [0] 8 kbit/s, [0,1] 16, [1] 24, [1,2] 13.3, [2] 8;
        // [0,1,2] lasts 4 s and does not count.
        let samples: [BitrateMeasurement.Sample] = [(1000, 1), (3000, 1), (2000, 2)]
        XCTAssertEqual(BitrateMeasurement.peak(samples, targetDuration: 2), 24_000)
        XCTAssertEqual(BitrateMeasurement.average(samples), 12_000)
    }

    func testNoRunSpansAGap() {
        // Alone, the 0.5 s segment is too short; with the gap between, it may not join its neighbours.
        let samples: [BitrateMeasurement.Sample] = [(1000, 2), nil, (9000, 0.5), nil, (1000, 2)]
        XCTAssertEqual(BitrateMeasurement.peak(samples, targetDuration: 2), 4000)
    }

    func testARunOfExactlyOneAndAHalfTargetDurationsCounts() {
        let samples: [BitrateMeasurement.Sample] = [(1000, 0.1), (1000, 2.7), (1000, 0.2)]
        XCTAssertEqual(BitrateMeasurement.peak(samples, targetDuration: 2)!, 8000, accuracy: 1e-6)
    }
}

final class FailureLogTests: XCTestCase {
    func testEachRuleListsAFewPlacesPerPlaylistThenCountsTheRest() {
        var log = FailureLog()
        for number in 0..<8 { log.add("MP3", .segment("a.m3u8", number, "s\(number).ts"), "off") }
        log.add("MP3", .segment("b.m3u8", 0, "s0.ts"), "off")
        let failures = log.finished()
        XCTAssertEqual(failures.count, FailureLog.limitPerPlaylist + 1 + 1)
        XCTAssertEqual(failures.first?.description, "MP3 a.m3u8 #0 (s0.ts): off")
        XCTAssertEqual(failures.last, RuleFailure(rule: "MP3", location: "a.m3u8",
                                                  message: "3 more place(s) fail this rule, not listed"))
    }

    func testMasterFailuresAreCountedPerVariant() {
        var log = FailureLog()
        for variant in 1...8 { log.add("MV2", .playlist("master.m3u8", "variant \(variant)"), "no FRAME-RATE") }
        XCTAssertEqual(log.finished().count, 8)
    }
}

final class MasterReaderTests: XCTestCase {
    func testReadsVariantsWhateverAttributesTheyLack() throws {
        let master = try XCTUnwrap(MasterPlaylist(text: """
            #EXTM3U
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="en",URI="a/index.m3u8"
            #EXT-X-STREAM-INF:BANDWIDTH=1000
            # a comment
            low/index.m3u8
            #EXT-X-STREAM-INF:BANDWIDTH=1000,CODECS=avc1
            high/index.m3u8
            stray.m3u8
            """))
        XCTAssertTrue(master.independentSegments)
        XCTAssertEqual(master.variants.map(\.uri), ["low/index.m3u8", "high/index.m3u8"])
        XCTAssertNotNil(master.variants[0].attributes)
        XCTAssertNotNil(master.variants[1].attributes, "CODECS unquoted is a typed-read problem, not a syntax one")
        XCTAssertEqual(master.audioMedia.map(\.uri), ["a/index.m3u8"])
        XCTAssertEqual(master.strayURIs.map(\.uri), ["stray.m3u8"])
    }

    func testAttributeSyntaxErrorIsKeptNotThrown() throws {
        let master = try XCTUnwrap(MasterPlaylist(text: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,,\nv.m3u8\n"))
        XCTAssertNil(master.variants[0].attributes)
        XCTAssertNotNil(master.variants[0].attributeError)
    }

    func testTextWithoutHeaderOrVariantsIsNoPlaylist() {
        XCTAssertNil(MasterPlaylist(text: "hello\nworld\n"))
        XCTAssertNotNil(MasterPlaylist(text: "\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n"), "MV1 reports the bad header")
    }

    func testParseErrorsMapToTheRuleOfTheTagTheyName() {
        XCTAssertEqual(RenditionLoader.rule(forParseError: "#EXT-X-PROGRAM-DATE-TIME \"x\" is not ISO"), "MP9")
        XCTAssertEqual(RenditionLoader.rule(forParseError: "#EXTINF duration \"x\" is not a number"), "MP3")
        XCTAssertEqual(RenditionLoader.rule(forParseError: "expected #EXTM3U, found \"x\""), "MP1")
        XCTAssertEqual(RenditionLoader.rule(forParseError: "URI \"x\" has no preceding #EXTINF"), "MP3")
        XCTAssertEqual(RenditionLoader.rule(forParseError: "something else"), "MP12")
    }
}
