import Foundation
import LiveLadderCore
import Testing
@testable import LiveLadderWorker

@Suite struct ProgressLineTests {
    private let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A streaming run with two samples 1 s apart: 30 input frames, 720p one media second behind 360p's pace.
    private func streamingModel() -> (RunEventBus, RunStatusModel) {
        let (bus, status) = makeBus()
        bus.emit(.runStarted(Fixture.run()))
        bus.emit(.ladderResolved(Fixture.ladder))
        bus.emit(.inputConnected(Fixture.input()))
        bus.emit(.progress(Fixture.snapshot(at: start, frames: 90, media: 3)))
        bus.emit(.segmentPublished(Fixture.segment("720p", 0)))
        bus.emit(.segmentPublished(Fixture.segment("360p", 0)))
        bus.emit(.segmentPublished(Fixture.segment("360p", 1)))
        bus.emit(.progress(Fixture.snapshot(at: start.addingTimeInterval(1), frames: 120, media: 4.5,
                                            renditionMedia: ["720p": 3.9, "360p": 4.5])))
        return (bus, status)
    }

    @Test func mediaTime() {
        #expect(ProgressFormat.mediaTime(0) == "00:00:00.00")
        #expect(ProgressFormat.mediaTime(3723.456) == "01:02:03.45")
        #expect(ProgressFormat.mediaTime(-1) == "00:00:00.00")
        #expect(ProgressFormat.mediaTime(.nan) == "00:00:00.00")
        #expect(ProgressFormat.mediaTime(360_000) == "100:00:00.00")
    }

    @Test func lineFromTheStatusModel() {
        let (_, status) = streamingModel()
        let report = status.status(version: "test", now: start.addingTimeInterval(1))
        // fps: 30 frames in 1 s; speed: the slower rendition, 720p (0.9 media s per wall s); segments:
        // the top rendition's (720p has 1, 360p 2); input: the model's state.
        #expect(ProgressFormat.line(report: report, inputSpeed: 1.5, width: 200)
            == "time=00:00:04.50 fps=30.0 speed=0.90x segments=1 restarts=0 input=streaming")
    }

    @Test func lineBeforeAnyRateFallsBackToTheInputSpeedThenNA() {
        let (bus, status) = makeBus()
        bus.emit(.runStarted(Fixture.run(listening: true)))
        bus.emit(.ladderResolved(Fixture.ladder))
        let report = status.status(version: "test")
        #expect(ProgressFormat.line(report: report, inputSpeed: 1.25, width: 200)
            == "time=00:00:00.00 fps=N/A speed=1.25x segments=0 restarts=0 input=awaiting-input")
        #expect(ProgressFormat.line(report: report, inputSpeed: nil, width: 200)
            == "time=00:00:00.00 fps=N/A speed=N/A segments=0 restarts=0 input=awaiting-input")
    }

    @Test func restartsAndRecoveringState() {
        let (bus, status) = streamingModel()
        bus.emit(.renditionFailed(rendition: "360p", reason: .encoderError, error: "boom", backoff: 1))
        let line = ProgressFormat.line(report: status.status(version: "test", now: start.addingTimeInterval(1)), inputSpeed: nil, width: 200)
        #expect(line.hasSuffix(" restarts=1 input=recovering"))
    }

    @Test func lineIsCutToTheTerminalWidthLessOne() {
        let (_, status) = streamingModel()
        let report = status.status(version: "test", now: start.addingTimeInterval(1))
        #expect(ProgressFormat.line(report: report, inputSpeed: nil, width: 20) == "time=00:00:04.50 fp")
        #expect(ProgressFormat.refresh("abc") == "\rabc\u{1B}[K")
    }

    @Test func banner() {
        let (bus, status) = makeBus()
        bus.emit(.runStarted(Fixture.run(input: "rtmp://0.0.0.0:1935/live/key", listening: true, playlistType: "live")))
        var ladder = Fixture.ladder
        ladder.append(Fixture.decode(RenditionPlan.self, #"{"name":"audio","audioBitrate":128000}"#))
        bus.emit(.ladderResolved(ladder))
        let lines = ProgressFormat.banner(report: status.status(version: "0.9.0"), version: "0.9.0", httpAddress: "127.0.0.1:9100")
        #expect(lines == [
            "liveladder 0.9.0: listening on rtmp://0.0.0.0:1935/live/key -> out (live, ts, 2 s segments)",
            "worker interface: http://127.0.0.1:9100",
            "ladder: 720p 1280x720 3000k, 360p 640x360 800k, audio 128k",
        ])
    }

    /// The line renders the status model as it is when the line is drawn (the model sees events before
    /// any stream reader does), so the test lets the reader catch up after each event.
    @Test func serviceWritesBannerThenRefreshesThenClears() async throws {
        let (bus, status) = makeBus()
        let output = Collector()
        let line = ProgressLine(bus: bus, status: status, banner: BannerInfo(version: "0.9.0"),
                                output: { output.append($0) }, width: { 200 })
        let reader = Task { await line.consume() }
        func emit(_ event: RunEvent, expecting count: Int) async throws {
            bus.emit(event)
            try await waitUntil { output.all.count >= count }
        }
        bus.emit(.runStarted(Fixture.run()))
        try await emit(.ladderResolved(Fixture.ladder), expecting: 1)
        bus.emit(.inputConnected(Fixture.input()))
        try await emit(.progress(Fixture.snapshot(at: start, frames: 0, media: 0)), expecting: 2)
        try await emit(.progress(Fixture.snapshot(at: start.addingTimeInterval(1), frames: 30, media: 2)), expecting: 3)
        try await emit(.runSummary(Fixture.report()), expecting: 4)
        bus.emit(.runStopped(exitCode: 0, reason: "end of input"))
        bus.finish()
        await reader.value
        let texts = output.all
        #expect(texts.count == 4)
        #expect(texts.first == "liveladder 0.9.0: reading in.mp4 -> out (vod, ts, 2 s segments)\nladder: 720p 1280x720 3000k, 360p 640x360 800k\n")
        #expect(texts.dropFirst().first == "\rtime=00:00:00.00 fps=N/A speed=N/A segments=0 restarts=0 input=streaming\u{1B}[K")
        // The second sample has rates over 1 s: 30 fps, each rendition 2 media seconds per second.
        #expect(texts.dropFirst(2).first == "\rtime=00:00:02.00 fps=30.0 speed=2.00x segments=0 restarts=0 input=streaming\u{1B}[K")
        #expect(texts.last == "\r\u{1B}[K")
    }
}
