import Foundation
import XCTest
import HLSChecker
import HLSModel

/// A failing rendition restarts on its own while its siblings carry on; what it missed is a GAP.
final class SupervisorTests: XCTestCase {
    static let renditions = ["360p", "240p"]

    private func playlist(_ folder: String, _ name: String) throws -> MediaPlaylist {
        try MediaPlaylist.parse(String(contentsOfFile: "\(folder)/\(name)/index.m3u8", encoding: .utf8))
    }

    /// Runs the 12 s input in real time as a live stream with `faults`, watching every snapshot.
    private func runWithFaults(_ faults: String, extra: [String] = [], expectStatus: Int32 = 0,
                               allowing allowed: (String) -> Bool = { _ in false }) throws -> String {
        let failing = Set(faults.split(separator: ",").compactMap { $0.split(separator: ":").first.map(String.init) })
        let folder = try temporaryFolder(self)
        let input = try twelveSeconds(folder)
        let ladder = try Background(Repo.executable, ["run", "--input", input, "--output", folder, "--realtime",
                                                      "--playlist-type", "live", "--list-size", "20", "--stall-timeout", "2"] + extra,
                                    log: folder + ".stderr", environment: ["LIVELADDER_FAULTS": faults])
        let watcher = LiveWatcher(folder: folder, renditions: Self.renditions, listSize: 20,
                                  wallClockRenditions: Set(Self.renditions).subtracting(failing))
        XCTAssertEqual(ladder.wait(timeout: 40), expectStatus, ladder.output)
        XCTAssertEqual(watcher.stop().filter { !allowed($0) }, [], "rules broken during the run")
        XCTAssertGreaterThan(watcher.checkedSnapshots, 2)
        return folder
    }

    /// The failing rendition lists gaps where it was down and real segments after; the sibling has no gap.
    private func assertRecovered(_ folder: String, failing: String, sibling: String, maximumGaps: Int,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let failed = try playlist(folder, failing)
        let healthy = try playlist(folder, sibling)
        XCTAssertFalse(healthy.segments.contains(where: \.gap), "\(sibling) misses nothing", file: file, line: line)
        XCTAssertEqual(healthy.segments.count, 6, "\(sibling): every segment", file: file, line: line)
        XCTAssertEqual(failed.segments.map(\.uri), healthy.segments.map(\.uri), "same numbers in both", file: file, line: line)
        let gaps = failed.segments.indices.filter { failed.segments[$0].gap }
        XCTAssertGreaterThanOrEqual(gaps.count, 1, "\(failing) has its gap", file: file, line: line)
        XCTAssertLessThanOrEqual(gaps.count, maximumGaps, "\(failing) came back within a segment plus its backoff: gaps \(gaps)", file: file, line: line)
        if let lastGap = gaps.last {
            XCTAssertTrue(failed.segments[(lastGap + 1)...].contains { !$0.gap }, "\(failing) produces again", file: file, line: line)
        }
        for index in gaps {
            // A gap has its sibling's duration, to the microsecond.
            XCTAssertEqual(failed.segments[index].duration, healthy.segments[index].duration, accuracy: 0.000001, file: file, line: line)
            try assertStandIn(folder, failing, sibling, failed.segments[index].uri, file: file, line: line)
        }
        XCTAssertTrue(failed.endList && healthy.endList)
        let report = try HLSCheck.run(path: folder)
        XCTAssertTrue(report.passed, report.failures.map(\.description).joined(separator: "\n"), file: file, line: line)
        let master = try String(contentsOfFile: folder + "/master.m3u8", encoding: .utf8)
        XCTAssertTrue(master.contains("\(failing)/index.m3u8"), "a restarted rendition stays in the master", file: file, line: line)
    }

    /// At a GAP entry's URI sits a stand-in for players that fetch it anyway: the sibling's span exactly
    /// (same first PTS, an IDR there, as many frames), at the failing rendition's own size, with the very
    /// audio packets the sibling has.
    private func assertStandIn(_ folder: String, _ failing: String, _ sibling: String, _ uri: String,
                               file: StaticString, line: UInt) throws {
        let path = "\(folder)/\(failing)/\(uri)"
        guard FileManager.default.fileExists(atPath: path) else {
            return XCTFail("no stand-in at the GAP entry \(path)", file: file, line: line)
        }
        let standIn = try SegmentFacts.read(path)
        let real = try SegmentFacts.read("\(folder)/\(sibling)/\(uri)")
        XCTAssertTrue(standIn.firstVideoIsIDR, "\(path) starts with an IDR", file: file, line: line)
        XCTAssertEqual(standIn.firstVideoPTS, real.firstVideoPTS, "\(path) starts where \(sibling)'s does", file: file, line: line)
        XCTAssertEqual(standIn.videoPackets, real.videoPackets, "\(path) covers the same frames", file: file, line: line)
        XCTAssertEqual(standIn.lastVideoPTS, real.lastVideoPTS, file: file, line: line)
        XCTAssertEqual(standIn.audioPackets, real.audioPackets, "\(path) carries the program's audio", file: file, line: line)
        XCTAssertEqual(standIn.firstAudioPTS, real.firstAudioPTS, file: file, line: line)
        if let produced = try playlist(folder, failing).segments.first(where: { !$0.gap }) {
            let own = try SegmentFacts.read("\(folder)/\(failing)/\(produced.uri)")
            XCTAssertEqual(standIn.width, own.width, file: file, line: line)
            XCTAssertEqual(standIn.height, own.height, file: file, line: line)
        }
    }

    func testEncoderErrorRestartsTheRendition() throws {
        let folder = try runWithFaults("240p:encoder-error@3")
        try assertRecovered(folder, failing: "240p", sibling: "360p", maximumGaps: 1)
    }

    func testWriteErrorRestartsTheRendition() throws {
        let folder = try runWithFaults("360p:write-error@3")
        // The write fails when segment 1 closes at 4 s; the rendition is back at the next boundary.
        try assertRecovered(folder, failing: "360p", sibling: "240p", maximumGaps: 2)
    }

    func testStallIsDetectedAndTheRenditionRestarted() throws {
        let folder = try runWithFaults("240p:stall@3")
        // Noticed 2 s (--stall-timeout) after it hung, back at the boundary after that.
        try assertRecovered(folder, failing: "240p", sibling: "360p", maximumGaps: 2)
    }

    /// The fMP4 audio rendition is supervised like the video ones: its gap sits at the siblings' numbers
    /// with a stand-in of the program's audio, and what it publishes after the restart starts with the
    /// video again (rule MP5).
    func testAudioRenditionFailureRestartsItAlone() throws {
        let folder = try runWithFaults("audio:encoder-error@3", extra: ["--segment-format", "fmp4"])
        let audio = try playlist(folder, "audio")
        let video = try playlist(folder, "360p")
        let other = try playlist(folder, "240p")
        XCTAssertFalse(video.segments.contains(where: \.gap) || other.segments.contains(where: \.gap), "the video renditions miss nothing")
        XCTAssertEqual(audio.segments.map(\.uri).map { $0.replacingOccurrences(of: ".m4s", with: "") },
                       video.segments.map(\.uri).map { $0.replacingOccurrences(of: ".m4s", with: "") })
        let gaps = audio.segments.filter(\.gap)
        XCTAssertEqual(gaps.count, 1, "back at the next boundary")
        for gap in gaps {
            let standIn = try SegmentFacts.read("\(folder)/audio/\(gap.uri)", initSegment: folder + "/audio/init.mp4")
            let real = try SegmentFacts.read("\(folder)/360p/\(gap.uri)", initSegment: folder + "/360p/init.mp4")
            XCTAssertEqual(standIn.videoPackets, 0)
            // The program's AAC frames of the span: the first within one frame after its start, all of them.
            let offset = try XCTUnwrap(standIn.firstAudioPTS) - XCTUnwrap(real.firstVideoPTS)
            XCTAssertTrue((0..<1920).contains(offset), "first audio \(offset) ticks after the span's start")
            XCTAssertEqual(Double(standIn.audioPackets), gap.duration * 48_000 / 1024, accuracy: 1)
        }
        try assertChecks(folder)
    }

    /// A rendition that falls behind the live input for a while (a loaded host) sheds pictures before its
    /// encoder instead of being restarted: no segment is lost, no GAP, and the drops are reported.
    func testTransientOverloadCostsPicturesNotSegments() throws {
        // The pictures dropped lower 360p's measured rate below its FRAME-RATE while it sheds: FRAME-RATE is
        // the maximum rate (RFC 8216bis §4.4.6.2), and MV6, which wants it exact, is the one rule that says so.
        let folder = try runWithFaults("360p:overload@2", allowing: { $0.hasPrefix("check: MV6 ") && $0.contains("(360p/index.m3u8)") })
        let output = try String(contentsOfFile: folder + ".stderr", encoding: .utf8)
        XCTAssertFalse(output.contains("restarting"), output)
        XCTAssertNotNil(output.range(of: #"pictures dropped under load \(behind the live input, no segment lost\): 360p \d+"#, options: .regularExpression), output)
        let overloaded = try playlist(folder, "360p"), healthy = try playlist(folder, "240p")
        XCTAssertFalse(overloaded.segments.contains(where: \.gap), "no segment lost")
        XCTAssertEqual(overloaded.segments.map(\.uri), healthy.segments.map(\.uri))
        XCTAssertEqual(overloaded.segments.count, 6)
        // Every segment still starts with its IDR at the sibling's PTS.
        for (a, b) in zip(overloaded.segments, healthy.segments) {
            let facts = try SegmentFacts.read("\(folder)/360p/\(a.uri)"), sibling = try SegmentFacts.read("\(folder)/240p/\(b.uri)")
            XCTAssertTrue(facts.firstVideoIsIDR, a.uri)
            XCTAssertEqual(facts.firstVideoPTS, sibling.firstVideoPTS, a.uri)
        }
    }

    /// A rendition that fails in the stream's first segment: its stand-in carries that segment's audio
    /// exactly as the sibling's, the encoder's priming frame before the origin included (rule S7).
    func testAGapInTheFirstSegmentCarriesTheSameAudioAsItsSibling() throws {
        let folder = try temporaryFolder(self)
        let result = try runProcess(Repo.executable, ["run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", folder,
                                                      "--realtime", "--playlist-type", "event"],
                                    environment: ProcessInfo.processInfo.environment.merging(["LIVELADDER_FAULTS": "240p:encoder-error@1"]) { $1 })
        XCTAssertEqual(result.status, 8, result.stderr)
        XCTAssertTrue(try playlist(folder, "240p").segments.first?.gap == true)
        let standIn = try SegmentFacts.read(folder + "/240p/segment-0.ts"), sibling = try SegmentFacts.read(folder + "/360p/segment-0.ts")
        XCTAssertEqual(standIn.firstAudioPTS, sibling.firstAudioPTS)
        XCTAssertEqual(standIn.audioPackets, sibling.audioPackets)
        try assertChecks(folder)
    }

    func testRemovedRenditionFolderIsRecreated() throws {
        let folder = try temporaryFolder(self)
        let input = try twelveSeconds(folder)
        let ladder = try Background(Repo.executable, ["run", "--input", input, "--output", folder, "--realtime",
                                                      "--playlist-type", "event"], log: folder + ".stderr")
        XCTAssertTrue(eventually(timeout: 15) { FileManager.default.fileExists(atPath: folder + "/240p/segment-1.ts") })
        try FileManager.default.removeItem(atPath: folder + "/240p")
        // The segments that went with the folder are gaps now: an event output with gaps is content lost,
        // which the exit code says (8), naming the rendition.
        XCTAssertEqual(ladder.wait(timeout: 30), 8, ladder.output)
        XCTAssertTrue(ladder.output.contains("has GAP segments") && ladder.output.contains("240p: "), ladder.output)
        let recreated = try playlist(folder, "240p")
        XCTAssertTrue(recreated.endList)
        XCTAssertTrue(recreated.segments.suffix(2).allSatisfy { !$0.gap }, "the stream continues in the recreated folder")
        XCTAssertEqual(recreated.segments.count, 6)
        try assertChecks(folder)
    }

    func testBudgetExhaustedRenditionLeavesTheMasterWhileTheOthersContinue() throws {
        let folder = try runWithFaults("240p:encoder-error@3", extra: ["--restart-budget", "0"], expectStatus: 8)
        let master = try String(contentsOfFile: folder + "/master.m3u8", encoding: .utf8)
        XCTAssertFalse(master.contains("240p/index.m3u8"), "the given-up rendition left the master")
        XCTAssertTrue(master.contains("360p/index.m3u8"))
        let survivor = try playlist(folder, "360p")
        XCTAssertEqual(survivor.segments.count, 6)
        XCTAssertTrue(survivor.endList)
        XCTAssertTrue(try String(contentsOfFile: folder + ".stderr", encoding: .utf8).contains("rendition 240p failed"))
    }

    func testEveryRenditionFailingEndsTheProcessWithItsExitCode() throws {
        let folder = try temporaryFolder(self)
        let input = try twelveSeconds(folder)
        let started = Date()
        let ladder = try Background(Repo.executable, ["run", "--input", input, "--output", folder, "--realtime",
                                                      "--playlist-type", "live", "--restart-budget", "0"],
                                    log: folder + ".stderr", environment: ["LIVELADDER_FAULTS": "240p:encoder-error@3,360p:encoder-error@3"])
        XCTAssertEqual(ladder.wait(timeout: 30), 10, ladder.output)
        XCTAssertLessThan(Date().timeIntervalSince(started), 8, "it gives up right away, not at the end of the input")
        XCTAssertTrue(ladder.output.contains("every video rendition failed"), ladder.output)
    }

    func testMalformedFaultVariableIsRefused() throws {
        let folder = try temporaryFolder(self)
        let result = try runProcess(Repo.executable, ["run", "--input", Repo.fixture("noaudio-480x270.mp4"), "--output", folder],
                                    environment: ProcessInfo.processInfo.environment.merging(["LIVELADDER_FAULTS": "240p:explode@2"]) { $1 })
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertTrue(result.stderr.contains("LIVELADDER_FAULTS"), result.stderr)
    }
}

/// 12 s of input next to `folder`: the 6 s fixture twice, copied, so a failure has room to recover in.
func twelveSeconds(_ folder: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let input = folder + "-12s.mp4"
    let made = try runProcess("/usr/bin/ffmpeg", ["-nostdin", "-loglevel", "error", "-y", "-stream_loop", "1",
                                                  "-i", Repo.fixture("cfr30-640x360.mp4"), "-c", "copy", input])
    XCTAssertEqual(made.status, 0, made.stderr, file: file, line: line)
    return input
}

/// SIGTERM and SIGINT stop a run cleanly; SIGKILL and a new run on the same folder never rewind.
final class StopAndResumeTests: XCTestCase {
    func testSIGTERMWritesCleanFinalPlaylistsAndExitsZeroWithinTheBound() throws {
        let folder = try temporaryFolder(self)
        let ladder = try Background(Repo.executable, ["run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", folder,
                                                      "--realtime", "--playlist-type", "event"], log: folder + ".stderr")
        XCTAssertTrue(eventually(timeout: 10) { FileManager.default.fileExists(atPath: folder + "/360p/segment-0.ts") })
        Thread.sleep(forTimeInterval: 0.7)
        ladder.signal(SIGTERM)
        let signalled = Date()
        XCTAssertEqual(ladder.wait(timeout: 10), 0, ladder.output)
        XCTAssertLessThan(Date().timeIntervalSince(signalled), 10)
        for name in ["360p", "240p"] {
            let playlist = try MediaPlaylist.parse(String(contentsOfFile: "\(folder)/\(name)/index.m3u8", encoding: .utf8))
            XCTAssertTrue(playlist.endList, "\(name): an event playlist ends with ENDLIST")
            XCTAssertLessThan(playlist.segments.count, 3, "\(name): stopped before the end of the input")
        }
        try assertChecks(folder)
    }

    func testSIGINTKeepsALivePlaylistLive() throws {
        let folder = try temporaryFolder(self)
        let ladder = try Background(Repo.executable, ["run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", folder,
                                                      "--realtime", "--playlist-type", "live"], log: folder + ".stderr")
        XCTAssertTrue(eventually(timeout: 10) { FileManager.default.fileExists(atPath: folder + "/360p/segment-1.ts") })
        ladder.signal(SIGINT)
        XCTAssertEqual(ladder.wait(timeout: 10), 0, ladder.output)
        let playlist = try MediaPlaylist.parse(String(contentsOfFile: "\(folder)/360p/index.m3u8", encoding: .utf8))
        XCTAssertFalse(playlist.endList, "a live playlist stays live, and valid")
        let report = try HLSCheck.run(path: folder, options: CheckOptions(live: true))
        XCTAssertTrue(report.passed, report.failures.map(\.description).joined(separator: "\n"))
    }
}

final class ResumeTests: XCTestCase {
    private func playlist(_ folder: String, _ name: String) throws -> MediaPlaylist {
        try MediaPlaylist.parse(String(contentsOfFile: "\(folder)/\(name)/index.m3u8", encoding: .utf8))
    }

    func testRunAgainAfterSIGKILLContinuesWithoutRewind() throws {
        let folder = try temporaryFolder(self)
        let arguments = ["run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", folder, "--realtime",
                         "--playlist-type", "live", "--list-size", "3"]
        let first = try Background(Repo.executable, arguments, log: folder + ".first")
        XCTAssertTrue(eventually(timeout: 15) { (try? self.playlist(folder, "240p"))?.segments.count == 2 })
        first.signal(SIGKILL)
        first.wait(timeout: 5)
        let before = try ["360p", "240p"].map { try playlist(folder, $0) }

        let second = try liveladder(arguments)
        XCTAssertEqual(second.status, 0, second.stderr)
        // The renditions may have been killed a segment apart; the run goes on after the furthest.
        let next = before.map { $0.mediaSequence + $0.segments.count }.max() ?? 0
        for (name, old) in zip(["360p", "240p"], before) {
            let new = try playlist(folder, name)
            // Numbers go on after the last segment written; nothing is renumbered or listed twice.
            XCTAssertGreaterThanOrEqual(new.mediaSequence, old.mediaSequence, name)
            let numbers = new.segments.indices.map { new.mediaSequence + $0 }
            XCTAssertEqual(new.segments.map(\.uri), numbers.map { "segment-\($0).ts" }, name)
            let join = try XCTUnwrap(new.segments.firstIndex { $0.discontinuity }, "\(name): the join is marked")
            XCTAssertEqual(new.mediaSequence + join, next, "\(name): the first new segment follows the last old one")
            XCTAssertEqual(new.segments.filter(\.discontinuity).count, 1, name)
        }
        let report = try HLSCheck.run(path: folder)
        XCTAssertTrue(report.passed, report.failures.map(\.description).joined(separator: "\n"))
    }

    /// A live folder whose MEDIA-SEQUENCE is near Int.max (edited, damaged) cannot be continued: one line,
    /// exit 7, the folder untouched. Continuing it used to trap on `mediaSequence + segments.count`.
    func testResumingAHugeMediaSequenceIsRefusedNotATrap() throws {
        let folder = try temporaryFolder(self)
        let arguments = ["run", "--input", Repo.fixture("noaudio-480x270.mp4"), "--output", folder, "--playlist-type", "live", "--keep-alive"]
        XCTAssertEqual(try liveladder(arguments).status, 0)
        let path = folder + "/240p/index.m3u8"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "#EXT-X-MEDIA-SEQUENCE:0", with: "#EXT-X-MEDIA-SEQUENCE:9223372036854775800")
        XCTAssertNotEqual(edited, text)
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        let again = try liveladder(arguments)
        XCTAssertEqual(again.status, 7, again.stderr)
        XCTAssertEqual(again.stderr.split(separator: "\n").count, 1, again.stderr)
        XCTAssertTrue(again.stderr.contains("MEDIA-SEQUENCE") && again.stderr.contains("--overwrite"), again.stderr)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), edited)
    }

    func testADifferentConfigurationIsRefused() throws {
        let folder = try temporaryFolder(self)
        let arguments = ["run", "--input", Repo.fixture("noaudio-480x270.mp4"), "--output", folder, "--playlist-type", "live", "--keep-alive"]
        XCTAssertEqual(try liveladder(arguments).status, 0)
        let other = try liveladder(arguments + ["--segment-duration", "1"])
        XCTAssertEqual(other.status, 7, other.stderr)
        XCTAssertTrue(other.stderr.contains("another configuration") && other.stderr.contains("--overwrite"), other.stderr)
        // The same configuration continues it.
        let again = try liveladder(arguments)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try playlist(folder, "240p").segments.filter(\.discontinuity).count, 1)
    }
}

/// What a real player does with a GAP (docs/supervision-players.md has the whole table).
final class GapPlaybackTests: XCTestCase {
    /// GStreamer 1.22's playbin3 stays on the first variant of the master (360p) and, unlike the spec asks,
    /// fetches a GAP entry's URI. The stand-in there lets it play on: every frame of the input, through a
    /// gap in the very rendition it is playing, in both containers.
    func testGStreamerPlaysTheMasterThroughAGapInTheRenditionItIsOnTS() throws {
        try assertGStreamerPlaysThroughGap(extra: [])
    }

    func testGStreamerPlaysTheMasterThroughAGapInTheRenditionItIsOnFMP4() throws {
        try assertGStreamerPlaysThroughGap(extra: ["--segment-format", "fmp4"])
    }

    private func assertGStreamerPlaysThroughGap(extra: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = try temporaryFolder(self)
        let input = try twelveSeconds(folder, file: file, line: line)
        let result = try runProcess(Repo.executable, ["run", "--input", input, "--output", folder, "--realtime", "--playlist-type", "event"] + extra,
                                    environment: ProcessInfo.processInfo.environment.merging(["LIVELADDER_FAULTS": "360p:encoder-error@3"]) { $1 })
        // An event output that keeps a gap exits 8, naming the rendition and its gaps.
        XCTAssertEqual(result.status, 8, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains("has GAP segments") && result.stderr.contains("(360p: 1)"), result.stderr, file: file, line: line)
        let gapped = try MediaPlaylist.parse(String(contentsOfFile: folder + "/360p/index.m3u8", encoding: .utf8))
        let gaps = gapped.segments.filter(\.gap)
        XCTAssertEqual(gaps.count, 1, file: file, line: line)
        try assertChecks(folder, file: file, line: line)
        // The stand-in decodes with the rendition's init segment (fMP4) and covers the gap's frames.
        let standIn = try SegmentFacts.read(folder + "/360p/" + gaps[0].uri, initSegment: gapped.map.map { folder + "/360p/" + $0 })
        XCTAssertTrue(standIn.firstVideoIsIDR, file: file, line: line)
        XCTAssertEqual(standIn.videoPackets, Int((gaps[0].duration * 30).rounded()), file: file, line: line)
        XCTAssertEqual(standIn.width, 640, file: file, line: line)
        let played = try play(folder + "/master.m3u8", file: file, line: line)
        XCTAssertEqual(played.videoFrames, 360, "every frame, the gap's as black", file: file, line: line)
        XCTAssertGreaterThan(played.audioBuffers, 0, file: file, line: line)
    }
}
