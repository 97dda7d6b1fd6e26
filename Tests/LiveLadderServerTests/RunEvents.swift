import Foundation
@testable import LiveLadderCore

/// Real `RunEvent` values for the tests (the memberwise initialisers are internal to LiveLadderCore).
enum RunEvents {
    static let ladder = ["720p", "360p"]

    static func started(input: String = "rtmp://0.0.0.0:1935/live/key", segmentDuration: Double = 2) -> RunEvent {
        .runStarted(RunDescription(input: input, output: "/tmp/out", playlistType: "live", segmentFormat: "ts",
                                   segmentDuration: segmentDuration, listening: true, inputCanWait: false))
    }

    static func resolved(_ names: [String] = ladder) -> RunEvent {
        .ladderResolved(names.map { RenditionPlan(name: $0, width: 1280, height: 720, videoBitrate: 3_000_000, maxBitrate: 3_300_000,
                                                   preset: "veryfast", audioBitrate: nil) })
    }

    static func connected(session: Int = 1) -> RunEvent {
        .inputConnected(InputDescription(protocol: "rtmp", url: "rtmp://0.0.0.0:1935/live", session: session, videoCodec: "h264",
                                         width: 1920, height: 1080, declaredFPS: 30, audioCodec: "aac"))
    }

    static func segment(_ rendition: String, number: Int, bytes: Int = 1000, duration: Double = 2, gap: Bool = false,
                        latency: Double? = 0.2) -> RunEvent {
        .segmentPublished(SegmentPublication(rendition: rendition, number: number, duration: duration, bytes: gap ? 0 : bytes,
                                             gap: gap, discontinuity: false, readyLatency: latency))
    }

    static func progress(at time: Date, bytes: Int64 = 0, sessions: Int = 1, videoFrames: Int = 0, lossSeconds: Double = 0,
                         slateSeconds: Double = 0, damaged: Int = 0, jumps: Int = 0, decodeErrors: Int = 0,
                         mediaSeconds: Double = 0, dropped: [String: Int] = [:]) -> RunEvent {
        .progress(RunSnapshot(time: time, inputConnected: true, inputBytes: bytes, sessions: sessions, videoFrames: videoFrames,
                              mediaSeconds: mediaSeconds, damagedPackets: damaged, timestampJumps: jumps, decodeErrors: decodeErrors,
                              slateSeconds: slateSeconds, inputLossSeconds: lossSeconds,
                              renditions: ladder.map { name in
                                  RunSnapshot.Rendition(name: name, state: .up, itemsEncoded: videoFrames, mediaSeconds: mediaSeconds,
                                                        framesDropped: dropped[name] ?? 0, queueDepth: 0, queueCapacity: 16,
                                                        shedding: false, restarts: 0, lastError: nil)
                              }))
    }
}
