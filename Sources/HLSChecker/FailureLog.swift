/// Collects failures in the order the checks find them.
///
/// A systematic fault (every EXTINF of a 60-segment playlist off by a frame) would bury the report in
/// identical lines, so each rule reports at most `limitPerPlaylist` places per playlist (per variant, for
/// the master) and then one line saying how many more there were.
struct FailureLog {
    static let limitPerPlaylist = 5

    private(set) var failures: [RuleFailure] = []
    private var counts: [String: Int] = [:]
    /// Suppressed failures per (rule, playlist), in the order they first overflowed.
    private var overflow: [(rule: String, playlist: String, count: Int)] = []

    /// Records a failure. Its playlist (with the variant, for master lines) groups it for the limit.
    mutating func add(_ rule: String, _ location: Location, _ message: String) {
        let group = location.group
        let key = rule + "\u{0}" + group
        let seen = counts[key, default: 0]
        counts[key] = seen + 1
        if seen < Self.limitPerPlaylist {
            // Messages quote playlist text (a parse error's line): escaped, so one failure stays one line.
            failures.append(RuleFailure(rule: rule, location: location.description, message: printable(message)))
        } else if let index = overflow.firstIndex(where: { $0.rule == rule && $0.playlist == group }) {
            overflow[index].count += 1
        } else {
            overflow.append((rule, group, 1))
        }
    }

    /// The failures, with one summary line per (rule, playlist) that went over the limit.
    func finished() -> [RuleFailure] {
        failures + overflow.map {
            RuleFailure(rule: $0.rule, location: $0.playlist,
                        message: "\($0.count) more place(s) fail this rule, not listed")
        }
    }
}

/// Where a failure is: a playlist, optionally one of its segments.
struct Location: CustomStringConvertible {
    /// The playlist as the master names it (`720p/index.m3u8`), or the master's own name.
    var playlist: String
    /// The segment's media sequence number and URI.
    var segment: (number: Int, uri: String)?
    /// A free-form qualifier for non-segment places (`variant 2`).
    var detail: String?

    static func playlist(_ name: String, _ detail: String? = nil) -> Location {
        Location(playlist: name, segment: nil, detail: detail)
    }

    static func segment(_ playlist: String, _ number: Int, _ uri: String) -> Location {
        Location(playlist: playlist, segment: (number, uri), detail: nil)
    }

    /// What the per-playlist limit counts by: the playlist, or the master and one variant.
    var group: String {
        if segment == nil, let detail { return "\(playlist) \(detail)" }
        return playlist
    }

    var description: String {
        if let segment { return "\(printable(playlist)) #\(segment.number) (\(printable(segment.uri)))" }
        if let detail { return "\(printable(playlist)) \(printable(detail))" }
        return printable(playlist)
    }
}
