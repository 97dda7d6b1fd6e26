/// One generation of a rendition worker's way to its publisher. Once the watchdog has given up on the
/// generation, nothing its segmenter still cuts reaches the files or the playlist: the check runs under
/// the publisher's lock, so a stale segment can never slip in after the next generation has published.
final class GenerationSink: SegmentSink {
    /// Thrown to a thread that was given up on; it stops at once.
    struct Stale: Error, CustomStringConvertible {
        var description: String { "this rendition thread was given up on and replaced" }
    }

    private let publisher: RenditionPublisher
    private let isCurrent: () -> Bool
    private let published: (CompletedSegment) -> Void

    /// `published` is told of every segment that made it into the playlist.
    init(publisher: RenditionPublisher, isCurrent: @escaping () -> Bool, published: @escaping (CompletedSegment) -> Void) {
        self.publisher = publisher
        self.isCurrent = isCurrent
        self.published = published
    }

    func initSegment(_ bytes: [UInt8]) throws {
        try publisher.initSegment(bytes, while: isCurrent)
    }

    func part(_ part: CompletedPart) throws {
        try publisher.part(part, while: isCurrent)
    }

    func segment(_ segment: CompletedSegment) throws {
        try publisher.segment(segment, while: isCurrent)
        published(segment)
    }
}
