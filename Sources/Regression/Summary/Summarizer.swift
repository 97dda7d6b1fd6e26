import Foundation
import FFmpegKit
import HLSChecker
import HLSModel
import LiveLadderCore

/// One line for the user: what could not be summarized and why.
public struct SummaryError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// `liveladder summarize`: reads an HLS output (LiveLadder's or any other tool's) through `OutputFolder`,
/// so every URI its playlists name stays inside its folder, and summarizes it (`OutputSummary`).
public enum Summarizer {
    /// `path`: an output folder (its `master.m3u8`) or a master playlist. `source`: the file the output was
    /// made from, to measure quality against.
    public static func summarize(path: String, source: String? = nil) throws -> OutputSummary {
        var qualitySeconds = 0.0
        return try summarize(path: path, source: source, qualitySeconds: &qualitySeconds)
    }

    /// The same, adding the time spent on quality metrics to `qualitySeconds` (regress reports it).
    public static func summarize(path: String, source: String?, qualitySeconds: inout Double) throws -> OutputSummary {
        let (folder, masterPath) = try locate(path)
        let masterText = try readText(masterPath, in: folder, shownAs: path)
        guard let master = MasterPlaylist(text: masterText), !master.variants.isEmpty else {
            throw SummaryError("\(path) is not a multivariant playlist (no EXT-X-STREAM-INF); pass the master playlist or its folder")
        }
        let masterSummary = try summarizeMaster(master, shownAs: path)
        // Backups that name another instance's copy (`--backup-base-url`, rule MV9) are in the master's
        // summary but are not read: they are outside this folder.
        let redundancy = Redundancy(master)
        var wanted: [(uri: String, role: String)] = master.variants.enumerated().compactMap { index, variant in
            redundancy.skips(variant, at: index) ? nil : variant.uri.map { ($0, "video") }
        }
        wanted += master.audioMedia.compactMap { media in redundancy.skips(media) ? nil : media.uri.map { ($0, "audio") } }
        var seen: Set<String> = []
        var renditions: [RenditionSummary] = []
        for (uri, role) in wanted where seen.insert(uri).inserted {
            var rendition = try summarizeRendition(uri: uri, role: role, folder: folder)
            if let source, role == "video" {
                let started = Date()
                rendition.quality = try measureQuality(of: rendition, uri: uri, folder: folder, source: source)
                qualitySeconds += Date().timeIntervalSince(started)
            }
            renditions.append(rendition)
        }
        return OutputSummary(tools: .current, master: masterSummary, renditions: renditions)
    }

    // MARK: Master

    private static func summarizeMaster(_ master: MasterPlaylist, shownAs path: String) throws -> MasterSummary {
        let variants = try master.variants.map { variant -> VariantSummary in
            guard let attributes = variant.attributes, let uri = variant.uri else {
                throw SummaryError("\(path): EXT-X-STREAM-INF on line \(variant.line) \(variant.attributeError ?? "has no URI line after it")")
            }
            return VariantSummary(uri: uri,
                                  bandwidth: try? attributes.decimalInteger("BANDWIDTH", in: PlaylistLimits.bandwidth),
                                  averageBandwidth: try? attributes.decimalInteger("AVERAGE-BANDWIDTH", in: PlaylistLimits.bandwidth),
                                  codecs: (try? attributes.quotedString("CODECS")) ?? nil,
                                  resolution: attributes["RESOLUTION"].map(Self.text),
                                  frameRate: attributes["FRAME-RATE"].map(Self.text),
                                  audioGroup: (try? attributes.quotedString("AUDIO")) ?? nil)
        }
        let audio = master.audioMedia.map { media in
            AudioMediaSummary(groupID: media.groupID, name: media.name, uri: media.uri,
                              channels: (try? media.attributes?.quotedString("CHANNELS")) ?? nil,
                              language: (try? media.attributes?.quotedString("LANGUAGE")) ?? nil,
                              isDefault: ((try? media.attributes?.enumeratedString("DEFAULT")) ?? nil) == "YES")
        }
        return MasterSummary(independentSegments: master.independentSegments, variants: variants, audio: audio)
    }

    private static func text(_ value: AttributeList.Value) -> String {
        switch value {
        case .quotedString(let text), .unquoted(let text): return text
        }
    }

    // MARK: Renditions

    private static func summarizeRendition(uri: String, role: String, folder: OutputFolder) throws -> RenditionSummary {
        guard let path = folder.resolve(uri, from: folder.root).path else {
            throw SummaryError("\(printable(uri)): the master names a playlist outside the output folder; it is not read")
        }
        let text = try readText(path, in: folder, shownAs: printable(uri))
        let playlist: MediaPlaylist
        do {
            playlist = try MediaPlaylist.parse(text)
        } catch {
            throw SummaryError("\(printable(uri)) does not parse: \(error)")
        }
        let raw = RawMediaLines(text)
        let directory = OutputFolder.directory(of: path)
        var initBytes: [UInt8]?
        if let map = playlist.map {
            initBytes = try readMedia(map, from: directory, in: folder, playlist: uri)
        }
        var tally = RenditionTally()
        var segments: [SegmentSummary] = []
        var samples: [SegmentSample] = []
        for (index, segment) in playlist.segments.enumerated() {
            let extinf = index < raw.durations.count ? raw.durations[index] : String(segment.duration)
            guard !segment.gap else {
                segments.append(SegmentSummary(uri: segment.uri, extinf: extinf, gap: true))
                continue
            }
            let bytes = try readMedia(segment.uri, from: directory, in: folder, playlist: uri)
            let contents = try SegmentReader.read((initBytes ?? []) + bytes, name: "\(printable(uri)): \(printable(segment.uri))")
            samples.append(SegmentSample(bytes: bytes.count, duration: segment.duration))
            segments.append(tally.add(contents, uri: segment.uri, extinf: extinf, bytes: bytes.count))
        }
        return RenditionSummary(
            uri: uri, role: role, playlistType: playlist.playlistType?.rawValue,
            version: MediaPlaylist.declaredVersion(in: text), targetDuration: playlist.targetDuration,
            mediaSequence: playlist.mediaSequence, discontinuitySequence: playlist.discontinuitySequence,
            endList: playlist.endList, segmentCount: playlist.segments.count,
            gaps: playlist.segments.indices.filter { playlist.segments[$0].gap },
            discontinuities: playlist.segments.indices.filter { playlist.segments[$0].discontinuity },
            initSegment: playlist.map, initBytes: initBytes?.count,
            video: tally.video, audio: tally.audio,
            averageBitrate: Bandwidth.average(samples),
            peakBitrate: Bandwidth.peak(samples, targetDuration: Double(playlist.targetDuration)),
            segments: segments, quality: nil)
    }

    // MARK: Reading, only inside the folder

    private static func locate(_ path: String) throws -> (OutputFolder, String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SummaryError("\(path): no such file or folder; pass an HLS output folder or its master playlist")
        }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let directory = isDirectory.boolValue ? url : url.deletingLastPathComponent()
        guard let folder = OutputFolder(directory: directory.path) else {
            throw SummaryError("\(directory.path) cannot be opened; check its permissions")
        }
        let name = isDirectory.boolValue ? "master.m3u8" : url.lastPathComponent
        return (folder, folder.root + (folder.root == "/" ? "" : "/") + name)
    }

    static func readText(_ path: String, in folder: OutputFolder, shownAs name: String) throws -> String {
        switch folder.read(path, limit: OutputFolder.playlistLimit) {
        case .bytes(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else { throw SummaryError("\(name) is not UTF-8 text") }
            return text
        case .missing: throw SummaryError("\(name) is missing or unreadable")
        case .refused(let reason): throw SummaryError("\(name) \(reason); it is not read")
        }
    }

    static func readMedia(_ uri: String, from directory: String, in folder: OutputFolder, playlist: String) throws -> [UInt8] {
        switch folder.resolve(uri, from: directory) {
        case .refused(let reason):
            throw SummaryError("\(printable(playlist)): \(printable(uri)) \(reason); it is not read")
        case .file(let path):
            switch folder.read(path, limit: OutputFolder.mediaLimit) {
            case .bytes(let bytes) where !bytes.isEmpty: return bytes
            case .bytes: throw SummaryError("\(printable(playlist)): \(printable(uri)) is empty")
            case .missing: throw SummaryError("\(printable(playlist)): \(printable(uri)) is missing or unreadable")
            case .refused(let reason): throw SummaryError("\(printable(playlist)): \(printable(uri)) \(reason); it is not read")
            }
        }
    }
}

extension ToolVersions {
    /// This binary's LiveLadder and the FFmpeg and x264 it runs with, read at run time.
    public static var current: ToolVersions {
        ToolVersions(liveladder: LiveLadderVersion.version, ffmpeg: LibraryVersions.ffmpeg, x264: LibraryVersions.x264())
    }
}

/// The rendition-wide track facts, gathered segment by segment.
private struct RenditionTally {
    var video: VideoTrackSummary?
    var audio: AudioTrackSummary?
    /// MPEG-TS clocks are 33 bits: a start that falls far back wrapped, and is unwrapped here.
    private var lastVideoStart: Int64?
    private var lastAudioStart: Int64?
    private var videoWraps: Int64 = 0
    private var audioWraps: Int64 = 0

    mutating func add(_ contents: SegmentContents, uri: String, extinf: String, bytes: Int) -> SegmentSummary {
        var summary = SegmentSummary(uri: uri, extinf: extinf, gap: false, bytes: bytes)
        if let track = contents.video {
            let start = Self.unwrap(track, last: &lastVideoStart, wraps: &videoWraps)
            summary.video = SegmentVideo(start: start, duration: track.duration, frames: track.packets,
                                         idrFirst: track.idrFirst, keyframes: track.keyframes)
            if video == nil {
                video = VideoTrackSummary(codec: track.codec, width: track.width, height: track.height,
                                          timescale: track.timescale, frames: 0)
            }
            video?.frames += track.packets
        }
        if let track = contents.audio {
            let start = Self.unwrap(track, last: &lastAudioStart, wraps: &audioWraps)
            summary.audio = SegmentAudio(start: start, samples: track.samples)
            if audio == nil {
                audio = AudioTrackSummary(codec: track.codec, sampleRate: track.sampleRate, channels: track.channels,
                                          timescale: track.timescale, samples: 0)
            }
            audio?.samples += track.samples
        }
        return summary
    }

    private static func unwrap(_ track: SegmentContents.Track, last: inout Int64?, wraps: inout Int64) -> Int64 {
        let wrap: Int64 = 1 << 33
        // Only a 90 kHz MPEG-TS clock wraps; fMP4 decode times are 64 bits.
        if track.timescale == 90_000, let previous = last, track.start + wraps * wrap < previous - wrap / 2 { wraps += 1 }
        let start = track.start + wraps * wrap
        last = start
        return start
    }
}
