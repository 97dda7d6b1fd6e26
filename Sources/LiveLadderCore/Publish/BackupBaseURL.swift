/// Where the other instance of a redundant pair publishes the same renditions (`--backup-base-url`): the
/// master lists, after every primary variant, a backup `<base>/<rendition>/index.m3u8` with the same
/// attributes (RFC 8216 §6.2.4). docs/redundancy.md.
///
/// Accepted: an absolute `http://` or `https://` URL with a host, or a relative path (`../b`, `/live/b`)
/// that a player resolves against the master's own URL. One trailing slash or more is dropped, so
/// `https://b.example/live/` and `https://b.example/live` join the same way. Refused, each with one line
/// that never repeats credentials: other schemes and scheme-relative `//host`, user information
/// (`user:password@`: a master is public and a player cannot send them anyway), a query or fragment (the
/// rendition path would land after it), empty path segments, a path naming the master's own folder, and
/// any character RFC 3986 does not allow unescaped (spaces, controls, `"`, non-ASCII).
public struct BackupBaseURL: Equatable, Sendable, CustomStringConvertible {
    /// The base without a trailing slash; a rendition's URI is `text + "/" + uri`.
    public let text: String

    /// The longest base accepted; the URIs it makes stay far below a playlist line's limit.
    public static let maximumLength = 1024

    public init(_ value: String) throws(BackupBaseURLError) {
        let shown = Self.shown(value)
        guard !value.isEmpty else { throw BackupBaseURLError("is empty; give the other instance's http(s) URL or a relative path such as ../b") }
        guard value.utf8.count <= Self.maximumLength else {
            throw BackupBaseURLError("is \(value.utf8.count) bytes; at most \(Self.maximumLength)")
        }
        if let bad = value.unicodeScalars.first(where: { !Self.allowed($0) }) {
            let what = bad.value < 0x20 || bad.value == 0x7F ? "a control character"
                : bad == " " ? "a space" : bad.isASCII ? "the character \(bad)" : "a non-ASCII character"
            throw BackupBaseURLError("\(shown)has \(what); percent-encode it (%XX)")
        }
        if let problem = Self.percentProblem(value) { throw BackupBaseURLError("\(shown)\(problem)") }
        if value.contains("?") || value.contains("#") {
            throw BackupBaseURLError("\(shown)has a query or fragment; the rendition path is appended to the base, so give a plain folder URL")
        }
        var path = Substring(value)
        if let schemeEnd = value.range(of: "://") {
            let scheme = value[..<schemeEnd.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else {
                throw BackupBaseURLError("\(shown)is a \(scheme): URL; give an http:// or https:// URL or a relative path")
            }
            let rest = value[schemeEnd.upperBound...]
            let authority = rest.prefix { $0 != "/" }
            guard !authority.contains("@") else {
                throw BackupBaseURLError("carries credentials (user:password@host); a master playlist is public and players cannot use them: give the URL without them")
            }
            try Self.checkAuthority(authority, shown: shown)
            path = rest[authority.endIndex...]
            text = scheme + "://" + authority + Self.trimmingTrailingSlashes(path)
        } else {
            if value.hasPrefix("//") {
                throw BackupBaseURLError("\(shown)is a scheme-relative URL; give the scheme (http:// or https://) or a relative path")
            }
            if value.prefix(while: { $0 != "/" }).contains(":") {
                throw BackupBaseURLError("\(shown)names a URL scheme; give an http:// or https:// URL or a relative path")
            }
            text = Self.trimmingTrailingSlashes(path)
            if text.isEmpty && value.hasPrefix("/") {
                // `/`: the server's root, a valid base (`/720p/index.m3u8`).
            } else if text.isEmpty || text == "." {
                throw BackupBaseURLError("\(shown)names the master's own folder; the backup must be the other instance's copy")
            }
        }
        let trimmed = Self.trimmingTrailingSlashes(path)
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false).dropFirst(trimmed.hasPrefix("/") ? 1 : 0)
        if !trimmed.isEmpty && segments.contains(where: \.isEmpty) {
            throw BackupBaseURLError("\(shown)has an empty path segment (//)")
        }
    }

    /// The URI of a rendition's playlist (`720p/index.m3u8`) in the backup.
    public func uri(of relative: String) -> String { text + "/" + relative }

    public var description: String { text }

    // MARK: - Checks

    /// RFC 3986's unreserved and reserved characters and `%`.
    private static func allowed(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII, scalar.value > 0x20, scalar.value < 0x7F else { return false }
        return scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-._~:/?#[]@!$&'()*+,;=%".unicodeScalars.contains(scalar)
    }

    private static func percentProblem(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, isHex(bytes[index + 1]), isHex(bytes[index + 2]) else {
                    return "has a % that is not followed by two hexadecimal digits"
                }
                index += 3
            } else {
                index += 1
            }
        }
        return nil
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`.
    private static func checkAuthority(_ authority: Substring, shown: String) throws(BackupBaseURLError) {
        var host = authority
        var port: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw BackupBaseURLError("\(shown)has an unclosed [IPv6] host") }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw BackupBaseURLError("\(shown)has characters after its [IPv6] host") }
                port = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        }
        let bracketed = authority.hasPrefix("[")
        guard bracketed ? host.count > 2 : !host.isEmpty && !host.contains(where: { $0 == "[" || $0 == "]" }) else {
            throw BackupBaseURLError("\(shown)has no host; give http(s)://host[:port]/path")
        }
        if let port {
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber),
                  let number = Int(port), (1...65535).contains(number) else {
                throw BackupBaseURLError("\(shown)has a port that is not a number from 1 to 65535")
            }
        }
    }

    private static func trimmingTrailingSlashes(_ path: Substring) -> String {
        var path = path
        while path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }

    /// The value quoted for a message, when it is safe to repeat: nothing with an `@` (it may hold a
    /// password), a query or fragment (they carry tokens) or a control character; at most 80 characters.
    private static func shown(_ value: String) -> String {
        guard !value.contains(where: { "@?#".contains($0) }), value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else { return "" }
        let text = value.count > 80 ? value.prefix(77) + "..." : Substring(value)
        return "\"\(text)\" "
    }
}

/// Why a `--backup-base-url` value was refused: one line, completing `--backup-base-url: …`.
public struct BackupBaseURLError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
