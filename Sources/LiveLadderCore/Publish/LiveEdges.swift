import Foundation

/// Where each rendition's live edge is (its last media sequence number and part), shared by the
/// publishers of one run so each playlist can carry `EXT-X-RENDITION-REPORT`s for the others
/// (HLS-RULES LL7).
///
/// `@unchecked Sendable`: `edges` is guarded by `lock`; publishers update it from their own threads.
final class LiveEdges: @unchecked Sendable {
    struct Edge: Equatable {
        var lastMediaSequence: Int
        var lastPart: Int?
    }

    private let lock = NSLock()
    private var edges: [String: Edge] = [:]

    func update(_ rendition: String, _ edge: Edge) {
        lock.withLock { edges[rendition] = edge }
    }

    func edge(of rendition: String) -> Edge? {
        lock.withLock { edges[rendition] }
    }
}
