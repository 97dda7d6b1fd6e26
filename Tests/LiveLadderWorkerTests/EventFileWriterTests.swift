import Foundation
import LiveLadderCore
import Logging
import ServiceLifecycle
import Testing
@testable import LiveLadderWorker

@Suite struct EventFileWriterTests {
    private func types(in path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        return try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return object["type"] as! String
        }
    }

    /// A whole run's events: what each observer sees, in order.
    private func emitRun(on bus: RunEventBus) {
        bus.emit(.runStarted(Fixture.run()))
        bus.emit(.ladderResolved(Fixture.ladder))
        bus.emit(.inputConnected(Fixture.input()))
        bus.emit(.progress(Fixture.snapshot(at: Date(), frames: 30, media: 1)))
        bus.emit(.segmentPublished(Fixture.segment("720p", 0)))
        bus.emit(.inputLost(reason: "end of file"))
        bus.emit(.runSummary(Fixture.report()))
        bus.emit(.runStopped(exitCode: 0, reason: "end of input"))
    }

    @Test func filterLeavesOutProgressAndSegmentsUnlessAsked() {
        let bus = RunEventBus()
        let recorder = Recorder()
        bus.add(recorder)
        emitRun(on: bus)
        let encoder = CloudEvent.makeEncoder()
        let without = recorder.all.compactMap { EventLines.line(for: $0, includeSegments: false, source: "liveladder://h/1", encoder: encoder) }
        let with = recorder.all.compactMap { EventLines.line(for: $0, includeSegments: true, source: "liveladder://h/1", encoder: encoder) }
        #expect(without.count == 6)
        #expect(with.count == 7)
        #expect(!with.contains { $0.contains(#""type":"run.progress""#) })
        #expect(with.allSatisfy { $0.hasSuffix("}\n") && !$0.dropLast().contains("\n") })
    }

    @Test func lineIsTheCloudEventWithItsData() throws {
        let bus = RunEventBus()
        let recorder = Recorder()
        bus.add(recorder)
        bus.emit(.runStarted(Fixture.run()))
        bus.emit(.inputLost(reason: "timeout"))
        let stamped = recorder.all[1]
        let line = try #require(EventLines.line(for: stamped, includeSegments: false, source: "liveladder://h/1", encoder: CloudEvent.makeEncoder()))
        let time = CloudEvent.timestamp(stamped.time)
        #expect(line == #"{"data":{"reason":"timeout"},"datacontenttype":"application/json","id":"2","source":"liveladder://h/1","specversion":"1.0","subject":"input","time":"\#(time)","type":"input.lost"}"# + "\n")
    }

    @Test func writesOneLinePerEventAndTruncatesAnOldFile() async throws {
        let path = temporaryPath("events.jsonl")
        try "old run\n".write(toFile: path, atomically: false, encoding: .utf8)
        let (bus, _) = makeBus()
        let writer = try EventFileWriter(path: path, includeSegments: true, bus: bus)
        // Truncated at creation, before any event.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "")
        emitRun(on: bus)
        bus.finish()
        await writer.consume()
        #expect(try types(in: path) == ["run.started", "ladder.resolved", "input.connected", "segment.published",
                                        "input.lost", "run.summary", "run.stopped"])
    }

    @Test func refusesAFolder() throws {
        let folder = temporaryPath("folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let error = #expect(throws: WorkerSetupError.self) {
            _ = try EventFileWriter(path: folder, includeSegments: false, bus: RunEventBus())
        }
        #expect(error?.message == "--events \(folder): is a folder, not a file")
    }

    @Test func refusesAPathThatCannotBeCreated() {
        let error = #expect(throws: WorkerSetupError.self) {
            _ = try EventFileWriter(path: "/nonexistent-liveladder/events.jsonl", includeSegments: false, bus: RunEventBus())
        }
        #expect(error?.message == "--events /nonexistent-liveladder/events.jsonl: cannot create the file: No such file or directory")
    }

    /// The pipeline stand-in: on SIGTERM it stops, emits the run's last events and finishes the bus, as
    /// `RunService` must.
    private struct Pipeline: Service {
        let bus: RunEventBus
        let endsOnItsOwn: Bool

        func run() async throws {
            if !endsOnItsOwn { try? await gracefulShutdown() }
            try? await Task.sleep(for: .milliseconds(50))
            bus.emit(.runSummary(Fixture.report()))
            bus.emit(.runStopped(exitCode: 0, reason: "stopped"))
            bus.finish()
        }
    }

    private func runGroup(endsOnItsOwn: Bool) async throws -> [String] {
        let path = temporaryPath("group.jsonl")
        let (bus, _) = makeBus()
        let writer = try EventFileWriter(path: path, includeSegments: false, bus: bus)
        bus.emit(.runStarted(Fixture.run(listening: true)))
        let logger = Logger(label: "test")
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [
            .init(service: writer, successTerminationBehavior: .ignore),
            .init(service: Pipeline(bus: bus, endsOnItsOwn: endsOnItsOwn), successTerminationBehavior: .gracefullyShutdownGroup),
        ], logger: logger))
        let task = Task { try await group.run() }
        if !endsOnItsOwn {
            try await Task.sleep(for: .milliseconds(50))
            await group.triggerGracefulShutdown()
        }
        try await task.value
        return try types(in: path)
    }

    @Test func aGracefulShutdownStillWritesTheLastEvents() async throws {
        #expect(try await runGroup(endsOnItsOwn: false) == ["run.started", "run.summary", "run.stopped"])
    }

    @Test func aRunThatEndsOnItsOwnWritesTheLastEvents() async throws {
        #expect(try await runGroup(endsOnItsOwn: true) == ["run.started", "run.summary", "run.stopped"])
    }

    /// Listed after the pipeline, the writer is signalled first and would wait for a stream the pipeline
    /// has not finished; after its drain timeout it gives up instead of hanging the shutdown.
    @Test func aWriterListedAfterThePipelineDoesNotHangTheShutdown() async throws {
        let path = temporaryPath("late.jsonl")
        let (bus, _) = makeBus()
        let writer = try EventFileWriter(path: path, includeSegments: false, bus: bus,
                                         logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, drainTimeout: .milliseconds(100))
        bus.emit(.runStarted(Fixture.run(listening: true)))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [
            .init(service: Pipeline(bus: bus, endsOnItsOwn: false), successTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: writer, successTerminationBehavior: .ignore),
        ], logger: Logger(label: "test")))
        let task = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(50))
        await group.triggerGracefulShutdown()
        try await task.value
        #expect(try types(in: path) == ["run.started"])
    }

    @Test func factoryMakesWhatWasAskedFor() throws {
        let (bus, status) = makeBus()
        let path = temporaryPath("made.jsonl")
        let quiet = try WorkerObservers.make(events: path, includeSegments: false, quiet: true, bus: bus, status: status,
                                             banner: BannerInfo(), isTerminal: true, environment: [:])
        #expect(quiet.services.count == 1 && quiet.services.first is EventFileWriter)
        let terminal = try WorkerObservers.make(events: nil, includeSegments: false, quiet: false, bus: bus, status: status,
                                                banner: BannerInfo(), isTerminal: true, environment: [:])
        #expect(terminal.services.count == 1 && terminal.services.first is ProgressLine)
        let piped = try WorkerObservers.make(events: nil, includeSegments: false, quiet: false, bus: bus, status: status,
                                             banner: BannerInfo(), isTerminal: false, environment: [:])
        #expect(piped.services.isEmpty)
    }
}
