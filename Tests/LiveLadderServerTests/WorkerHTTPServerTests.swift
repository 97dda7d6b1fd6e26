import Foundation
import XCTest
@testable import LiveLadderCore
@testable import LiveLadderServer

final class WorkerHTTPServerTests: XCTestCase {
    func testTokenGuardsEverythingButMetricsAndHealth() async throws {
        let harness = ServerHarness(token: "s3cret")
        try await harness.start()
        addTeardownBlock { await harness.stop() }

        let missing = try await harness.get("/v1/status")
        XCTAssertEqual(missing.status, 401)
        XCTAssertEqual(missing.headers["www-authenticate"], "Bearer")
        _ = decodeError(missing)
        try await harness.expect("/v1/status", token: "s3creT", status: 401)
        try await harness.expect("/v1/status", token: "s3cret-and-more", status: 401)
        try await harness.expect("/v1/stop", token: "wrong", method: "POST", status: 401)
        try await harness.expect("/nowhere", status: 401, "without the token an unknown path looks like a private one")

        let status = try await harness.get("/v1/status", token: "s3cret")
        XCTAssertEqual(status.status, 200)
        XCTAssertEqual(status.headers["content-type"], "application/json")
        let report = try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any]
        XCTAssertEqual(report?["version"] as? String, LiveLadderVersion.version)
        XCTAssertEqual(report?["state"] as? String, "starting")
        let startedAt = try XCTUnwrap(report?["startedAt"] as? String)
        XCTAssertNotNil(try? Date(startedAt, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)), startedAt)

        let metrics = try await harness.get("/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertEqual(metrics.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        XCTAssertEqual(try ParsedExposition.parse(metrics.body).value("liveladder_input_bytes_total"), 0)
        try await harness.expect("/livez", status: 200)
        let ready = try await harness.get("/readyz")
        XCTAssertEqual(ready.status, 503)
        let check = try JSONDecoder().decode(HealthCheck.self, from: Data(ready.body.utf8))
        XCTAssertEqual(check, HealthCheck(ok: false, reasons: ["starting"]))
    }

    func testUnknownPathsAndWrongMethodsAnswerJSON() async throws {
        let harness = ServerHarness(token: nil)
        try await harness.start()
        addTeardownBlock { await harness.stop() }

        let unknown = try await harness.get("/v2/everything")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(decodeError(unknown)?.error, "no such endpoint: /v2/everything")
        let wrong = try await harness.get("/metrics", method: "POST")
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.headers["allow"], "GET")
        _ = decodeError(wrong)
        let getStop = try await harness.get("/v1/stop")
        XCTAssertEqual(getStop.status, 405)
        XCTAssertEqual(getStop.headers["allow"], "POST")
        _ = decodeError(getStop)
        try await harness.expect("/v1/renditions//restart", method: "POST", status: 404)
    }

    func testCommandsReachThePipelineOnceItExists() async throws {
        let harness = ServerHarness(token: "t")
        try await harness.start()
        addTeardownBlock { await harness.stop() }

        let early = try await harness.get("/v1/renditions/720p/restart", token: "t", method: "POST")
        XCTAssertEqual(early.status, 409)
        _ = decodeError(early)
        harness.server.setCommands(harness.commands)
        let accepted = try await harness.get("/v1/renditions/720p/restart", token: "t", method: "POST")
        XCTAssertEqual(accepted.status, 202)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(accepted.body.utf8)) as? [String: Any])?["accepted"] as? Bool, true)
        let busy = try await harness.get("/v1/renditions/360p/restart", token: "t", method: "POST")
        XCTAssertEqual(busy.status, 409)
        XCTAssertEqual(decodeError(busy)?.error, "360p: it is restarting already")
        let unknown = try await harness.get("/v1/renditions/4k/restart", token: "t", method: "POST")
        XCTAssertEqual(unknown.status, 404)
        _ = decodeError(unknown)
        XCTAssertEqual(harness.commands.restarted, ["720p", "360p", "4k"])

        try await harness.expect("/v1/stop", token: "t", method: "POST", status: 202)
        XCTAssertEqual(harness.commands.stopped, 1)
        XCTAssertEqual(harness.status.readiness().reasons, ["stopping"], "/readyz says no at once")
    }

    func testMetricsEndpointAfterAKnownSequence() async throws {
        let harness = ServerHarness(token: "t")
        try await harness.start()
        addTeardownBlock { await harness.stop() }
        harness.bus.emit(RunEvents.started())
        harness.bus.emit(RunEvents.resolved())
        for number in 0..<3 { harness.bus.emit(RunEvents.segment("720p", number: number)) }
        harness.bus.emit(.renditionFailed(rendition: "720p", reason: .stall, error: "stalled", backoff: 1))
        let parsed = try ParsedExposition.parse(try await harness.get("/metrics").body)
        XCTAssertEqual(parsed.value("liveladder_segments_total", ["rendition": "720p"]), 3)
        XCTAssertEqual(parsed.value("liveladder_output_bytes_total", ["rendition": "720p"]), 3000)
        XCTAssertEqual(parsed.value("liveladder_rendition_restarts_total", ["rendition": "720p", "reason": "stall"]), 1)
        XCTAssertEqual(parsed.value("liveladder_rendition_up", ["rendition": "720p"]), 0)
        harness.bus.emit(.renditionRestarted(rendition: "720p", reason: .stall, number: 4))
        let restarted = try ParsedExposition.parse(try await harness.get("/metrics").body)
        XCTAssertEqual(restarted.value("liveladder_rendition_up", ["rendition": "720p"]), 1)
    }

    func testServerSentEventsArriveInOrderWithIdsAndSegmentsOnlyWhenAsked() async throws {
        let harness = ServerHarness(token: "t", heartbeat: 0.3)
        try await harness.start()
        addTeardownBlock { await harness.stop() }
        let port = harness.port

        func subscribe(_ path: String) async throws -> Int32 {
            try await offPool {
                let fd = try RawHTTP.connect(port: port)
                try RawHTTP.send(fd, RawHTTP.requestText(method: "GET", path: path, headers: ["Authorization": "Bearer t"]))
                var seen = ""
                while !seen.contains(": connected") {
                    let chunk = try RawHTTP.receive(fd)
                    if chunk.isEmpty { throw RawHTTP.Failure(description: "closed before the stream began: \(seen)") }
                    seen += String(decoding: chunk, as: UTF8.self)
                }
                XCTAssertTrue(seen.hasPrefix("HTTP/1.1 200"), seen)
                XCTAssertTrue(seen.lowercased().contains("content-type: text/event-stream"), seen)
                return fd
            }
        }
        let plain = try await subscribe("/v1/events")
        let withSegments = try await subscribe("/v1/events?segments=1")
        defer { close(plain); close(withSegments) }

        harness.bus.emit(RunEvents.started())                   // 1
        harness.bus.emit(RunEvents.resolved())                  // 2
        harness.bus.emit(RunEvents.segment("720p", number: 0))  // 3
        harness.bus.emit(RunEvents.connected())                 // 4
        harness.bus.emit(.renditionFailed(rendition: "360p", reason: .stall, error: "x", backoff: 1)) // 5

        func read(_ fd: Int32, until last: Int) async throws -> String {
            try await offPool {
                var text = ""
                while !text.contains("id: \(last)\n") || !text.contains(": keep-alive") {
                    let chunk = try RawHTTP.receive(fd)
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                return text
            }
        }
        let plainText = try await read(plain, until: 5)
        let segmentText = try await read(withSegments, until: 5)
        XCTAssertEqual(Self.events(in: plainText).map(\.id), [1, 2, 4, 5])
        XCTAssertEqual(Self.events(in: plainText).map(\.type), ["run.started", "ladder.resolved", "input.connected", "rendition.failed"])
        XCTAssertEqual(Self.events(in: segmentText).map(\.id), [1, 2, 3, 4, 5])
        XCTAssertTrue(plainText.contains(": keep-alive\n\n"))
        // Each data line is the CloudEvent, id and type included.
        let data = try XCTUnwrap(Self.events(in: segmentText).first { $0.id == 3 }?.data)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
        XCTAssertEqual(object["id"] as? String, "3")
        XCTAssertEqual(object["type"] as? String, "segment.published")
        XCTAssertEqual(object["source"] as? String, "liveladder://test/1")
        XCTAssertEqual(object["specversion"] as? String, "1.0")
    }

    /// `id:`, `event:` and `data:` of each event in a raw (chunked) SSE response.
    static func events(in text: String) -> [(id: Int, type: String, data: String)] {
        var result: [(Int, String, String)] = []
        // By scalars: "\r\n" (the chunk framing) is one Character, which a Character split would not cut.
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
        for (index, line) in lines.enumerated() where line.hasPrefix("id: ") && index + 2 < lines.count {
            guard let id = Int(line.dropFirst(4)), lines[index + 1].hasPrefix("event: "), lines[index + 2].hasPrefix("data: ") else { continue }
            result.append((id, String(lines[index + 1].dropFirst(7)), String(lines[index + 2].dropFirst(6))))
        }
        return result
    }

    func testIdleConnectionsAndANonReadingClientDoNotDelayTheBus() async throws {
        let harness = ServerHarness(token: "t")
        try await harness.start()
        addTeardownBlock { await harness.stop() }
        harness.bus.emit(RunEvents.started())
        harness.bus.emit(RunEvents.resolved())
        let bus = harness.bus
        let port = harness.port

        // 10,000 progress events (about 1 KiB of JSON each on the wire), timed on a thread of their own
        // like the pipeline's.
        let emitTime: @Sendable () async throws -> Double = {
            try await offPool {
                let start = Date()
                let t0 = Date()
                for index in 0..<10_000 {
                    bus.emit(RunEvents.progress(at: t0.addingTimeInterval(Double(index)), bytes: Int64(index * 100),
                                                videoFrames: index, mediaSeconds: Double(index) / 30))
                }
                return Date().timeIntervalSince(start)
            }
        }
        // The baseline has one client that reads everything, so both runs pay for encoding the events once.
        let reader: Int32 = try await offPool {
            let fd = try RawHTTP.connect(port: port)
            try RawHTTP.send(fd, RawHTTP.requestText(method: "GET", path: "/v1/events?segments=1", headers: ["Authorization": "Bearer t"]))
            return fd
        }
        Thread { while let chunk = try? RawHTTP.receive(reader), !chunk.isEmpty {} }.start()
        _ = try await emitTime()  // warm-up
        let alone = try await emitTime()
        shutdown(reader, Int32(SHUT_RDWR))

        let idle: [Int32] = try await offPool { try (0..<200).map { _ in try RawHTTP.connect(port: port) } }
        let stuck: Int32 = try await offPool {
            // A small receive window, read only as far as the stream's first comment, then never again.
            let fd = try RawHTTP.connect(port: port, receiveBuffer: 4096)
            try RawHTTP.send(fd, RawHTTP.requestText(method: "GET", path: "/v1/events?segments=1", headers: ["Authorization": "Bearer t"]))
            var seen = ""
            while !seen.contains(": connected") { seen += String(decoding: try RawHTTP.receive(fd), as: UTF8.self) }
            return fd
        }
        defer { close(stuck); idle.forEach { close($0) } }
        let crowded = try await emitTime()
        print("emit 10,000 events: \(String(format: "%.3f", alone)) s alone, \(String(format: "%.3f", crowded)) s with 200 idle connections and a client that never reads")
        XCTAssertLessThan(crowded / alone, 5, "emit slowed from \(alone) s to \(crowded) s")

        // The server still answers, and the events the stuck client could not take were dropped and counted.
        let start = Date()
        let metrics = try await harness.get("/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        let dropped = try ParsedExposition.parse(metrics.body).value("liveladder_events_dropped_total") ?? 0
        XCTAssertGreaterThan(dropped, 0, "a client that never reads loses events instead of holding them all")
        try await harness.expect("/livez", status: 200)

        // A graceful shutdown does not wait for the client that never reads.
        let stopStart = Date()
        await harness.stop()
        XCTAssertLessThan(Date().timeIntervalSince(stopStart), 10)
    }
}
