import Foundation
import HLSChecker

/// The failures a remote check finds while it fetches and polls, in the order found, from several
/// concurrent pollers.
///
/// Like the folder check's log, each rule reports at most `limitPerPlaylist` places per playlist and then
/// one line saying how many more: a server that answers every segment with the wrong content type gives
/// five lines, not five hundred. Locations name playlists as the master names them and segments by
/// number and URI, never a URL of the temporary mirror.
final class RemoteFailureLog: @unchecked Sendable {
    static let limitPerPlaylist = 5

    // Guarded by `lock`.
    private let lock = NSLock()
    private var failures: [RuleFailure] = []
    private var counts: [String: Int] = [:]
    private var overflow: [(rule: String, playlist: String, count: Int)] = []
    private var statistics = RemoteCheckStatistics()
    /// Lines already reported: a reload that repeats the same fault (the same header every time) says so once.
    private var reported: Set<String> = []

    /// Counts what the live checks did, so a report can show they ran.
    func count(_ field: WritableKeyPath<RemoteCheckStatistics, Int>, by amount: Int = 1) {
        lock.withLock { statistics[keyPath: field] += amount }
    }

    var counted: RemoteCheckStatistics { lock.withLock { statistics } }

    func add(_ rule: String, _ playlist: String, segment: (number: Int, uri: String)? = nil, _ message: String) {
        let location = segment.map { "\(playlist) #\($0.number) (\($0.uri))" } ?? playlist
        lock.withLock {
            guard reported.insert(rule + "\u{0}" + location + "\u{0}" + message).inserted else { return }
            let key = rule + "\u{0}" + playlist
            let seen = counts[key, default: 0]
            counts[key] = seen + 1
            if seen < Self.limitPerPlaylist {
                failures.append(RuleFailure(rule: rule, location: Self.printable(location), message: Self.printable(message)))
            } else if let index = overflow.firstIndex(where: { $0.rule == rule && $0.playlist == playlist }) {
                overflow[index].count += 1
            } else {
                overflow.append((rule, playlist, 1))
            }
        }
    }

    func finished() -> [RuleFailure] {
        lock.withLock {
            failures + overflow.map {
                RuleFailure(rule: $0.rule, location: Self.printable($0.playlist),
                            message: "\($0.count) more place(s) fail this rule, not listed")
            }
        }
    }

    /// Text from the network on one line: control characters escaped as the folder check escapes them,
    /// length bounded, so a hostile server cannot forge report lines or flood the terminal.
    static func printable(_ text: String) -> String {
        let bounded = text.unicodeScalars.count > 400 ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(400))) + "…" : text
        return HLSChecker.printable(bounded)
    }
}
