import Foundation
import HLSChecker
import HLSModel
import XCTest

/// S6 (TS continuity counters) and S7 (audio frames across a join) on the ffmpeg-made ladders, good and
/// damaged by byte edits the way a restarted muxer or a repeating audio path damages them.
final class SegmentJoinTests: XCTestCase {
    private typealias Edit = TransportStreamEditor

    private func ladder() throws -> URL { try ladderCopy(.transportStream) }

    private func assertFailure(_ report: CheckReport, _ rule: String, at location: String, _ text: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        let found = report.failures.contains { $0.rule == rule && $0.location.hasPrefix(location) && $0.message.contains(text) }
        XCTAssertTrue(found, "expected \(rule) at \(location) saying \(text), got:\n"
                      + report.failures.map(\.description).joined(separator: "\n"), file: file, line: line)
    }

    private func assertNo(_ rule: String, _ report: CheckReport, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(report.failedRules.contains(rule), report.failures.map(\.description).joined(separator: "\n"),
                       file: file, line: line)
    }

    private func rewrite(_ directory: URL, _ path: String, _ change: (inout MediaPlaylist) -> Void) throws {
        let url = directory.appendingPathComponent(path)
        var playlist = try MediaPlaylist.parse(String(contentsOf: url, encoding: .utf8))
        change(&playlist)
        try playlist.render().write(to: url, atomically: true, encoding: .utf8)
    }

    // MARK: S6

    func testTheFixtureCountersRunOnAcrossEveryJoin() throws {
        // What the good ladder is made of: counters that do continue, so S6 passing it means something.
        let directory = try ladder()
        let last = try Edit.lastCounters(directory.appendingPathComponent("v0/seg0.ts"))
        let next = Edit.packets(try Edit.read(directory.appendingPathComponent("v0/seg1.ts")))
        let firstVideo = try XCTUnwrap(next.first { Edit.pid($0) == 256 })
        XCTAssertEqual(Edit.counter(firstVideo), (last[256]! + 1) & 0x0F)
        assertPasses(try check(directory))
    }

    func testAMuxerRestartingItsCountersFailsS6() throws {
        // The first segment a restarted rendition writes: every counter starts again at 0.
        let directory = try ladder()
        try Edit.renumber([directory.appendingPathComponent("v1/seg2.ts")], continuingFrom: [:])
        let report = try check(directory)
        assertFailsOnly(report, ["S6"])
        assertFailure(report, "S6", at: "v1/index.m3u8 #2 (seg2.ts)", "PID 0 continuity counter 0 after 1 in seg1.ts")
        assertFailure(report, "S6", at: "v1/index.m3u8 #2 (seg2.ts)", "PID 256 0 after")
    }

    func testADamagedCounterInsideASegmentFailsS6() throws {
        let directory = try ladder()
        let url = directory.appendingPathComponent("v0/seg1.ts")
        let bytes = try Edit.read(url)
        let packet = try XCTUnwrap(Edit.payloadPacket(bytes, pid: 256, 20))
        let counter = Edit.counter(Edit.packets(bytes)[packet])
        try Edit.setCounter(url, packet: packet, to: (counter + 5) & 0x0F)
        let report = try check(directory)
        assertFailure(report, "S6", at: "v0/index.m3u8 #1 (seg1.ts)",
                      "PID 256 continuity counter \((counter + 5) & 0x0F) after \((counter + 15) & 0x0F) inside the segment (packet \(packet))")
    }

    func testADuplicatePacketIsAllowedOnce() throws {
        let directory = try ladder()
        let url = directory.appendingPathComponent("v0/seg1.ts")
        let bytes = try Edit.read(url)
        let packet = try XCTUnwrap(Edit.payloadPacket(bytes, pid: 257, 3))
        let copy = Array(bytes[packet * 188..<(packet + 1) * 188])
        try Edit.write(Array(bytes[..<((packet + 1) * 188)]) + copy + Array(bytes[((packet + 1) * 188)...]), to: url)
        assertNo("S6", try check(directory))
        // A third copy of the same packet is a break.
        try Edit.write(Array(bytes[..<((packet + 1) * 188)]) + copy + copy + Array(bytes[((packet + 1) * 188)...]), to: url)
        assertFailure(try check(directory), "S6", at: "v0/index.m3u8 #1 (seg1.ts)", "PID 257 continuity counter")
    }

    func testADiscontinuityAllowsTheRestart() throws {
        let directory = try ladder()
        for name in ["v0", "v1"] {
            try Edit.renumber([directory.appendingPathComponent("\(name)/seg2.ts")], continuingFrom: [:])
            try rewrite(directory, "\(name)/index.m3u8") { $0.segments[2].discontinuity = true }
        }
        assertNo("S6", try check(directory))
    }

    func testADiscontinuityIndicatorOnThePacketAllowsTheBreak() throws {
        // seg2 restarts every counter: a break at the join into it for every PID…
        let directory = try ladder()
        let url = directory.appendingPathComponent("v0/seg2.ts")
        try Edit.renumber([url], continuingFrom: [:])
        assertFailure(try check(directory), "S6", at: "v0/index.m3u8 #2 (seg2.ts)", "PID 256 0 after")
        // …except where the first packet announces it with discontinuity_indicator. The first video packet
        // of a segment has an adaptation field (PCR, random access), so it can say so; the PSI packets cannot.
        var bytes = try Edit.read(url)
        let first = try XCTUnwrap(Edit.payloadPacket(bytes, pid: 256, 0))
        XCTAssertTrue(bytes[first * 188 + 3] & 0x20 != 0 && bytes[first * 188 + 4] > 0, "no adaptation field")
        bytes[first * 188 + 5] |= 0x80
        try Edit.write(bytes, to: url)
        let report = try check(directory)
        assertFailure(report, "S6", at: "v0/index.m3u8 #2 (seg2.ts)", "PID 0 continuity counter 0 after 1 in seg1.ts")
        XCTAssertFalse(report.failures.contains { $0.rule == "S6" && $0.message.contains("PID 256") },
                       report.failures.map(\.description).joined(separator: "\n"))
    }

    // MARK: S7

    /// Copies the last AAC frame of `rendition`'s seg0 to the start of its seg1, with the PTS it had: what
    /// a restarted rendition's first segment did.
    private func repeatLastAudioFrame(_ directory: URL, _ rendition: String, into segment: String = "seg1.ts") throws {
        let before = try Edit.read(directory.appendingPathComponent("\(rendition)/seg0.ts"))
        let url = directory.appendingPathComponent("\(rendition)/\(segment)")
        let audio = try XCTUnwrap(Edit.audioPID(before))
        let (pts, frame) = try XCTUnwrap(Edit.lastAudioFrame(before, pid: audio))
        let pes = Edit.audioPES(pid: audio, pts: pts, payload: frame)
        try Edit.write(Edit.insertBeforeMedia(pes, into: try Edit.read(url)), to: url)
        // Counters as the muxer would write them, so only S7 has something to say about it.
        try Edit.renumber([url, directory.appendingPathComponent("\(rendition)/seg2.ts")],
                          continuingFrom: try Edit.lastCounters(directory.appendingPathComponent("\(rendition)/seg0.ts")))
    }

    func testARepeatedAACFrameAtAJoinFailsS7() throws {
        let directory = try ladder()
        try repeatLastAudioFrame(directory, "v0")
        let report = try check(directory)
        assertNo("S6", report)
        assertFailure(report, "S7", at: "v0/index.m3u8 #1 (seg1.ts)",
                      "is 0 ticks after the last one of seg0.ts at PTS")
        assertFailure(report, "S7", at: "v0/index.m3u8 #1 (seg1.ts)", "not one AAC frame (1920 ticks of 1/90000): 1 frame(s) repeated")
        // …and v1 no longer carries the same frames as v0 for segment 1.
        assertFailure(report, "S7", at: "v1/index.m3u8 #1 (seg1.ts)", "but v0/index.m3u8 #1 (seg1.ts) carries")
    }

    func testMissingAACFramesAtAJoinFailS7() throws {
        let directory = try ladder()
        let url = directory.appendingPathComponent("v1/seg1.ts")
        let bytes = try Edit.read(url)
        try Edit.write(Edit.removingFirstPES(bytes, pid: try XCTUnwrap(Edit.audioPID(bytes))), to: url)
        try Edit.renumber([url, directory.appendingPathComponent("v1/seg2.ts")],
                          continuingFrom: try Edit.lastCounters(directory.appendingPathComponent("v1/seg0.ts")))
        let report = try check(directory)
        assertNo("S6", report)
        assertFailure(report, "S7", at: "v1/index.m3u8 #1 (seg1.ts)", "frame(s) missing")
    }

    func testTheAlternateAudioRenditionsJoinsAreChecked() throws {
        // fMP4: move audio segment 1 one AAC frame later (its tfdt + 1024 at 48 kHz): one frame missing
        // before it, one repeated after it.
        let directory = try ladderCopy(.fragmentedMP4)
        let url = directory.appendingPathComponent("v2/seg1.m4s")
        var bytes = try Edit.read(url)
        let tfdt = try XCTUnwrap((0..<bytes.count - 4).first { Array(bytes[$0..<$0 + 4]) == Array("tfdt".utf8) })
        let version = bytes[tfdt + 4]
        let width = version == 1 ? 8 : 4
        var value: UInt64 = 0
        for byte in bytes[tfdt + 8..<tfdt + 8 + width] { value = value << 8 | UInt64(byte) }
        value += 1024
        for index in 0..<width { bytes[tfdt + 8 + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(width - 1 - index))) }
        try Edit.write(bytes, to: url)
        let report = try check(directory)
        assertFailure(report, "S7", at: "v2/index.m3u8 #1 (seg1.m4s)", "1 frame(s) missing")
        assertFailure(report, "S7", at: "v2/index.m3u8 #2 (seg2.m4s)", "1 frame(s) repeated")
    }

    func testAudioJumpsAcrossADiscontinuityAreNotS7() throws {
        let directory = try ladder()
        for name in ["v0", "v1"] {
            let url = directory.appendingPathComponent("\(name)/seg1.ts")
            let bytes = try Edit.read(url)
            try Edit.write(Edit.removingFirstPES(bytes, pid: try XCTUnwrap(Edit.audioPID(bytes))), to: url)
            try Edit.renumber([url, directory.appendingPathComponent("\(name)/seg2.ts")],
                              continuingFrom: try Edit.lastCounters(directory.appendingPathComponent("\(name)/seg0.ts")))
            try rewrite(directory, "\(name)/index.m3u8") { $0.segments[1].discontinuity = true }
        }
        assertNo("S7", try check(directory))
    }
}
