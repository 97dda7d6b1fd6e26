import Foundation
import XCTest

/// The worker interface of a real `liveladder run` process: systemd notifications, the progress line,
/// JSON logs.
final class WorkerProcessTests: XCTestCase {
    /// A bound AF_UNIX datagram socket standing in for systemd's notify socket.
    private final class NotifySocket {
        let path: String
        private let fd: Int32

        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard fd >= 0, bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw POSIXError(.EINVAL) }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        }

        deinit {
            close(fd)
            unlink(path)
        }

        /// Every datagram waiting now.
        func drain() -> [String] {
            var messages: [String] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                guard count > 0 else { return messages }
                messages.append(String(decoding: buffer[0..<count], as: UTF8.self))
            }
        }
    }

    func testSystemdIsToldReadyStatusWatchdogAndStopping() throws {
        let folder = try temporaryFolder(self)
        let socket = try NotifySocket(path: NSTemporaryDirectory() + "ll-notify-\(UUID().uuidString.prefix(8)).sock")
        let run = try Background(Repo.executable, ["run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--realtime",
                                                   "--playlist-type", "event", "--loop"],
                                 log: folder + ".log", environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000"])
        var messages: [String] = []
        XCTAssertTrue(eventually(timeout: 20) { messages += socket.drain(); return messages.contains("READY=1") }, run.output + "\(messages)")
        // READY on a file's first segment: a playlist lists it by then.
        XCTAssertTrue(["360p", "240p"].contains { FileManager.default.fileExists(atPath: "\(folder)/\($0)/index.m3u8") })
        Thread.sleep(forTimeInterval: 1.5)
        messages += socket.drain()
        run.signal(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 20), 0, run.output)
        messages += socket.drain()
        let watchdogs = messages.filter { $0 == "WATCHDOG=1" }.count
        XCTAssertGreaterThanOrEqual(watchdogs, 3, "a beat every 0.2 s while alive: \(messages)")
        XCTAssertTrue(messages.contains { $0.hasPrefix("STATUS=streaming") }, "\(messages)")
        XCTAssertEqual(messages.filter { $0 == "STOPPING=1" }.count, 1, "\(messages)")
        XCTAssertLessThan(messages.firstIndex(of: "READY=1")!, messages.firstIndex(of: "STOPPING=1")!)
        XCTAssertEqual(messages.filter { $0 == "READY=1" }.count, 1)
    }

    func testProgressLineOnlyOnATerminal() throws {
        let script = "/usr/bin/script"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: script), "no script(1) here")
        let folder = try temporaryFolder(self)
        let command = "'\(Repo.executable)' run -i '\(Repo.fixture("cfr30-640x360.mp4"))' -o '\(folder)' --realtime"
        let terminal = try runProcess(script, ["-qfec", command, "/dev/null"])
        XCTAssertEqual(terminal.status, 0, terminal.stdout + terminal.stderr)
        let lines = terminal.stdout.components(separatedBy: "\r").filter { $0.contains("time=") && $0.contains("speed=") }
        XCTAssertGreaterThanOrEqual(lines.count, 3, "a line about once a second for 6 s: \(terminal.stdout)")
        let times = Set(lines.compactMap { line in line.range(of: "time=").map { String(line[$0.upperBound...].prefix(11)) } })
        XCTAssertGreaterThan(times.count, 2, "the media time moves: \(times)")
        XCTAssertTrue(terminal.stdout.contains("ladder: 360p 640x360"), "the banner names the ladder: \(terminal.stdout)")
        XCTAssertTrue(terminal.stdout.contains("wrote \(folder)/master.m3u8"))

        let plain = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder + "-plain")
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertFalse(plain.stderr.contains("time="), plain.stderr)
        XCTAssertFalse(plain.stderr.contains("\r"))
        XCTAssertFalse(plain.stderr.contains("ladder:"), "no banner when stderr is not a terminal")

        let quiet = try runProcess(script, ["-qfec", command.replacingOccurrences(of: folder, with: folder + "-quiet") + " --quiet", "/dev/null"])
        XCTAssertEqual(quiet.status, 0, quiet.stdout)
        XCTAssertFalse(quiet.stdout.contains("time="), quiet.stdout)
    }

    func testJSONLogsAreOneObjectPerLine() throws {
        let folder = try temporaryFolder(self)
        let result = try runProcess(Repo.executable, ["run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder,
                                                      "--playlist-type", "live", "--log-format", "json"],
                                    environment: ProcessInfo.processInfo.environment.merging(["LIVELADDER_FAULTS": "240p:encoder-error@1"]) { $1 })
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertFalse(lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            XCTAssertNotNil(object?["message"] as? String, String(line))
            XCTAssertNotNil(object?["level"] as? String, String(line))
            XCTAssertNotNil(object?["time"] as? String, String(line))
        }
        XCTAssertTrue(lines.contains { $0.contains("\"level\":\"warning\"") && $0.contains("rendition 240p failed") }, result.stderr)

        let refused = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder + "-x", "--log-format", "xml")
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--log-format") && refused.stderr.contains("text, json"), refused.stderr)
    }

    func testEventsFileThatCannotBeWrittenIsRefusedBeforeTheRun() throws {
        let folder = try temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: folder + "-events", withIntermediateDirectories: true)
        let result = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--events", folder + "-events")
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("--events"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder), "nothing written")
    }

    func testAFailedRunStillEndsItsEventsWithASummaryAndItsExitCode() throws {
        let folder = try temporaryFolder(self)
        let result = try liveladder("run", "-i", folder + "-missing.mp4", "-o", folder, "--events", folder + ".events")
        XCTAssertEqual(result.status, 4, result.stderr)
        let events = try String(contentsOfFile: folder + ".events", encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(events.compactMap { $0["type"] as? String }, ["run.started", "run.summary", "run.stopped"])
        let summary = try XCTUnwrap(events[1]["data"] as? [String: Any])
        XCTAssertEqual(summary["exitCode"] as? Int, 4)
        XCTAssertTrue((summary["error"] as? String)?.contains("input not found") == true, "\(summary)")
        XCTAssertEqual((events[2]["data"] as? [String: Any])?["exitCode"] as? Int, 4)
    }

    func testEventsOnStandardOutputLeaveItToTheEvents() throws {
        let folder = try temporaryFolder(self)
        let result = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--events", "-")
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertGreaterThan(lines.count, 3)
        for line in lines {
            XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(line.utf8)), "not an event: \(line)")
        }
        XCTAssertTrue(result.stderr.contains("wrote \(folder)/master.m3u8"), "the summary moved to stderr: \(result.stderr)")
    }
}
