import Foundation
import HLSModel

/// Writes one rendition's files: each segment (atomically), then its media playlist (atomically), so a
/// playlist never lists a segment that is not complete on disk (rule MP12). Runs on the rendition's thread.
final class RenditionPublisher: SegmentSink {
    let name: String
    let directory: String
    private let segmentExtension: String
    private let kind: PlaylistKind
    private let master: MasterPublisher
    private(set) var playlist: MediaPlaylist
    private(set) var samples: [SegmentSample] = []

    init(name: String, outputDirectory: String, format: SegmentFormatChoice, kind: PlaylistKind,
         targetDuration: Int, master: MasterPublisher) throws {
        self.name = name
        self.directory = outputDirectory + "/" + name
        self.segmentExtension = format == .ts ? "ts" : "m4s"
        self.kind = kind
        self.master = master
        playlist = MediaPlaylist(targetDuration: targetDuration, mediaSequence: 0,
                                 discontinuitySequence: kind == .event ? 0 : nil,
                                 playlistType: kind == .event ? .event : .vod,
                                 independentSegments: true, map: nil, segments: [], endList: false)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LiveLadderError(.badOutput, "cannot create \(directory): \(error.localizedDescription)")
        }
    }

    func initSegment(_ bytes: [UInt8]) throws {
        try AtomicFile.write(bytes, to: directory + "/init.mp4")
        playlist.map = "init.mp4"
    }

    func segment(_ segment: CompletedSegment) throws {
        let uri = "segment-\(segment.number).\(segmentExtension)"
        try AtomicFile.write(segment.bytes, to: directory + "/" + uri)
        playlist.segments.append(MediaSegment(uri: uri, duration: segment.duration))
        let sample = SegmentSample(bytes: segment.bytes.count, duration: segment.duration)
        samples.append(sample)
        // A VOD playlist never changes once it exists (rule MP11), so it is written once, at the end.
        if kind == .event { try writePlaylist() }
        try master.published(rendition: name, sample: sample)
    }

    /// The end of the stream: the playlist gets its ENDLIST.
    func finish() throws {
        playlist.endList = true
        try writePlaylist()
    }

    private func writePlaylist() throws {
        try AtomicFile.write(playlist.render(), to: directory + "/index.m3u8")
    }
}
