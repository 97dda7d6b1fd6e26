import Foundation
import XCTest
import FFmpegKit
import LadderConfig
@testable import LiveLadderCore

/// What a run is, decided before anything opens: timing, queues, encoder set-up and announcements.
final class RunPlanTests: XCTestCase {
    private func source(rate: Rational?, audio: Int? = 2, finite: Bool = true) -> RunPlan.Source {
        RunPlan.Source(video: SourceVideo(width: 1280, height: 720, sarNum: 1, sarDen: 1), frameRate: rate, audioChannels: audio,
                       isFinite: finite, endsAtEndOfInput: finite)
    }

    func testNTSCRateGivesExactFrameTicksAndATargetDurationThatCoversTheLongestSegment() throws {
        let config = try LadderConfig.defaults.with(segmentDuration: 2, segmentFormat: .ts)
        let plan = try RunPlan(config: config, kind: .vod, realtime: false, source: source(rate: Rational(30000, 1001)), processors: 2)
        XCTAssertEqual(plan.frameTicks, 3003)
        XCTAssertEqual(plan.segmentTicks, 180_000)
        XCTAssertEqual(plan.targetDuration, 2)
        XCTAssertFalse(plan.frameRateAssumed)
        XCTAssertFalse(plan.liveFeed, "a file can wait for the pipeline")
        XCTAssertEqual(plan.queueCapacity, LadderRun.queueCapacity)
        XCTAssertEqual(plan.rungs.first?.settings.gopSize, 61, "a keyframe at least every segment, plus one")
        XCTAssertTrue(plan.inBandAudio)
        XCTAssertEqual(plan.plans.map(\.name), plan.ladder.map(\.name), "no audio rendition in TS")
    }

    func testUnknownFrameRateIsAssumedThirtyAndSaidSo() throws {
        let plan = try RunPlan(config: LadderConfig.defaults, kind: .live, realtime: false, source: source(rate: Rational(0, 0), finite: false))
        XCTAssertTrue(plan.frameRateAssumed)
        XCTAssertEqual(plan.frameTicks, 3000)
        XCTAssertTrue(plan.liveFeed)
        XCTAssertTrue(plan.lowDelay)
        XCTAssertEqual(plan.queueCapacity, LadderRun.liveQueueCapacity(frameRate: 30))
        let absurd = try RunPlan(config: LadderConfig.defaults, kind: .live, realtime: false, source: source(rate: Rational(1000, 1), finite: false))
        XCTAssertTrue(absurd.frameRateAssumed, "over 120 fps is not believed")
    }

    func testFMP4HasAnAudioRenditionAndTheMasterAnnouncesRateControlsPromise() throws {
        let config = try LadderConfig.defaults.with(segmentDuration: 4, segmentFormat: .fmp4)
        let plan = try RunPlan(config: config, kind: .event, realtime: true, source: source(rate: Rational(25, 1)), processors: 2)
        XCTAssertTrue(plan.audioRendition)
        XCTAssertFalse(plan.inBandAudio)
        XCTAssertEqual(plan.plans.last?.name, "audio")
        XCTAssertNil(plan.plans.last?.width)
        XCTAssertTrue(plan.liveFeed, "a file paced in real time cannot wait")
        for (variant, rung) in zip(plan.master, plan.ladder) {
            XCTAssertEqual(variant.estimatedPeak, Int(Double(rung.maxBitrate) * 1.05), "no in-band audio in fMP4 video renditions")
        }
        let noAudio = try RunPlan(config: config, kind: .event, realtime: false, source: source(rate: Rational(25, 1), audio: nil))
        XCTAssertNil(noAudio.audio)
        XCTAssertFalse(noAudio.audioRendition)
    }

    func testEncoderThreadsFollowEachRungsShareOfThePixels() throws {
        let plan = try RunPlan(config: LadderConfig.defaults, kind: .vod, realtime: false, source: source(rate: Rational(30, 1)), processors: 8)
        let threads = plan.rungs.map(\.settings.threads)
        XCTAssertEqual(threads, threads.sorted(by: >), "bigger rungs get more threads")
        XCTAssertTrue(threads.allSatisfy { $0 >= 1 })
        XCTAssertLessThanOrEqual(threads.reduce(0, +), 12 + plan.rungs.count, "about 1.5 threads per core in all")
    }

    func testDeterministicPlanGivesEveryEncoderOneThread() throws {
        let plan = try RunPlan(config: LadderConfig.defaults, kind: .vod, realtime: false, source: source(rate: Rational(30, 1)),
                               processors: 8, deterministic: true)
        XCTAssertEqual(plan.rungs.map(\.settings.threads), Array(repeating: 1, count: plan.rungs.count))
        XCTAssertGreaterThan(plan.rungs.count, 1)
    }

    func testMakeDeterministicTakesAwayRestartsAndRefusesRealtime() throws {
        var options = RunOptions(input: "in.mp4", output: "out", config: .defaults)
        options.stallTimeout = 5
        try options.makeDeterministic()
        XCTAssertTrue(options.deterministic)
        XCTAssertEqual(options.restartBudget, 0)
        XCTAssertEqual(options.stallTimeout, 60)
        var paced = RunOptions(input: "in.mp4", output: "out", config: .defaults)
        paced.realtime = true
        XCTAssertThrowsError(try paced.makeDeterministic()) { error in
            XCTAssertTrue("\(error)".contains("--deterministic: cannot be combined with --realtime"), "\(error)")
        }
    }
}
