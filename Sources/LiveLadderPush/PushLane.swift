import Foundation

/// The queue of one rendition (or of the master) towards one origin, with its ordering and buffer rules.
/// Pure bookkeeping, no I/O: `PushDestination` drives it under its lock.
///
/// - **Order (PU1).** Items leave in the order they were published: init, segments and parts, then the
///   playlist naming them. One item is in flight at a time.
/// - **Latest playlist wins.** A new playlist replaces a queued one that has not been sent: it names
///   everything the older one did, and more.
/// - **Parts superseded.** When a segment is queued, its parts still queued are dropped: the segment
///   carries the same bytes, and the playlist the origin gets lists only acknowledged parts.
/// - **Bounded buffer (PU3).** While the origin is failing, at most `capacity` segments wait. Past that
///   the oldest segment (and its parts) is given up: it becomes a GAP on this origin. After a long outage
///   the lane so resumes with the newest segments, at the live edge. An origin that answers, only more
///   slowly than a file is transcoded, loses nothing: the queue then grows up to `byteLimit`.
struct PushLane {
    let capacity: Int
    /// Bytes of queued media past which the oldest segment goes even with a working origin: memory is
    /// bounded whatever the origin does.
    let byteLimit: Int
    /// The item in flight has failed at least once (no answer, or an error status).
    var failing = false
    private(set) var queue: [PushItem] = []
    private(set) var queuedBytes = 0
    /// The item being sent.
    private(set) var inFlight: PushItem?
    /// Paths the origin acknowledged with a 2xx, and still needed (pruned as the playlist window moves).
    private(set) var acknowledged: Set<String> = []
    /// Whether any media playlist of this lane reached the origin (the master waits for that, PU2).
    private(set) var playlistOnOrigin = false

    init(capacity: Int, byteLimit: Int = 256 << 20) {
        self.capacity = max(1, capacity)
        self.byteLimit = max(1, byteLimit)
    }

    var isIdle: Bool { queue.isEmpty && inFlight == nil }

    var queuedSegments: Int {
        queue.reduce(0) { count, item in if case .segment = item.work { count + 1 } else { count } }
    }

    /// Whether a newer playlist (or master) waits behind the one in flight.
    var newerPlaylistQueued: Bool {
        queue.contains { item in
            switch item.work {
            case .mediaPlaylist, .master: return true
            default: return false
            }
        }
    }

    /// Queues `item`; returns the media given up to make room (each now a GAP on this origin) and the
    /// items dropped because something newer supersedes them.
    mutating func enqueue(_ item: PushItem) -> (givenUp: [PushItem], superseded: [PushItem]) {
        var superseded: [PushItem] = []
        var givenUp: [PushItem] = []
        switch item.work {
        case .mediaPlaylist, .master:
            superseded = remove { other in
                switch other.work {
                case .mediaPlaylist, .master: return true
                default: return false
                }
            }
        case .segment(let number, _):
            superseded = remove { other in
                if case .part(let partNumber, _, _) = other.work { return partNumber == number }
                return false
            }
        case .delete:
            // A file deleted locally before it was ever sent: nothing to delete there, and it is gone.
            let unsent = remove { $0.path == item.path }
            if !unsent.isEmpty {
                givenUp += unsent.filter(\.isMedia)
                return (givenUp, superseded)
            }
        default: break
        }
        queue.append(item)
        queuedBytes += item.byteCount
        givenUp += trim()
        return (givenUp, superseded)
    }

    /// Applies the buffer bound: `capacity` segments while failing, `byteLimit` always.
    mutating func trim() -> [PushItem] {
        var givenUp: [PushItem] = []
        while (failing && queuedSegments > capacity) || (queuedBytes > byteLimit && queuedSegments > 1) {
            let dropped = dropOldestSegment()
            if dropped.isEmpty { break }
            givenUp += dropped
        }
        return givenUp
    }

    /// Gives up the oldest queued segment and every queued part of it or of an older segment.
    mutating func dropOldestSegment() -> [PushItem] {
        guard let index = queue.firstIndex(where: { if case .segment = $0.work { true } else { false } }),
              case .segment(let number, _) = queue[index].work else { return [] }
        return remove { other in
            switch other.work {
            case .segment(let n, _), .part(let n, _, _): return n <= number
            default: return false
            }
        }
    }

    mutating func next() -> PushItem? {
        guard inFlight == nil, !queue.isEmpty else { return nil }
        inFlight = queue.removeFirst()
        queuedBytes -= inFlight?.byteCount ?? 0
        return inFlight
    }

    /// The in-flight item is done; `acknowledged` when the origin answered 2xx.
    mutating func finish(acknowledged ok: Bool) {
        guard let item = inFlight else { return }
        inFlight = nil
        failing = false
        guard ok else { return }
        switch item.work {
        case .delete: acknowledged.remove(item.path)
        case .mediaPlaylist:
            acknowledged.insert(item.path)
            playlistOnOrigin = true
        default: acknowledged.insert(item.path)
        }
    }

    /// Forgets acknowledgements the origin's playlist no longer needs (`keep` is every path the newest
    /// playlist names, plus its init segment and itself), so a day-long run keeps a window, not a history.
    mutating func prune(keeping keep: Set<String>) {
        acknowledged.formIntersection(keep)
    }

    private mutating func remove(where predicate: (PushItem) -> Bool) -> [PushItem] {
        let removed = queue.filter(predicate)
        if !removed.isEmpty {
            queue.removeAll(where: predicate)
            queuedBytes -= removed.reduce(0) { $0 + $1.byteCount }
        }
        return removed
    }
}

extension PushLane {
    /// Removes `path` if it was never sent (it was deleted locally first): the caller reports it lost.
    mutating func discardUnsent(_ path: String) -> [PushItem] {
        remove { $0.path == path && $0.isMedia }
    }

    /// Whether segment `number` waits in the queue (a part of it in flight is then superseded).
    func hasQueuedSegment(_ number: Int) -> Bool {
        queue.contains { if case .segment(let n, _) = $0.work { n == number } else { false } }
    }

    /// The run is over: whatever is left is reported unsent by the caller.
    mutating func clear() {
        queue.removeAll()
        queuedBytes = 0
    }
}
