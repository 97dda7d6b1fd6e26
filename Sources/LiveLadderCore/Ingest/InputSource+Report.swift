import Foundation

extension InputSource {
    /// The `protocol` label: `rtmp`, `srt`, `udp`, `tcp`, `http(s)`, `file`, or `pipe` for stdin.
    var protocolName: String {
        switch kind {
        case .stdin: return "pipe"
        case .file: return "file"
        case .listen, .pull: return scheme.isEmpty ? "unknown" : scheme
        }
    }

    /// The URL as status, events and logs may show it: no `user:password@`, no secret query values
    /// (SRT `passphrase`, `streamid`; any `key`, `token`, `password`), and no RTMP stream key (the
    /// path after the application name is the publisher's credential).
    var redactedURL: String { Self.redact(url) }

    static let secretParameters: Set<String> = ["passphrase", "streamid", "key", "token", "password", "pass", "secret", "auth"]

    static func redact(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = String(url[schemeEnd.upperBound...])
        var query: String?
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = String(rest[..<mark])
        }
        var authority = rest
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = String(rest[..<slash])
            path = String(rest[slash...])
        }
        if let at = authority.lastIndex(of: "@") { authority = "***@" + authority[authority.index(after: at)...] }
        if scheme.hasPrefix("rtmp") {
            // rtmp://host/app/KEY: keep the application, hide the key.
            let parts = path.split(separator: "/", omittingEmptySubsequences: true)
            if parts.count >= 2 { path = "/" + parts[0] + "/***" }
        }
        var result = "\(scheme)://\(authority)\(path)"
        if let query {
            let pairs = query.split(separator: "&").map { pair -> String in
                let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                return secretParameters.contains(name.lowercased()) ? "\(name)=***" : String(pair)
            }
            result += "?" + pairs.joined(separator: "&")
        }
        return result
    }
}
