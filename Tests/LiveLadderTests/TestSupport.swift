import Foundation
import XCTest
import FFmpegKit
import HLSModel

/// Paths of the repository, the committed fixtures and the built `liveladder` executable.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func fixture(_ name: String) -> String { root.appendingPathComponent("fixtures/" + name).path }
    static func tool(_ name: String) -> String { root.appendingPathComponent("tools/" + name).path }

    /// The executable sits in the build products folder, beside the test bundle (Linux reports that folder
    /// as the bundle URL, macOS the `.xctest` bundle inside it).
    static var executable: String {
        let bundle = Bundle(for: BundleLocator.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("liveladder").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }
    private final class BundleLocator {}
}

/// A fresh temporary folder, removed when the test ends.
func temporaryFolder(_ test: XCTestCase, _ name: String = "out") throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("liveladder-tests-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path + "/" + name
}

struct ProcessResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs a program to completion and captures its output.
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting, so a chatty child never blocks on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data(), errData = Data()
    group.enter()
    DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    errData = err.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

func liveladder(_ arguments: String...) throws -> ProcessResult {
    try runProcess(Repo.executable, arguments)
}

func liveladder(_ arguments: [String]) throws -> ProcessResult {
    try runProcess(Repo.executable, arguments)
}

/// Facts about one segment read back with libavformat, independently of how it was written.
struct SegmentFacts {
    var firstVideoPTS: Int64?
    var lastVideoPTS: Int64?
    var videoPackets = 0
    var firstVideoIsIDR = false
    var firstAudioPTS: Int64?
    var audioPackets = 0
    var width: Int?
    var height: Int?

    /// Reads `segment` (prefixed with `initSegment` for fMP4); PTS in 90 kHz ticks.
    static func read(_ segment: String, initSegment: String? = nil) throws -> SegmentFacts {
        var bytes: [UInt8] = []
        if let initSegment { bytes += try [UInt8](Data(contentsOf: URL(fileURLWithPath: initSegment))) }
        bytes += try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
        let input = try MediaInput(bytes: bytes, name: segment)
        var facts = SegmentFacts()
        let video = input.streams.first { $0.kind == .video }
        let audio = input.streams.first { $0.kind == .audio }
        facts.width = video?.width
        facts.height = video?.height
        while let packet = try input.read() {
            let ticks = (packet.pts ?? packet.dts).map { input.timeBase(ofStream: packet.streamIndex).rescale($0, to: .mpegClock) }
            if packet.streamIndex == video?.index {
                if facts.videoPackets == 0 {
                    let payload = packet.bytes
                    facts.firstVideoIsIDR = packet.isKeyframe
                        && (H264.containsIDR(annexB: payload) || H264.containsIDR(lengthPrefixed: payload))
                }
                facts.videoPackets += 1
                if let ticks {
                    facts.firstVideoPTS = min(facts.firstVideoPTS ?? ticks, ticks)
                    facts.lastVideoPTS = max(facts.lastVideoPTS ?? ticks, ticks)
                }
            } else if packet.streamIndex == audio?.index {
                facts.audioPackets += 1
                if let ticks { facts.firstAudioPTS = min(facts.firstAudioPTS ?? ticks, ticks) }
            }
        }
        return facts
    }
}

/// A finished output folder, parsed.
struct Output {
    let folder: String
    let master: MultivariantPlaylist

    init(_ folder: String) throws {
        self.folder = folder
        master = try MultivariantPlaylist.parse(String(contentsOfFile: folder + "/master.m3u8", encoding: .utf8))
    }

    func media(_ uri: String) throws -> MediaPlaylist {
        try MediaPlaylist.parse(String(contentsOfFile: folder + "/" + uri, encoding: .utf8))
    }

    /// Facts for every segment of the media playlist at `uri`.
    func segments(_ uri: String) throws -> [(segment: MediaSegment, facts: SegmentFacts)] {
        let playlist = try media(uri)
        let directory = (folder + "/" + uri as NSString).deletingLastPathComponent
        return try playlist.segments.map { segment in
            (segment, try SegmentFacts.read(directory + "/" + segment.uri, initSegment: playlist.map.map { directory + "/" + $0 }))
        }
    }
}

/// What GStreamer's playbin3 decoded from a playlist (tools/gst-count-frames.sh).
struct Played {
    let videoFrames: Int
    let audioBuffers: Int
}

/// Plays `playlist` to the end in GStreamer's playbin3; fails the test on any GStreamer error or warning.
func play(_ playlist: String, file: StaticString = #filePath, line: UInt = #line) throws -> Played {
    let result = try runProcess("/bin/bash", [Repo.tool("gst-count-frames.sh"), playlist])
    XCTAssertEqual(result.status, 0, "playbin3 failed on \(playlist): \(result.stdout) \(result.stderr.suffix(600))", file: file, line: line)
    // One line: video_frames=N audio_buffers=M
    var values: [String: Int] = [:]
    for field in result.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
        let parts = field.split(separator: "=")
        if parts.count == 2, let value = Int(parts[1]) { values[String(parts[0])] = value }
    }
    return Played(videoFrames: values["video_frames"] ?? -1, audioBuffers: values["audio_buffers"] ?? -1)
}

/// A python3 HTTPS server on 127.0.0.1:`port` with a fresh self-signed certificate, which nothing trusts:
/// for tests that https:// is verified. `server` is Python that sets `server` to an `http.server` server
/// bound to `("127.0.0.1", PORT)`; `ROOT` is `root`. Stopped when the value goes.
final class UntrustedHTTPSServer {
    let port = freePort()
    private let process: Background

    init(work: String, root: String, server: String) throws {
        let made = try runProcess("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", work + "/key.pem",
                                                   "-out", work + "/cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1"])
        guard made.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "openssl: " + made.stderr]) }
        let script = "import http.server, os, ssl, sys\nPORT, ROOT = int(sys.argv[1]), sys.argv[2]\n" + server + """

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[3], sys.argv[4])
            server.socket = context.wrap_socket(server.socket, server_side=True)
            server.serve_forever()

            """
        try script.write(toFile: work + "/tls.py", atomically: true, encoding: .utf8)
        process = try Background("/usr/bin/env", ["python3", work + "/tls.py", String(port), root, work + "/cert.pem", work + "/key.pem"],
                                 log: work + "/server.log")
    }

    deinit { process.signal(SIGTERM) }
}
