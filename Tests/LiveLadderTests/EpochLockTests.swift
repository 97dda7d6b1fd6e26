import Foundation
import XCTest
import HLSChecker
import HLSModel

/// Two epoch-locked instances on one live feed (docs/redundancy.md): one ffmpeg publisher sends the same
/// MPEG-TS to two UDP ports; instance B starts 3.7 s after A, and A is SIGKILLed mid-run and started again
/// on its folder. Every segment number both have must be the same segment: start PTS, duration,
/// PROGRAM-DATE-TIME, IDR first, discontinuity sequence. Neither playlist ever rewinds, and both pass check.
final class EpochLockTests: XCTestCase {
    static let renditions = ["180p", "108p"]

    func testTwoInstancesAgreeSegmentBySegmentThroughACrashAt30fps() throws {
        try assertInstancesAgree(rate: "30", segmentDuration: "2", segmentTicks: 180_000)
    }

    func testTwoInstancesAgreeSegmentBySegmentAt2997fpsInFragmentedMP4() throws {
        // 2.002 s is 60 frames of 30000/1001 fps: 180,180 ticks.
        try assertInstancesAgree(rate: "30000/1001", segmentDuration: "2.002", segmentTicks: 180_180, format: "fmp4")
    }

    private func writeConfig(_ root: String, segmentDuration: String, format: String) throws -> String {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let config = root + "/ladder.yaml"
        try """
        segmentDuration: \(segmentDuration)
        segmentFormat: \(format)
        epochLock: true
        renditions:
          - {name: 180p, width: 320, height: 180, videoBitrate: 300k, preset: ultrafast}
          - {name: 108p, width: 192, height: 108, videoBitrate: 150k, preset: ultrafast}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    /// One encoder publishing the same MPEG-TS to both instances' UDP ports, in real time.
    private func publish(_ root: String, rate: String, seconds: Int, ports: (UInt16, UInt16), also: [UInt16] = [], log: String) throws -> Background {
        try Background.ffmpeg([
            "-re", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=\(rate)", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "\(seconds)", "-c:v", "libx264", "-preset", "ultrafast", "-g", "15", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k",
            "-map", "0:v", "-map", "1:a", "-f", "tee",
            ([ports.0, ports.1] + also).map { "[f=mpegts:onfail=ignore]udp://127.0.0.1:\($0)?pkt_size=1316" }.joined(separator: "|"),
        ], log: root + "/" + log)
    }

    private func instance(_ root: String, _ name: String, _ port: UInt16, config: String, log: String, extra: [String] = []) throws -> Background {
        try Background(Repo.executable, ["run", "--input", "udp://127.0.0.1:\(port)", "--output", root + "/" + name,
                                         "--config", config, "--playlist-type", "event", "--input-timeout", "3", "--quiet"] + extra,
                       log: root + "/" + log)
    }

    private func assertInstancesAgree(rate: String, segmentDuration: String, segmentTicks: Int64, format: String = "ts") throws {
        let root = try temporaryFolder(self, "epoch")
        let config = try writeConfig(root, segmentDuration: segmentDuration, format: format)
        let (portA, portB) = (freePort(), freePort())
        func instance(_ name: String, _ port: UInt16, log: String) throws -> Background {
            try self.instance(root, name, port, config: config, log: log)
        }
        var a = try instance("a", portA, log: "a1.log")
        Thread.sleep(forTimeInterval: 0.3)
        let publisher = try publish(root, rate: rate, seconds: 34, ports: (portA, portB), log: "publisher.log")
        let watcher = SequenceWatcher(folders: [root + "/a", root + "/b"], renditions: Self.renditions)
        Thread.sleep(forTimeInterval: 3.7)
        let b = try instance("b", portB, log: "b.log")
        // A has published a few segments by now; it dies with no warning and comes back on its folder.
        XCTAssertTrue(eventually(timeout: 20) { ((try? self.numbers(root + "/a/180p/index.m3u8"))?.count ?? 0) >= 3 }, a.output)
        Thread.sleep(forTimeInterval: 1.3)
        a.signal(SIGKILL)
        XCTAssertEqual(a.wait(timeout: 10), SIGKILL, "A was killed")
        Thread.sleep(forTimeInterval: 2.5)
        a = try instance("a", portA, log: "a2.log")
        XCTAssertTrue(eventually(timeout: 20) { (try? String(contentsOfFile: root + "/a/180p/index.m3u8", encoding: .utf8))?.contains("#EXT-X-GAP") == true },
                      "the restarted A lists its downtime as GAP entries: \(a.output)")
        Thread.sleep(forTimeInterval: 8)
        a.signal(SIGTERM)
        b.signal(SIGTERM)
        XCTAssertEqual(a.wait(timeout: 20), 0, a.output)
        XCTAssertEqual(b.wait(timeout: 20), 0, b.output)
        publisher.signal(SIGTERM)
        XCTAssertEqual(watcher.stop(), [], "a playlist went back")

        var compared = 0
        for name in Self.renditions {
            let playlistA = try MediaPlaylist.parse(String(contentsOfFile: "\(root)/a/\(name)/index.m3u8", encoding: .utf8))
            let playlistB = try MediaPlaylist.parse(String(contentsOfFile: "\(root)/b/\(name)/index.m3u8", encoding: .utf8))
            let segmentsA = try describe(playlistA, folder: "\(root)/a/\(name)")
            let segmentsB = try describe(playlistB, folder: "\(root)/b/\(name)")
            XCTAssertTrue(segmentsA.values.contains { $0.gap }, "\(name): A's downtime is GAP entries")
            XCTAssertFalse(segmentsB.values.contains { $0.gap }, "\(name): B ran throughout")
            XCTAssertFalse(playlistA.segments.contains { $0.discontinuity }, "\(name): A resumed the same input session, no discontinuity")
            // Each instance's last segment ends where it was stopped, which is not the same frame.
            let last = min(playlistA.mediaSequence + playlistA.segments.count, playlistB.mediaSequence + playlistB.segments.count) - 1
            let both = Set(segmentsA.keys).intersection(segmentsB.keys).filter { $0 < last && !segmentsA[$0]!.gap && !segmentsB[$0]!.gap }
            XCTAssertGreaterThanOrEqual(both.count, 4, "\(name): segments made by both instances")
            for number in both.sorted() {
                let (x, y) = (segmentsA[number]!, segmentsB[number]!)
                XCTAssertEqual(x.pts, y.pts, "\(name) segment \(number): start PTS")
                let grid = Int64(number) * segmentTicks
                XCTAssertEqual(x.pts, format == "ts" ? grid & ((1 << 33) - 1) : grid, "\(name) segment \(number): starts on its grid line (mod 2^33 in TS)")
                XCTAssertEqual(x.duration, y.duration, accuracy: 0.0005, "\(name) segment \(number): duration")
                XCTAssertEqual(x.date, y.date, "\(name) segment \(number): PROGRAM-DATE-TIME")
                XCTAssertEqual(x.date.map { ($0.timeIntervalSince1970 * 1000).rounded() }, Double(Int64(number) * segmentTicks / 90), "\(name) segment \(number): PROGRAM-DATE-TIME is T0 + n·D")
                XCTAssertTrue(x.idr && y.idr, "\(name) segment \(number): IDR first")
                XCTAssertEqual(x.discontinuitySequence, y.discontinuitySequence, "\(name) segment \(number): discontinuity sequence")
                compared += 1
            }
        }
        XCTAssertGreaterThanOrEqual(compared, 8)
        for folder in ["a", "b"] {
            let report = try HLSCheck.run(path: root + "/" + folder, options: CheckOptions(live: false))
            XCTAssertTrue(report.passed, "\(folder): " + report.failures.map(\.description).joined(separator: "\n"))
        }
    }

    /// The publisher stops and a new one starts 3 s later (new timestamps): both instances end the first
    /// session at the same frame, list the same GAP entries, and start the new session after one
    /// discontinuity at the same grid line, so every entry still agrees, discontinuity sequence included.
    /// A third instance, in fMP4 with the slate filling the outage, must pass check across the same break.
    func testANewInputSessionStartsAtTheSameGridLineInBothInstances() throws {
        let root = try temporaryFolder(self, "epoch")
        let config = try writeConfig(root, segmentDuration: "2", format: "ts")
        let slateConfig = try writeConfig(root + "/c-config", segmentDuration: "2", format: "fmp4")
        let ports = (freePort(), freePort())
        let slatePort = freePort()
        let a = try instance(root, "a", ports.0, config: config, log: "a.log", extra: ["--no-slate"])
        let b = try instance(root, "b", ports.1, config: config, log: "b.log", extra: ["--no-slate"])
        let c = try instance(root, "c", slatePort, config: slateConfig, log: "c.log", extra: ["--part-duration", "0.5"])
        Thread.sleep(forTimeInterval: 0.3)
        let first = try publish(root, rate: "30", seconds: 11, ports: ports, also: [slatePort], log: "publisher1.log")
        XCTAssertEqual(first.wait(timeout: 30), 0, first.output)
        Thread.sleep(forTimeInterval: 4)
        let second = try publish(root, rate: "30", seconds: 11, ports: ports, also: [slatePort], log: "publisher2.log")
        XCTAssertEqual(second.wait(timeout: 30), 0, second.output)
        Thread.sleep(forTimeInterval: 1)
        for process in [a, b, c] { process.signal(SIGTERM) }
        XCTAssertEqual(a.wait(timeout: 20), 0, a.output)
        XCTAssertEqual(b.wait(timeout: 20), 0, b.output)
        XCTAssertEqual(c.wait(timeout: 20), 0, c.output)
        let slated = try MediaPlaylist.parse(String(contentsOfFile: "\(root)/c/180p/index.m3u8", encoding: .utf8))
        XCTAssertEqual(slated.segments.filter(\.discontinuity).count, 1, "the slate's instance: one discontinuity, where the new session starts")
        for name in Self.renditions {
            let x = try describe(MediaPlaylist.parse(String(contentsOfFile: "\(root)/a/\(name)/index.m3u8", encoding: .utf8)), folder: "\(root)/a/\(name)")
            let y = try describe(MediaPlaylist.parse(String(contentsOfFile: "\(root)/b/\(name)/index.m3u8", encoding: .utf8)), folder: "\(root)/b/\(name)")
            let both = Set(x.keys).intersection(y.keys).sorted().dropLast()
            XCTAssertGreaterThanOrEqual(both.count, 8, name)
            XCTAssertTrue(both.contains { x[$0]!.gap }, "\(name): the outage is GAP entries")
            XCTAssertEqual(Set(both.map { x[$0]!.discontinuitySequence }).count, 2, "\(name): one discontinuity")
            for number in both {
                XCTAssertEqual(x[number]!.gap, y[number]!.gap, "\(name) segment \(number): GAP")
                XCTAssertEqual(x[number]!.pts, y[number]!.pts, "\(name) segment \(number): start PTS")
                XCTAssertEqual(x[number]!.duration, y[number]!.duration, accuracy: 0.0005, "\(name) segment \(number): duration")
                XCTAssertEqual(x[number]!.date, y[number]!.date, "\(name) segment \(number): PROGRAM-DATE-TIME")
                XCTAssertEqual(x[number]!.discontinuitySequence, y[number]!.discontinuitySequence, "\(name) segment \(number): discontinuity sequence")
            }
        }
        for folder in ["a", "b", "c"] {
            let report = try HLSCheck.run(path: root + "/" + folder, options: CheckOptions(live: false))
            XCTAssertTrue(report.passed, "\(folder): " + report.failures.map(\.description).joined(separator: "\n"))
        }
    }

    /// A live instance down for longer than its window (here 6 s of 0.5 s segments, a 3-segment window)
    /// goes on at the grid line after its downtime: the playlist's sequence jumps over what no playlist
    /// could ever list (no stand-in is made for those), never back, and the output passes check.
    func testADowntimeLongerThanTheWindowIsSkippedNotFilled() throws {
        let root = try temporaryFolder(self, "epoch")
        let config = try writeConfig(root, segmentDuration: "0.5", format: "ts")
        let ports = (freePort(), freePort())
        func live(_ log: String) throws -> Background {
            try Background(Repo.executable, ["run", "--input", "udp://127.0.0.1:\(ports.0)", "--output", root + "/a", "--config", config,
                                             "--playlist-type", "live", "--list-size", "3", "--input-timeout", "3", "--quiet",
                                             "--events", root + "/" + log + ".events", "--events-segments"],
                           log: root + "/" + log)
        }
        var a = try live("a1.log")
        Thread.sleep(forTimeInterval: 0.3)
        let publisher = try publish(root, rate: "30", seconds: 24, ports: ports, log: "publisher.log")
        let watcher = SequenceWatcher(folders: [root + "/a"], renditions: Self.renditions)
        XCTAssertTrue(eventually(timeout: 20) { ((try? self.numbers(root + "/a/180p/index.m3u8"))?.count ?? 0) >= 4 }, a.output)
        let before = try numbers(root + "/a/180p/index.m3u8").last ?? 0
        a.signal(SIGKILL)
        XCTAssertEqual(a.wait(timeout: 10), SIGKILL)
        Thread.sleep(forTimeInterval: 6)
        a = try live("a2.log")
        XCTAssertTrue(eventually(timeout: 20) {
            let playlist = try? MediaPlaylist.parse(String(contentsOfFile: root + "/a/180p/index.m3u8", encoding: .utf8))
            return playlist?.segments.contains { !$0.gap && $0.uri != "segment-\(before).ts" } == true
                && (playlist?.mediaSequence ?? 0) > before
        }, "the resumed instance publishes past its downtime: \(a.output)")
        Thread.sleep(forTimeInterval: 3)
        a.signal(SIGTERM)
        XCTAssertEqual(a.wait(timeout: 20), 0, a.output)
        publisher.signal(SIGTERM)
        XCTAssertEqual(watcher.stop(), [], "the sequence went back")
        let playlist = try MediaPlaylist.parse(String(contentsOfFile: root + "/a/180p/index.m3u8", encoding: .utf8))
        XCTAssertFalse(playlist.segments.contains(where: \.discontinuity), "the same input session: no discontinuity")
        // The GAP entries the resumed process published: only the last few of the downtime (the window's
        // worth), not the first ones, which no playlist could ever list.
        let events = try String(contentsOfFile: root + "/a2.log.events", encoding: .utf8).split(separator: "\n")
        let gaps = try events.compactMap { line -> Int? in
            let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let data = event?["data"] as? [String: Any]
            guard event?["type"] as? String == "segment.published", data?["rendition"] as? String == "180p",
                  data?["gap"] as? Bool == true else { return nil }
            return data?["number"] as? Int
        }
        let firstNew = try XCTUnwrap(events.compactMap { line -> Int? in
            let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let data = event?["data"] as? [String: Any]
            return event?["type"] as? String == "segment.published" && data?["gap"] as? Bool == false ? data?["number"] as? Int : nil
        }.min())
        XCTAssertGreaterThan(firstNew - before - 1, 8, "about 6 s of 0.5 s segments were missed")
        XCTAssertFalse(gaps.contains(before + 1), "the downtime's first segment was skipped, not filled: \(gaps)")
        XCTAssertFalse(gaps.isEmpty)
        XCTAssertLessThanOrEqual(gaps.count, 8, "at most a window's worth of GAP entries: \(gaps)")
        let report = try HLSCheck.run(path: root + "/a", options: CheckOptions(live: true))
        XCTAssertTrue(report.passed, report.failures.map(\.description).joined(separator: "\n"))
    }

    private func numbers(_ path: String) throws -> [Int] {
        let playlist = try MediaPlaylist.parse(String(contentsOfFile: path, encoding: .utf8))
        return playlist.segments.indices.map { playlist.mediaSequence + $0 }
    }

    struct Described {
        let gap: Bool
        let pts: Int64?
        let duration: Double
        let date: Date?
        let idr: Bool
        let discontinuitySequence: Int
    }

    /// Every entry of a finished playlist by media sequence number, with what its file holds.
    private func describe(_ playlist: MediaPlaylist, folder: String) throws -> [Int: Described] {
        var result: [Int: Described] = [:]
        var sequence = playlist.discontinuitySequence ?? 0
        for (index, segment) in playlist.segments.enumerated() {
            if segment.discontinuity { sequence += 1 }
            let facts = segment.gap ? nil : try SegmentFacts.read(folder + "/" + segment.uri, initSegment: playlist.map.map { folder + "/" + $0 })
            result[playlist.mediaSequence + index] = Described(gap: segment.gap, pts: facts?.firstVideoPTS, duration: segment.duration,
                                                               date: segment.programDateTime, idr: facts?.firstVideoIsIDR ?? false,
                                                               discontinuitySequence: sequence)
        }
        return result
    }
}

/// Polls media playlists while instances write them: the media sequence and the last segment number may
/// only go up, across restarts of the process too.
final class SequenceWatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [String] = []
    private var seen: [String: (first: Int, last: Int)] = [:]
    private var loop: PollingLoop?

    init(folders: [String], renditions: [String]) {
        let paths = folders.flatMap { folder in renditions.map { folder + "/" + $0 + "/index.m3u8" } }
        loop = PollingLoop(interval: 0.2) { [self] _ in for path in paths { look(path) } }
    }

    private func look(_ path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let playlist = try? MediaPlaylist.parse(text) else { return }
        let now = (first: playlist.mediaSequence, last: playlist.mediaSequence + playlist.segments.count - 1)
        lock.withLock {
            if let before = seen[path], now.first < before.first || now.last < before.last {
                failures.append("\(path): from \(before) to \(now)")
            }
            seen[path] = now
        }
    }

    func stop() -> [String] {
        loop?.stop()
        return lock.withLock { failures }
    }
}
