import Foundation

/// HLS-RULES O5 as a client sees it: the content type of every answer, and how long caches may keep it.
enum HeaderRules {
    /// What a fetched resource is, which decides its content type and caching rule.
    enum Kind: Sendable {
        case playlist
        /// A TS segment (the playlist has no EXT-X-MAP).
        case transportStream
        /// An fMP4 init segment, segment or part.
        case fragmentedMP4
    }

    /// RFC 8216 §4: a playlist is `application/vnd.apple.mpegurl` (or the older `audio/mpegurl`).
    private static let playlistTypes: Set<String> = ["application/vnd.apple.mpegurl", "audio/mpegurl"]
    private static let transportStreamTypes: Set<String> = ["video/mp2t"]
    private static let mp4Types: Set<String> = ["video/mp4", "audio/mp4", "application/mp4"]

    /// The O5 content-type problem of an answer, or nil.
    static func contentTypeProblem(_ contentType: String?, kind: Kind) -> String? {
        guard let contentType else { return "served without a Content-Type (expected \(expected(kind)))" }
        let media = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let allowed = switch kind {
        case .playlist: playlistTypes
        case .transportStream: transportStreamTypes
        case .fragmentedMP4: mp4Types
        }
        return allowed.contains(media) ? nil : "served as \(contentType), expected \(expected(kind))"
    }

    private static func expected(_ kind: Kind) -> String {
        switch kind {
        case .playlist: "application/vnd.apple.mpegurl"
        case .transportStream: "video/mp2t"
        case .fragmentedMP4: "video/mp4 or audio/mp4"
        }
    }

    /// The O5 caching problem of a live media playlist, or nil. A cache may keep it at most `limit` seconds
    /// (one PART-TARGET with parts, half the target duration without): a player reloading after that must
    /// get the new version. No Cache-Control at all is not a failure (a plain web server sends none).
    static func playlistCachingProblem(_ cacheControl: String?, limit: Double) -> String? {
        guard let cacheControl else { return nil }
        let directives = parse(cacheControl)
        if directives["no-cache"] != nil || directives["no-store"] != nil { return nil }
        if directives["immutable"] != nil { return "Cache-Control \"\(cacheControl)\" marks a live playlist immutable" }
        for name in ["s-maxage", "max-age"] {
            if let age = directives[name] ?? nil, age > limit {
                return "Cache-Control \"\(cacheControl)\" lets caches keep a live playlist \(age) s, more than \(format(limit)) s"
            }
        }
        return nil
    }

    /// The O5 caching problem of a segment, part or init segment, or nil: when it has Cache-Control, caches
    /// must be allowed to keep it at least `minimum` seconds (3 × target duration, as long as it can stay
    /// in a window) or it is `immutable`. None at all is not a failure.
    static func mediaCachingProblem(_ cacheControl: String?, minimum: Double) -> String? {
        guard let cacheControl else { return nil }
        let directives = parse(cacheControl)
        if directives["no-store"] != nil || directives["no-cache"] != nil {
            return "Cache-Control \"\(cacheControl)\" keeps caches from reusing a segment that never changes"
        }
        if directives["immutable"] != nil { return nil }
        if let age = directives["max-age"] ?? nil, age < minimum {
            return "Cache-Control \"\(cacheControl)\" lets caches keep a segment only \(age) s, less than \(format(minimum)) s"
        }
        return nil
    }

    /// Directive name (lowercased) to its numeric value when it has one that is a whole number of seconds
    /// in 0…2^31 (anything else counts as no value).
    private static func parse(_ header: String) -> [String: Double?] {
        var directives: [String: Double?] = [:]
        for item in header.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard let name = pair.first?.trimmingCharacters(in: .whitespaces).lowercased(), !name.isEmpty else { continue }
            var value: Double?
            if pair.count == 2 {
                let text = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                if text.count <= 10, text.allSatisfy(\.isASCII), let number = Int(text), (0...Int(Int32.max)).contains(number) {
                    value = Double(number)
                }
            }
            directives[name] = .some(value)
        }
        return directives
    }

    static func format(_ seconds: Double) -> String {
        String(format: "%.3f", seconds).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }
}
