import Foundation
import FFmpegKit

/// The program's audio since the end of the last segment a rendition published, kept as packet references, so
/// that the stand-in for a segment it then misses (`GapFiller`) carries the real audio, not silence:
/// a player on that rendition sees black but keeps hearing the program.
///
/// While the rendition runs, only the segment in progress is kept (about one segment's packets). While it is
/// down nothing is let go until it resumes, up to `capacity` packets (a minute at 48 kHz: more than the
/// longest backoff), so memory stays bounded whatever happens.
///
/// `@unchecked Sendable`: all state is guarded by `lock` (a stale thread of the worker may still record).
final class RecentAudio: @unchecked Sendable {
    /// Two AAC frames at 48 kHz, in 90 kHz ticks: audio just before a boundary still belongs to the span.
    private static let margin: Int64 = 3840
    private let lock = NSLock()
    private var packets: [Packet] = []
    private var keepFrom = Int64.min
    private var holding = false
    private let capacity: Int

    init(capacity: Int = 3000) {
        self.capacity = capacity
    }

    /// An audio packet the rendition was handed (whether or not it could use it).
    func record(_ packet: Packet) {
        guard packet.pts != nil, let copy = try? packet.reference() else { return }
        lock.withLock {
            packets.append(copy)
            if packets.count > capacity { packets.removeFirst(packets.count - capacity) }
        }
    }

    /// The rendition published a segment that ends at `end`: what came before is no longer needed.
    func published(until end: Int64) {
        lock.withLock {
            guard !holding else { return }
            keepFrom = end - Self.margin
            trim()
        }
    }

    /// The rendition failed: keep everything not yet published, until it resumes.
    func hold() { lock.withLock { holding = true } }

    /// The rendition is back: its stand-ins before `pts` are made, so what came before can go (nil: keep
    /// all until the next publish).
    func release(keepingFrom pts: Int64?) {
        lock.withLock {
            holding = false
            guard let pts else { return }
            keepFrom = pts - Self.margin
            trim()
        }
    }

    /// References to the packets that start in [start, end), the way a segment's audio is cut.
    func packets(from start: Int64, to end: Int64) -> [Packet] {
        lock.withLock {
            packets.filter { ($0.pts ?? .min) >= start && ($0.pts ?? .max) < end }.compactMap { try? $0.reference() }
        }
    }

    private func trim() {
        guard let cut = packets.firstIndex(where: { ($0.pts ?? .min) >= keepFrom }) else {
            packets.removeAll()
            return
        }
        packets.removeFirst(cut)
    }
}
