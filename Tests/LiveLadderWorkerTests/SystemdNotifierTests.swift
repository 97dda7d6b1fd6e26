import Foundation
import LiveLadderCore
import Logging
import ServiceLifecycle
import Testing
@testable import LiveLadderWorker

@Suite struct SystemdNotifierTests {
    private let pid = ProcessInfo.processInfo.processIdentifier

    @Test func watchdogSettings() {
        #expect(SystemdStatus.watchdogInterval(usec: "200000", pid: nil, ownPID: pid) == .milliseconds(100))
        #expect(SystemdStatus.watchdogInterval(usec: "200000", pid: String(pid), ownPID: pid) == .milliseconds(100))
        #expect(SystemdStatus.watchdogInterval(usec: "200000", pid: String(pid + 1), ownPID: pid) == nil)
        #expect(SystemdStatus.watchdogInterval(usec: nil, pid: nil, ownPID: pid) == nil)
        #expect(SystemdStatus.watchdogInterval(usec: "0", pid: nil, ownPID: pid) == nil)
        #expect(SystemdStatus.watchdogInterval(usec: "soon", pid: nil, ownPID: pid) == nil)
    }

    @Test func noNotifySocketNoNotifier() throws {
        let (bus, status) = makeBus()
        #expect(try SystemdNotifier.fromEnvironment([:], bus: bus, status: status) == nil)
        let made = try WorkerObservers.make(events: nil, includeSegments: false, quiet: false, bus: bus, status: status,
                                            banner: BannerInfo(), isTerminal: false, environment: [:])
        #expect(made.services.isEmpty)
        #expect(made.notifier == nil)
    }

    @Test func statusTexts() {
        let (bus, status) = makeBus()
        #expect(SystemdStatus.text(status.status(version: "t")) == "starting")
        bus.emit(.runStarted(Fixture.run(input: "rtmp://0.0.0.0/live/key", listening: true)))
        bus.emit(.ladderResolved(Fixture.ladder))
        #expect(SystemdStatus.text(status.status(version: "t")) == "awaiting input on rtmp://0.0.0.0/live/key")
        bus.emit(.inputConnected(Fixture.input(url: "rtmp://0.0.0.0/live/key")))
        bus.emit(.segmentPublished(Fixture.segment("720p", 0)))
        #expect(SystemdStatus.text(status.status(version: "t")) == "streaming: 2 renditions, 1 segment")
        bus.emit(.renditionFailed(rendition: "360p", reason: .stall, error: "stalled", backoff: 1))
        #expect(SystemdStatus.text(status.status(version: "t")) == "recovering: 360p restarting")
        bus.emit(.renditionGivenUp(rendition: "360p", reason: .stall, error: "stalled"))
        #expect(SystemdStatus.text(status.status(version: "t")) == "streaming: 1 rendition, 1 segment")
        bus.emit(.inputLost(reason: "timeout"))
        bus.emit(.slateStarted)
        #expect(SystemdStatus.text(status.status(version: "t")) == "slate on air")
        status.markStopping()
        #expect(SystemdStatus.text(status.status(version: "t")) == "stopping")
    }

    /// READY on a file's first segment, STATUS on state changes, WATCHDOG every 0.1 s only while the
    /// status model says alive, STOPPING on graceful shutdown: through a real socket the test binds.
    @Test func notifiesThroughARealSocket() async throws {
        let receiver = DatagramReceiver(path: temporaryPath("notify.sock"))
        let (bus, status) = makeBus()
        let notifier = try #require(try SystemdNotifier.fromEnvironment(
            ["NOTIFY_SOCKET": receiver.path, "WATCHDOG_USEC": "200000"], bus: bus, status: status,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }))
        #expect(notifier.watchdogInterval == .milliseconds(100))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: notifier, successTerminationBehavior: .ignore)], logger: Logger(label: "test")))
        let running = Task { try await group.run() }

        // STATUS is the model's state when the notifier reads an event, and the model sees every event
        // first, so the test lets the notifier catch up after each step.
        var said: [String] = []
        bus.emit(.runStarted(Fixture.run()))
        said += await receiver.receive(until: "STATUS=awaiting input on in.mp4", within: 2)
        bus.emit(.ladderResolved(Fixture.ladder))
        bus.emit(.inputConnected(Fixture.input()))
        said += await receiver.receive(until: "STATUS=streaming: 2 renditions, 0 segments", within: 2)
        bus.emit(.segmentPublished(Fixture.segment("720p", 0, gap: true)))
        bus.emit(.segmentPublished(Fixture.segment("720p", 0)))
        said += await receiver.receive(until: "READY=1", within: 2)
        bus.emit(.segmentPublished(Fixture.segment("360p", 0)))
        bus.emit(.progress(Fixture.snapshot(at: Date(), frames: 30, media: 1)))
        said += await receiver.receive(until: "STATUS=streaming: 2 renditions, 1 segment", within: 2)
        #expect(said.filter { $0 != "WATCHDOG=1" } == [
            "STATUS=awaiting input on in.mp4",
            "STATUS=streaming: 2 renditions, 0 segments",
            "READY=1",
            "STATUS=streaming: 2 renditions, 1 segment",
        ])

        // Alive (a fresh sample): beats every 0.1 s.
        let alive = await receiver.receive(for: 0.5)
        #expect(alive.allSatisfy { $0 == "WATCHDOG=1" })
        #expect(alive.count >= 3)

        // The last sample is 10 s old: not alive, no beat (after one that may be on its way).
        bus.emit(.progress(Fixture.snapshot(at: Date().addingTimeInterval(-10), frames: 30, media: 1)))
        #expect(!status.liveness().ok)
        _ = await receiver.receive(for: 0.15)
        #expect(await receiver.receive(for: 0.5) == [])

        // Alive again: the beat resumes.
        bus.emit(.progress(Fixture.snapshot(at: Date(), frames: 60, media: 2)))
        #expect(await receiver.receive(until: "WATCHDOG=1", within: 1).contains("WATCHDOG=1"))

        await group.triggerGracefulShutdown()
        #expect(await receiver.receive(until: "STOPPING=1", within: 2).contains("STOPPING=1"))
        // run.stopped after the signal: STOPPING is not said twice.
        bus.emit(.runStopped(exitCode: 0, reason: "stopped"))
        bus.finish()
        try await running.value
        let rest = await receiver.receive(for: 0.1)
        #expect(!rest.contains("STOPPING=1"))
    }

    @Test func aListenerIsReadyAtOnceAndStoppingIsSentOnce() async throws {
        let receiver = DatagramReceiver(path: "@liveladder-test-\(pid)-\(UInt32.random(in: 0...UInt32.max))")
        let (bus, status) = makeBus()
        let notifier = try #require(try SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": receiver.path], bus: bus, status: status))
        #expect(notifier.watchdogInterval == nil)
        let reader = Task { await notifier.consume() }
        bus.emit(.runStarted(Fixture.run(input: "rtmp://0.0.0.0/live/key", listening: true)))
        #expect(await receiver.receive(until: "STATUS=awaiting input on rtmp://0.0.0.0/live/key", within: 2)
            == ["READY=1", "STATUS=awaiting input on rtmp://0.0.0.0/live/key"])
        notifier.stopping()
        notifier.stopping()
        bus.emit(.runStopped(exitCode: 0, reason: "stopped"))
        bus.finish()
        await reader.value
        #expect(await receiver.receive(for: 0.2) == ["STOPPING=1", "STATUS=stopping"])
    }

    @Test func anUnreachableSocketIsNotFatal() async throws {
        let (bus, status) = makeBus()
        let notifier = try #require(try SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": temporaryPath("nobody.sock")], bus: bus, status: status))
        let reader = Task { await notifier.consume() }
        bus.emit(.runStarted(Fixture.run(listening: true)))
        notifier.stopping()
        bus.finish()
        await reader.value
    }
}
