import HLSModel
@testable import LiveLadderPush
import XCTest

final class PushLaneTests: XCTestCase {
    private func item(_ path: String, _ work: PushItem.Work) -> PushItem { PushItem(path: path, work: work, readyAt: .now) }
    private func segment(_ n: Int) -> PushItem { item("360p/segment-\(n).m4s", .segment(number: n, bytes: [UInt8(n)])) }
    private func part(_ n: Int, _ k: Int) -> PushItem { item("360p/segment-\(n).\(k).m4s", .part(number: n, index: k, bytes: [1])) }
    private func playlist(_ sequence: Int) -> PushItem {
        item("360p/index.m3u8", .mediaPlaylist(MediaPlaylist(targetDuration: 2, mediaSequence: sequence, segments: [])))
    }

    func testItemsLeaveInOrderOneAtATime() {
        var lane = PushLane(capacity: 3)
        _ = lane.enqueue(item("360p/init.mp4", .initSegment([0])))
        _ = lane.enqueue(segment(0))
        _ = lane.enqueue(playlist(0))
        XCTAssertEqual(lane.next()?.path, "360p/init.mp4")
        XCTAssertNil(lane.next(), "one item in flight at a time")
        lane.finish(acknowledged: true)
        XCTAssertEqual(lane.next()?.path, "360p/segment-0.m4s")
        lane.finish(acknowledged: true)
        XCTAssertEqual(lane.next()?.path, "360p/index.m3u8")
        lane.finish(acknowledged: true)
        XCTAssertTrue(lane.isIdle)
        XCTAssertTrue(lane.playlistOnOrigin)
        XCTAssertEqual(lane.acknowledged, ["360p/init.mp4", "360p/segment-0.m4s", "360p/index.m3u8"])
    }

    func testANewPlaylistReplacesAQueuedOneButNotTheMediaBeforeIt() {
        var lane = PushLane(capacity: 3)
        _ = lane.enqueue(segment(0))
        _ = lane.enqueue(playlist(0))
        _ = lane.enqueue(segment(1))
        let changes = lane.enqueue(playlist(1))
        XCTAssertEqual(changes.superseded.count, 1)
        XCTAssertTrue(changes.givenUp.isEmpty)
        XCTAssertEqual(lane.queue.map(\.path), ["360p/segment-0.m4s", "360p/segment-1.m4s", "360p/index.m3u8"])
        guard case .mediaPlaylist(let newest) = lane.queue.last?.work else { return XCTFail("no playlist") }
        XCTAssertEqual(newest.mediaSequence, 1)
    }

    func testASegmentSupersedesItsQueuedParts() {
        var lane = PushLane(capacity: 3)
        _ = lane.enqueue(part(4, 0))
        _ = lane.enqueue(part(4, 1))
        _ = lane.enqueue(part(3, 5))
        let changes = lane.enqueue(segment(4))
        XCTAssertEqual(Set(changes.superseded.map(\.path)), ["360p/segment-4.0.m4s", "360p/segment-4.1.m4s"])
        XCTAssertEqual(lane.queue.map(\.path), ["360p/segment-3.5.m4s", "360p/segment-4.m4s"])
    }

    func testAWorkingOriginThatIsSlowerLosesNothing() {
        var lane = PushLane(capacity: 3)
        for n in 0..<20 { XCTAssertTrue(lane.enqueue(segment(n)).givenUp.isEmpty) }
        XCTAssertEqual(lane.queuedSegments, 20, "a file transcoded faster than the origin takes it waits in full")
    }

    func testTheByteLimitHoldsWhateverTheOrigin() {
        var lane = PushLane(capacity: 3, byteLimit: 10)
        var lost: [String] = []
        for n in 0..<6 {
            lost += lane.enqueue(item("360p/segment-\(n).m4s", .segment(number: n, bytes: [UInt8](repeating: 1, count: 4)))).givenUp.map(\.path)
        }
        XCTAssertEqual(lost, (0..<4).map { "360p/segment-\($0).m4s" })
        XCTAssertEqual(lane.queuedBytes, 8)
    }

    func testWhileFailingTheBufferGivesUpTheOldestSegmentAndItsParts() {
        var lane = PushLane(capacity: 3)
        lane.failing = true
        for n in 0..<3 { _ = lane.enqueue(segment(n)) }
        _ = lane.enqueue(part(3, 0))
        _ = lane.enqueue(playlist(3))
        let changes = lane.enqueue(segment(3))
        XCTAssertEqual(changes.givenUp.map(\.path), ["360p/segment-0.m4s"])
        XCTAssertEqual(lane.queuedSegments, 3)
        // After a long outage the lane holds the newest three segments: it resumes at the live edge.
        for n in 4..<10 { _ = lane.enqueue(segment(n)) }
        XCTAssertEqual(lane.queue.compactMap { if case .segment(let n, _) = $0.work { n } else { nil } }, [7, 8, 9])
        XCTAssertTrue(lane.queue.contains { $0.path == "360p/index.m3u8" }, "the playlist is never given up")
    }

    func testADeletionOfAnUnsentFileRemovesItInstead() {
        var lane = PushLane(capacity: 3)
        _ = lane.enqueue(segment(0))
        let changes = lane.enqueue(item("360p/segment-0.m4s", .delete))
        XCTAssertEqual(changes.givenUp.map(\.path), ["360p/segment-0.m4s"])
        XCTAssertTrue(lane.queue.isEmpty, "no DELETE for a file the origin never got")
    }

    func testPruneKeepsOnlyWhatTheWindowNames() {
        var lane = PushLane(capacity: 3)
        for n in 0..<3 {
            _ = lane.enqueue(segment(n))
            _ = lane.next()
            lane.finish(acknowledged: true)
        }
        lane.prune(keeping: ["360p/segment-1.m4s", "360p/segment-2.m4s"])
        XCTAssertEqual(lane.acknowledged, ["360p/segment-1.m4s", "360p/segment-2.m4s"])
    }
}

final class OriginPlaylistTests: XCTestCase {
    private func local() -> MediaPlaylist {
        var playlist = MediaPlaylist(targetDuration: 2, mediaSequence: 5, segments: [
            MediaSegment(uri: "segment-5.m4s", duration: 2, parts: [MediaPart(uri: "segment-5.0.m4s", duration: 1, independent: true),
                                                                    MediaPart(uri: "segment-5.1.m4s", duration: 1)]),
            MediaSegment(uri: "segment-6.m4s", duration: 2, parts: [MediaPart(uri: "segment-6.0.m4s", duration: 1, independent: true),
                                                                    MediaPart(uri: "segment-6.1.m4s", duration: 1)]),
        ])
        playlist.map = "init.mp4"
        playlist.partTarget = 1.02
        playlist.serverControl = ServerControl(canBlockReload: true, partHoldBack: 3.06)
        playlist.inProgress = SegmentInProgress(parts: [MediaPart(uri: "segment-7.0.m4s", duration: 1, independent: true),
                                                        MediaPart(uri: "segment-7.1.m4s", duration: 1)])
        playlist.preloadHint = PreloadHint(kind: .part, uri: "segment-7.2.m4s")
        return playlist
    }

    func testEntriesTheOriginLacksBecomeGapsAndIncompletePartsGo() throws {
        let acknowledged: Set<String> = ["v/init.mp4", "v/segment-5.m4s", "v/segment-5.0.m4s", "v/segment-5.1.m4s",
                                         "v/segment-6.0.m4s", "v/segment-7.0.m4s"]
        let shown = try XCTUnwrap(OriginPlaylist.rendered(local(), folder: "v", acknowledged: acknowledged, partsAccepted: true))
        XCTAssertEqual(shown.segments.map(\.gap), [false, true])
        XCTAssertEqual(shown.segments[0].parts.count, 2)
        XCTAssertEqual(shown.segments[1].parts, [], "a GAP entry lists no parts")
        XCTAssertEqual(shown.inProgress?.parts.map(\.uri), ["segment-7.0.m4s"], "only the acknowledged prefix")
        XCTAssertNil(shown.preloadHint, "the hint names the part after the last local one, which is not next on the origin")
        XCTAssertEqual(shown.mediaSequence, 5)
        // The rendered text says the same, and parses back.
        let text = shown.render()
        XCTAssertTrue(text.contains("#EXT-X-GAP\n#EXTINF:2.000000,\nsegment-6.m4s"), text)
        XCTAssertFalse(text.contains("segment-7.1.m4s"))
    }

    func testWithoutTheInitSegmentNothingIsShown() {
        XCTAssertNil(OriginPlaylist.rendered(local(), folder: "v", acknowledged: ["v/segment-5.m4s"], partsAccepted: true))
    }

    func testAnOriginWithoutPartsGetsNoLowLatencyTags() throws {
        let acknowledged: Set<String> = ["v/init.mp4", "v/segment-5.m4s", "v/segment-6.m4s"]
        let text = try XCTUnwrap(OriginPlaylist.rendered(local(), folder: "v", acknowledged: acknowledged, partsAccepted: false)).render()
        for tag in ["EXT-X-PART", "EXT-X-PRELOAD-HINT", "EXT-X-SERVER-CONTROL", "EXT-X-PART-INF", "EXT-X-GAP"] {
            XCTAssertFalse(text.contains(tag), "\(tag) in\n\(text)")
        }
    }
}

final class PushTargetTests: XCTestCase {
    func testAcceptedURLsAndHeaders() throws {
        let target = try PushTarget(url: "http://127.0.0.1:8080/live/one", headers: ["Authorization: Bearer abc", "X-Channel:1"])
        XCTAssertEqual(target.redacted, "http://127.0.0.1:8080/live/one/")
        XCTAssertEqual(target.url(for: "360p/segment-3.ts").absoluteString, "http://127.0.0.1:8080/live/one/360p/segment-3.ts")
        XCTAssertEqual(target.headers.map(\.name), ["Authorization", "X-Channel"])
        XCTAssertEqual(target.headers.map(\.value), ["Bearer abc", "1"])
    }

    func testRefusedTargetsSayWhatIsWrong() {
        let cases: [(String, [String], String)] = [
            ("ftp://host/x/", [], "ftp: is not supported"),
            ("http://user:secret@host/x/", [], "carries credentials"),
            ("http://host/x/?a=1", [], "query or fragment"),
            ("not a url", [], "is not a URL"),
            ("http:///nohost", [], "is not a URL"),
            ("http://host:70000/", [], "out of range"),
            ("http://host/", ["NoColon"], "has no ':'"),
            ("http://host/", ["Bad Name: v"], "is not a header name"),
            ("http://host/", ["X: a\u{0D}\u{0A}Injected: 1"], "control characters"),
            ("http://host/", ["Content-Length: 5"], "set by LiveLadder itself"),
            // Found by the fuzz harness's push kind (flag cases): a refused header or URL is not repeated with
            // the credential it may hold.
            ("http://host/", ["Authorization Bearer secret"], "has no ':'"),
            ("http://host/", ["Authorization Bearer secret:x"], "\"Authorization …\" is not a header name"),
            ("http://user:secret@[::1/x/", [], "\"http://…@[::1/x/\" is not a URL"),
            ("http://user:secret@/x/", [], "is not a URL"),
        ]
        for (url, headers, expected) in cases {
            XCTAssertThrowsError(try PushTarget(url: url, headers: headers), url) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(expected), "\(url) \(headers): \(text)")
                XCTAssertFalse(text.contains("\n"), text)
                XCTAssertFalse(text.contains("secret"), "credentials are never repeated: \(text)")
            }
        }
    }
}
