import Foundation
import FFmpegKit
import LadderConfig

/// How a run is put together from its plan: the master publisher, one publisher and one worker per
/// rendition (video renditions, and the fMP4 audio rendition built the same way), each wired to the
/// run's events and supervisor. Nothing here decides anything the plan has not.
struct PipelineAssembly {
    let master: MasterPublisher
    let registry: SegmentRegistry
    let videoWorkers: [RenditionWorker]
    /// The fMP4 audio rendition, when there is one.
    let audioWorker: RenditionWorker?
    var workers: [RenditionWorker] { videoWorkers + (audioWorker.map { [$0] } ?? []) }

    init(plan: RunPlan, options: RunOptions, control: RunControl, faults: [Fault], resume: OutputFolder.ResumePoint?,
         encoders: [Encoder?], audioChain: AudioChain?, audioOrigin: Int64 = LadderRun.timelineOrigin,
         copySource: StreamParameters? = nil) throws {
        let registry = SegmentRegistry()
        self.registry = registry
        let segmentLog = try options.segmentLog.map { try SegmentLog(path: $0) }
        var policy = RestartPolicy()
        policy.budget = options.restartBudget
        let master = MasterPublisher(
            outputDirectory: options.output, kind: plan.kind, targetDuration: plan.targetDuration, variants: plan.master,
            audio: plan.audioRendition ? MasterPublisher.Audio(channels: audioChain!.channelCount, estimatedPeak: plan.audioEstimate) : nil,
            hasAudio: audioChain != nil, backupBaseURL: options.backupBaseURL, destinations: options.destinations)
        self.master = master
        let format = plan.format
        let partTicks = plan.partTicks
        let edges = plan.partTicks != nil ? LiveEdges() : nil
        let videoNames = plan.rungs.map(\.rendition.name)

        /// One rendition: its stand-in maker, publisher (continuing a resumed playlist) and worker.
        func worker(name: String, video: RenditionWorker.VideoPath?, audio: AudioEncoderSettings?, queueCapacity: Int,
                    makeSegmenter: @escaping (Encoder?, SegmentSink, Bool) throws -> Segmenter) throws -> RenditionWorker {
            let filler = GapFiller(format: format,
                                   video: video.map { .init(settings: $0.settings, frameTicks: $0.frameTicks,
                                                                   extradata: $0.encoder?.extradata ?? $0.copy?.extradata ?? []) },
                                   audio: audio, audioOrigin: audioOrigin,
                                   log: { control.log("rendition \(name): \($0)") })
            let publisher = try RenditionPublisher(name: name, outputDirectory: options.output, format: plan.segmentFormat,
                                                   kind: plan.kind, listSize: options.listSize, targetDuration: plan.targetDuration,
                                                   master: master, segmentLog: segmentLog, registry: registry, filler: filler,
                                                   events: control.events, destinations: options.destinations,
                                                   partTarget: plan.partTarget, edges: edges,
                                                   reportedSiblings: video == nil ? [] : videoNames.filter { $0 != name })
            if let previous = resume?.playlists[name] { publisher.resume(from: previous) }
            return try RenditionWorker(name: name, queueCapacity: queueCapacity, video: video, publisher: publisher, master: master,
                                       policy: policy, control: control, faults: faults.filter { $0.rendition == name },
                                       origin: plan.epochGrid == nil ? LadderRun.timelineOrigin : nil, makeSegmenter: makeSegmenter)
        }

        do {
            let inBand = plan.inBandAudio ? audioChain?.encoder : nil
            videoWorkers = try zip(plan.rungs, encoders).map { rung, encoder in
                try worker(name: rung.rendition.name,
                           video: .init(encoder: encoder, settings: rung.settings, frameTicks: plan.frameTicks,
                                        copy: rung.rendition.passthrough ? copySource : nil),
                           // The pass-through rung's queue carries the source's packets beside the pictures.
                           audio: plan.inBandAudio ? plan.audio : nil,
                           queueCapacity: plan.queueCapacity * (rung.rendition.passthrough ? 2 : 1),
                           makeSegmenter: { [frameRate = plan.frameRate] video, sink, midStream in
                               // Without an encoder, the pass-through rung's segmenter takes the source's packets.
                               try Segmenter(format: format, video: video,
                                             copying: video == nil && rung.rendition.passthrough ? copySource : nil,
                                             frameRate: frameRate, audio: inBand, sink: sink, midStream: midStream,
                                             partTicks: partTicks) })
            }
            if let audioChain, plan.audioRendition {
                let encoder = audioChain.encoder
                // Audio packets come about twice as often as pictures, and it sees every one of them.
                audioWorker = try worker(name: MasterPublisher.audioName, video: nil, audio: plan.audio,
                                         queueCapacity: plan.queueCapacity * 4,
                                         makeSegmenter: { _, sink, midStream in
                                             try Segmenter(format: format, video: nil, audio: encoder, sink: sink, midStream: midStream,
                                                           partTicks: partTicks) })
            } else {
                audioWorker = nil
            }
        } catch let error as LiveLadderError {
            throw error
        } catch {
            throw LiveLadderError(.processing, "cannot set up the renditions: \(error)")
        }
    }
}
