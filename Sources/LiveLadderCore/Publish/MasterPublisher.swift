import Foundation
import HLSModel

/// Writes the multivariant playlist. Renditions report every published segment here (from their own
/// threads); the master appears once every rendition has its first segment (event playlists) or at the
/// end (VOD), and is rewritten at the end with the measured peak and average bit rates (rules MV3, MV4).
///
/// `@unchecked Sendable`: all mutable state is guarded by `lock`.
final class MasterPublisher: @unchecked Sendable {
    /// What the master says about one video rendition.
    struct Variant {
        let name: String
        let width: Int
        let height: Int
        let frameRate: Double
        /// What rate control promises: max rate plus in-band audio plus container overhead.
        let estimatedPeak: Int
        let estimatedAverage: Int
        /// Pass-through: no rate control promises anything, so a live master follows the measured peak
        /// (`published`).
        var followsMeasurement = false
        var codecs: String?
        var samples: [SegmentSample] = []
        /// This run has published a segment of it (samples may also come from a resumed run's playlist).
        var started = false
        var failed = false
        /// The BANDWIDTH the master written last announced.
        var announced: Int?
    }

    /// The fMP4 alternate audio rendition.
    struct Audio {
        let channels: Int
        let estimatedPeak: Int
        var samples: [SegmentSample] = []
        var started = false
    }

    static let audioGroup = "aac"
    static let audioName = "audio"

    private let lock = NSLock()
    private let path: String
    private let kind: PlaylistKind
    private let targetDuration: Double
    private let hasAudio: Bool
    private var variants: [Variant]
    private var audio: Audio?
    private var written = false
    /// Where the other instance of a redundant pair publishes: every variant gets a backup there.
    private let backupBaseURL: BackupBaseURL?
    private let destinations: [any PublishDestination]

    init(outputDirectory: String, kind: PlaylistKind, targetDuration: Int, variants: [Variant], audio: Audio?, hasAudio: Bool,
         backupBaseURL: BackupBaseURL? = nil, destinations: [any PublishDestination] = []) {
        self.destinations = destinations
        self.backupBaseURL = backupBaseURL
        path = outputDirectory + "/master.m3u8"
        self.kind = kind
        self.targetDuration = Double(targetDuration)
        self.variants = variants
        self.audio = audio
        self.hasAudio = hasAudio
    }

    /// A rendition's CODECS; one that changes after the master was written (a pass-through rung that fell
    /// back to encoding) rewrites it.
    func setCodecs(rendition: String, codecs: String) {
        lock.withLock {
            guard let index = variants.firstIndex(where: { $0.name == rendition }) else { return }
            let changed = variants[index].codecs.map { $0 != codecs } ?? false
            variants[index].codecs = codecs
            if changed && written { try? write(final: false) }
        }
    }

    /// A resumed run: the segments its playlists keep from the previous run count towards the measured
    /// bit rates (rules MV3, MV4), though they do not make the master appear.
    func seed(rendition: String, samples: [SegmentSample]) {
        lock.withLock {
            if rendition == Self.audioName {
                audio?.samples.insert(contentsOf: samples, at: 0)
            } else if let index = variants.firstIndex(where: { $0.name == rendition }) {
                variants[index].samples.insert(contentsOf: samples, at: 0)
            }
        }
    }

    /// A rendition was given up: it leaves the master, which is rewritten at once if players have it.
    func markFailed(rendition: String) {
        lock.withLock {
            if let index = variants.firstIndex(where: { $0.name == rendition }) { variants[index].failed = true }
            if written && !everyVideoRenditionFailedLocked { try? write(final: false) }
        }
    }

    var everyVideoRenditionFailed: Bool { lock.withLock { everyVideoRenditionFailedLocked } }
    private var everyVideoRenditionFailedLocked: Bool { variants.allSatisfy(\.failed) }

    func published(rendition: String, sample: SegmentSample) throws {
        try lock.withLock {
            if rendition == Self.audioName {
                audio?.samples.append(sample)
                audio?.started = true
            } else if let index = variants.firstIndex(where: { $0.name == rendition }) {
                variants[index].samples.append(sample)
                variants[index].started = true
                let variant = variants[index]
                if written, kind != .vod, variant.followsMeasurement, let announced = variant.announced,
                   Bandwidth.peak(variant.samples, targetDuration: targetDuration) + audioPeakLocked > announced {
                    // The measured peak grew past what players were told: tell them more (rule MV3).
                    try write(final: false)
                }
            }
            let everyoneStarted = variants.allSatisfy { $0.failed || $0.started } && (audio.map(\.started) ?? true)
            if kind != .vod && !written && everyoneStarted {
                try write(final: false)
            }
        }
    }

    /// The last word: measured figures. Throws if no rendition survived.
    func finish() throws {
        try lock.withLock { try write(final: true) }
    }

    /// Caller holds `lock`.
    private var audioPeakLocked: Int { audio.map { Bandwidth.peak($0.samples, targetDuration: targetDuration) } ?? 0 }

    /// Caller holds `lock`.
    private func write(final: Bool) throws {
        // A variant is listed once it has a segment and its CODECS are known (from the SPS it produced).
        let live = variants.filter { !$0.failed && !$0.samples.isEmpty && $0.codecs != nil }
        var playlist = MultivariantPlaylist(independentSegments: true, audioRenditions: [], variants: [])
        let audioPeak = audioPeakLocked
        let audioAverage = audio.map { Bandwidth.average($0.samples) } ?? 0
        if let audio {
            playlist.audioRenditions.append(AudioRendition(groupID: Self.audioGroup, name: Self.audioName, language: nil,
                                                           isDefault: true, autoselect: true,
                                                           channels: String(audio.channels), uri: Self.audioName + "/index.m3u8"))
        }
        for variant in live {
            let measuredPeak = Bandwidth.peak(variant.samples, targetDuration: targetDuration) + audioPeak
            let measuredAverage = Bandwidth.average(variant.samples) + audioAverage
            // A finished VOD stream states what it measured. Players of an event stream may have read the
            // master already; its BANDWIDTH may only grow, never promise less than it did.
            // A variant that follows its measurement announces 10 % over its measured peak, so the master is
            // not rewritten for every segment that adds a little.
            let headroom = variant.followsMeasurement ? measuredPeak + measuredPeak / 10 : measuredPeak
            let bandwidth = final && kind == .vod ? measuredPeak : max(headroom, variant.estimatedPeak + (audio?.estimatedPeak ?? 0))
            if let index = variants.firstIndex(where: { $0.name == variant.name }) { variants[index].announced = bandwidth }
            let average = final ? measuredAverage : variant.estimatedAverage + (audio?.estimatedPeak ?? 0)
            var codecs = [variant.codecs!]
            if hasAudio { codecs.append("mp4a.40.2") }
            playlist.variants.append(VariantStream(uri: variant.name + "/index.m3u8", bandwidth: bandwidth,
                                                   averageBandwidth: average, codecs: codecs,
                                                   width: variant.width, height: variant.height,
                                                   frameRate: variant.frameRate,
                                                   audioGroup: audio == nil ? nil : Self.audioGroup))
        }
        guard !playlist.variants.isEmpty else {
            throw LiveLadderError(.processing, "no rendition produced a segment; nothing to publish")
        }
        // The same text goes to the folder, the origin and every push target: backups included everywhere.
        if let backupBaseURL { playlist = playlist.addingBackups(base: backupBaseURL.text) }
        let text = playlist.render()
        try AtomicFile.write(text, to: path)
        written = true
        for destination in destinations { destination.published("master.m3u8", bytes: Array(text.utf8), as: .master) }
    }
}
