import Foundation
import XCTest
import HLSChecker
import HLSModel

/// A free TCP/UDP port on the loopback interface (bound, read back, released).
func freePort() -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return UInt16(bigEndian: address.sin_port)
}

/// A TCP socket listening on 127.0.0.1:`port` (to hold a port, or to play an origin that accepts
/// connections and never answers: the kernel completes the handshakes); -1 if it cannot. Close it.
func listeningSocket(port: UInt16, backlog: Int32 = 1) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = port.bigEndian
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard fd >= 0, bound == 0, listen(fd, backlog) == 0 else {
        if fd >= 0 { close(fd) }
        return -1
    }
    return fd
}

/// A child process running in the background: liveladder under test, or an ffmpeg publisher.
final class Background {
    let process = Process()
    let log: String

    init(_ executable: String, _ arguments: [String], log: String, stdin: Pipe? = nil, stdout: Pipe? = nil,
         environment: [String: String] = [:]) throws {
        self.log = log
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        guard FileManager.default.createFile(atPath: log, contents: nil), let handle = FileHandle(forWritingAtPath: log) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: log])
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardError = handle
        process.standardOutput = stdout ?? handle
        if let stdin { process.standardInput = stdin } else { process.standardInput = FileHandle.nullDevice }
        try process.run()
    }

    static func ffmpeg(_ arguments: [String], log: String, stdout: Pipe? = nil) throws -> Background {
        try Background("/usr/bin/ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error"] + arguments, log: log, stdout: stdout)
    }

    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { if process.isRunning { kill(process.processIdentifier, number) } }

    /// Waits for the process to end; nil if it is still running after `timeout`.
    @discardableResult
    func wait(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// A watcher's background loop: `body(round)` every `interval` seconds until `stop()`, which returns once
/// the round in progress has finished.
final class PollingLoop: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    init(interval: Double, _ body: @escaping @Sendable (Int) -> Void) {
        Thread { [self] in
            var round = 0
            while lock.withLock({ running }) {
                round += 1
                body(round)
                Thread.sleep(forTimeInterval: interval)
            }
            finished.signal()
        }.start()
    }

    func stop() {
        lock.withLock { running = false }
        finished.wait()
    }
}

/// Waits until `condition` holds or `timeout` passes.
func eventually(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.1)
    }
    return condition()
}

/// Watches a live output while it is written: snapshots every media playlist twice a second and checks
/// the live rules that need time to see — the window, sequence numbers only going up, PROGRAM-DATE-TIME
/// against the wall clock, segments deleted but never early (MP10) — and runs `liveladder check` on a
/// snapshot every few rounds.
final class LiveWatcher: @unchecked Sendable {
    private let folder: String
    private let renditions: [String]
    private let listSize: Int
    private let lock = NSLock()
    private var failures: [String] = []
    private var loop: PollingLoop?
    private(set) var snapshots = 0
    /// Once the publisher is gone, the last segment closes when the loss is detected (after the input
    /// timeout), not when its last frame arrived: the wall-clock check stops there.
    private var publisherGone = false
    func publisherEnded() { lock.withLock { publisherGone = true } }
    private(set) var checkedSnapshots = 0
    /// Per rendition: the last playlist seen, and when each URI left the window.
    private var last: [String: MediaPlaylist] = [:]
    private var left: [String: (at: Date, duration: Double, window: Double)] = [:]
    private var longestWindow: [String: Double] = [:]

    /// Renditions whose publishing delay is held against the wall clock (default: all). A rendition that is
    /// being restarted on purpose publishes its first segment after a restart late; its PROGRAM-DATE-TIME
    /// is still right (the same session clock as its siblings'), which `check` verifies.
    private let wallClockRenditions: Set<String>

    init(folder: String, renditions: [String], listSize: Int, wallClockRenditions: Set<String>? = nil) {
        self.folder = folder
        self.renditions = renditions
        self.listSize = listSize
        self.wallClockRenditions = wallClockRenditions ?? Set(renditions)
        loop = PollingLoop(interval: 0.5) { [self] round in takeSnapshot(runCheck: round % 4 == 0) }
    }

    /// Stops watching; returns every violation seen.
    func stop() -> [String] {
        loop?.stop()
        return lock.withLock { failures }
    }

    private func fail(_ message: String) { lock.withLock { failures.append(message) } }

    private func takeSnapshot(runCheck: Bool) {
        let now = Date()
        var sawAll = true
        for name in renditions {
            let path = folder + "/" + name + "/index.m3u8"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                  let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let written = attributes[.modificationDate] as? Date else { sawAll = false; continue }
            let playlist: MediaPlaylist
            do { playlist = try MediaPlaylist.parse(text) } catch { fail("\(name): unparsable playlist: \(error)"); continue }
            check(name, playlist, written: written, now: now)
            last[name] = playlist
        }
        lock.withLock { snapshots += 1 }
        if runCheck && sawAll && FileManager.default.fileExists(atPath: folder + "/master.m3u8") {
            do {
                let report = try HLSCheck.run(path: folder, options: CheckOptions(live: true))
                lock.withLock { checkedSnapshots += 1 }
                for failure in report.failures where !Self.transient(failure) { fail("check: \(failure)") }
            } catch {
                fail("check threw: \(error)")
            }
        }
    }

    /// A snapshot taken while renditions publish one after another can see rendition A one segment ahead
    /// of rendition B; the cross-rendition rules then compare different windows. Those are not failures.
    private static func transient(_ failure: RuleFailure) -> Bool {
        ["MP5", "MP7", "S2", "MV3", "MV4"].contains(failure.rule) && failure.message.contains("not in")
    }

    private func check(_ name: String, _ playlist: MediaPlaylist, written: Date, now: Date) {
        let window = playlist.segments.reduce(0) { $0 + $1.duration }
        // More than --list-size only when removing the oldest would leave under 3 × TARGETDURATION (RFC 8216 §6.2.2).
        if playlist.segments.count > listSize,
           window - (playlist.segments.first?.duration ?? 0) >= 3 * Double(playlist.targetDuration) {
            fail("\(name): \(playlist.segments.count) segments in a \(listSize)-segment window")
        }
        if playlist.discontinuitySequence == nil { fail("\(name): no EXT-X-DISCONTINUITY-SEQUENCE") }
        if playlist.playlistType != nil { fail("\(name): a live playlist has PLAYLIST-TYPE") }
        longestWindow[name] = max(longestWindow[name] ?? 0, window)
        if playlist.mediaSequence > 0 && window < 3 * Double(playlist.targetDuration) {
            fail("\(name): the window holds \(window) s, under 3 × TARGETDURATION")
        }
        for segment in playlist.segments where segment.programDateTime == nil && !segment.gap {
            fail("\(name): \(segment.uri) has no PROGRAM-DATE-TIME")
        }
        let dates = playlist.segments.compactMap(\.programDateTime)
        if zip(dates, dates.dropFirst()).contains(where: { $0 >= $1 }) { fail("\(name): PROGRAM-DATE-TIME not increasing") }
        if let newest = playlist.segments.last, let date = newest.programDateTime, !playlist.endList,
           wallClockRenditions.contains(name), !lock.withLock({ publisherGone }) {
            // The newest segment ends about when its last frame arrived, shortly before the playlist was written.
            let end = date.addingTimeInterval(newest.duration)
            let skew = written.timeIntervalSince(end)
            if abs(skew) > 1.0 { fail("\(name): newest segment ends \(skew) s before the playlist was written (PDT off the wall clock)") }
        }
        if let previous = last[name] {
            if playlist.mediaSequence < previous.mediaSequence { fail("\(name): MEDIA-SEQUENCE went back") }
            if (playlist.discontinuitySequence ?? 0) < (previous.discontinuitySequence ?? 0) { fail("\(name): DISCONTINUITY-SEQUENCE went back") }
            // The same number always names the same URI.
            for (index, segment) in previous.segments.enumerated() {
                let number = previous.mediaSequence + index
                let now = number - playlist.mediaSequence
                if now >= 0 && now < playlist.segments.count && playlist.segments[now].uri != segment.uri {
                    fail("\(name): segment \(number) changed from \(segment.uri) to \(playlist.segments[now].uri)")
                }
                // A GAP entry has no file to keep.
                if now < 0 && !segment.gap && left[name + "/" + segment.uri] == nil {
                    left[name + "/" + segment.uri] = (Date(), segment.duration, longestWindow[name] ?? window)
                }
            }
        }
        // Rule MP10: a segment that left the window stays for its duration plus the playlist's.
        for (key, info) in left where key.hasPrefix(name + "/") {
            let path = folder + "/" + key
            let age = now.timeIntervalSince(info.at)
            if age < info.duration + info.window - 0.5 && !FileManager.default.fileExists(atPath: path) {
                fail("\(key) deleted \(age) s after leaving the window (grace \(info.duration + info.window) s)")
            }
        }
    }

    /// URIs that left the window long enough ago to be gone.
    func expiredSegmentsStillOnDisk(slack: Double) -> [String] {
        let now = Date()
        return left.filter { now.timeIntervalSince($0.value.at) > $0.value.duration + $0.value.window + slack }
            .map(\.key).filter { FileManager.default.fileExists(atPath: folder + "/" + $0) }
    }

    var leftCount: Int { left.count }
}
