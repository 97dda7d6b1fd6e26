/// S6: in MPEG-TS, each PID's continuity counter runs on from one segment to the next within a
/// rendition, stand-ins and restarts included; only `#EXT-X-DISCONTINUITY` allows a break.
///
/// The chain is what a player's demuxer is fed: a GAP entry's stand-in file when it is on disk, and when
/// it is not, the segment before the GAP straight into the one after (players skip it), so a restarted
/// rendition must go on from its last counters either way.
enum ContinuityRules {
    static func check(_ context: CheckContext, _ log: inout FailureLog) {
        for rendition in context.renditions { check(rendition, &log) }
    }

    private typealias State = TransportStreamContinuity.State

    private static func check(_ rendition: Rendition, _ log: inout FailureLog) {
        // Each PID's state after the last packet fed, and the segment it came from.
        var chain: [Int: (state: State, segment: String)] = [:]
        for entry in rendition.entries {
            if entry.segment.discontinuity { chain = [:] }
            guard case .facts(let facts) = entry.played else {
                if case .unknown = entry.played { chain = [:] }
                continue
            }
            guard let continuity = facts.continuity else {
                chain = [:]
                continue
            }
            let here = rendition.segmentLocation(entry)
            let standIn = entry.segment.gap ? " (this GAP entry's stand-in)" : ""
            var joins: [String] = []
            for (pid, head) in continuity.heads.sorted(by: { $0.key < $1.key }) {
                guard let (state, segment) = chain[pid], !TransportStreamContinuity.step(from: state, head).continues
                else { continue }
                joins.append(joins.isEmpty
                    ? "PID \(pid) continuity counter \(head.counter) after \(state.counter) in \(segment)"
                    : "PID \(pid) \(head.counter) after \(state.counter)")
            }
            if !joins.isEmpty {
                log.add("S6", here, joins.joined(separator: ", ") + standIn + " without #EXT-X-DISCONTINUITY")
            }
            if let first = continuity.breaks.first {
                let more = continuity.breaks.count > 1 ? ", and \(continuity.breaks.count - 1) more break(s)" : ""
                log.add("S6", here, "PID \(first.pid) continuity counter \(first.counter) after \(first.previous) inside the segment (packet \(first.packet))\(more)\(standIn)")
            }
            let name = printable(entry.segment.uri) + (entry.segment.gap ? " (stand-in)" : "")
            for (pid, tail) in continuity.tails { chain[pid] = (tail, name) }
        }
    }
}
