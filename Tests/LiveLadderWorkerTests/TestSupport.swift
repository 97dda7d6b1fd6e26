import Foundation
import LiveLadderCore
#if canImport(Glibc)
import Glibc
#endif

/// The event payloads have no public memberwise initializers; they are Codable, so tests build them
/// from JSON, which also pins the field names the events file documents.
enum Fixture {
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) -> T {
        try! JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    static func run(input: String = "in.mp4", listening: Bool = false, playlistType: String = "vod") -> RunDescription {
        decode(RunDescription.self, """
        {"input":"\(input)","output":"out","playlistType":"\(playlistType)","segmentFormat":"ts","segmentDuration":2,
         "listening":\(listening),"inputCanWait":\(!listening)}
        """)
    }

    static let ladder: [RenditionPlan] = [
        decode(RenditionPlan.self, #"{"name":"720p","width":1280,"height":720,"videoBitrate":3000000,"maxBitrate":3300000,"preset":"veryfast"}"#),
        decode(RenditionPlan.self, #"{"name":"360p","width":640,"height":360,"videoBitrate":800000,"maxBitrate":880000,"preset":"veryfast"}"#),
    ]

    static func input(url: String = "in.mp4") -> InputDescription {
        decode(InputDescription.self, #"{"protocol":"file","url":"\#(url)","session":1,"videoCodec":"h264","width":1280,"height":720,"declaredFPS":30}"#)
    }

    static func segment(_ rendition: String, _ number: Int, gap: Bool = false) -> SegmentPublication {
        decode(SegmentPublication.self, #"{"rendition":"\#(rendition)","number":\#(number),"duration":2,"bytes":\#(gap ? 0 : 1000),"gap":\#(gap),"discontinuity":false}"#)
    }

    static func snapshot(at time: Date, frames: Int, media: Double, renditionMedia: [String: Double] = [:]) -> RunSnapshot {
        let renditions = ladder.map { plan in
            RunSnapshot.Rendition(name: plan.name, state: .up, itemsEncoded: frames, mediaSeconds: renditionMedia[plan.name] ?? media,
                                  framesDropped: 0, queueDepth: 0, queueCapacity: 16, shedding: false, restarts: 0, lastError: nil)
        }
        return RunSnapshot(time: time, inputConnected: true, sessions: 1, videoFrames: frames, mediaSeconds: media, renditions: renditions)
    }

    static func report(exitCode: Int32 = 0) -> RunReport {
        RunReport(exitCode: exitCode, error: nil, counters: RunSnapshot(time: Date(timeIntervalSince1970: 0)),
                  segments: ["720p": 1], gaps: [:], outputBytes: ["720p": 1000])
    }
}

/// Keeps every event the bus delivers, to hand to the pure functions (StampedEvent has no public init).
final class Recorder: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var events: [StampedEvent] = []
    func observe(_ event: StampedEvent) { lock.withLock { events.append(event) } }
    var all: [StampedEvent] { lock.withLock { events } }
}

/// Collects what a writer closure is given.
final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ text: String) { lock.withLock { items.append(text) } }
    var all: [String] { lock.withLock { items } }
}

/// A bus with a status model on it, as the CLI sets them up.
func makeBus() -> (RunEventBus, RunStatusModel) {
    let bus = RunEventBus()
    let status = RunStatusModel()
    bus.add(status)
    return (bus, status)
}

/// Polls `condition` every 5 ms for up to `seconds`; fails the test when it never holds.
func waitUntil(_ seconds: Double = 2, _ condition: () -> Bool) async throws {
    let end = Date().addingTimeInterval(seconds)
    while !condition() {
        guard Date() < end else { throw TimedOut() }
        try await Task.sleep(for: .milliseconds(5))
    }
}

struct TimedOut: Error {}

func temporaryPath(_ name: String) -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liveladder-worker-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent("\(UUID().uuidString.prefix(8))-\(name)").path
}

/// A bound AF_UNIX datagram socket standing in for systemd's notify socket.
final class DatagramReceiver: @unchecked Sendable {
    let path: String
    private let fd: Int32

    /// `path` is a file path, or `@name` for the abstract namespace.
    init(path: String) {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        precondition(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + bytes.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        precondition(bound == 0, "bind \(path): \(String(cString: strerror(errno)))")
    }

    deinit {
        close(fd)
        if !path.hasPrefix("@") { unlink(path) }
    }

    /// Every datagram that arrives within `seconds`. Polls without blocking and sleeps between polls: a
    /// blocking `recv` would hold a thread of the cooperative pool that the notifier's tasks need.
    func receive(for seconds: Double) async -> [String] {
        let end = Date().addingTimeInterval(seconds)
        var messages: [String] = []
        repeat {
            messages += drain()
            try? await Task.sleep(for: .milliseconds(5))
        } while Date() < end
        return messages + drain()
    }

    /// Datagrams until one equals `message` (included), or `seconds` pass.
    func receive(until message: String, within seconds: Double) async -> [String] {
        let end = Date().addingTimeInterval(seconds)
        var messages: [String] = []
        while Date() < end {
            messages += drain()
            if messages.contains(message) { break }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return messages
    }

    private func drain() -> [String] {
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard count > 0 else { return messages }
            messages.append(String(decoding: buffer[0..<count], as: UTF8.self))
        }
    }
}
