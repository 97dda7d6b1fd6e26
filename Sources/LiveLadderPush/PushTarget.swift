import Foundation

/// One `--push URL`: where a run's files go, how, and with which headers.
///
/// The URL is the origin's folder for this output: `https://origin.example/live/channel1/` receives
/// `master.m3u8`, `360p/index.m3u8`, `360p/segment-3.ts`… under it. It carries no credentials (they would
/// show in `ps`, logs and events); `--push-header 'Authorization: …'` carries them instead, and
/// `redacted` is what every message and metric label shows.
public struct PushTarget: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable {
        case put = "PUT"
        case post = "POST"
    }

    /// Always ends with `/`.
    public let base: URL
    public let method: Method
    public let headers: [(name: String, value: String)]
    /// `--push-delete`: old segments are deleted from the origin once their local grace ran out.
    public let deleteOld: Bool

    /// `scheme://host[:port]/path/`: no query, no credentials.
    public var redacted: String { base.absoluteString }

    public init(url text: String, method: Method = .put, headers: [String] = [], deleteOld: Bool = false) throws(PushTargetError) {
        guard text.count <= 2048, !text.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw PushTargetError("--push: \(PushTargetError.shownURL(text)) is not a URL (no spaces, at most 2048 characters); pass http://HOST[:PORT]/PATH/")
        }
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
              let host = parts.host, !host.isEmpty else {
            throw PushTargetError("--push: \(PushTargetError.shownURL(text)) is not a URL; pass http://HOST[:PORT]/PATH/ or https://…")
        }
        guard scheme == "http" || scheme == "https" else {
            throw PushTargetError("--push: \(scheme): is not supported; pass an http:// or https:// URL")
        }
        guard parts.user == nil, parts.password == nil else {
            throw PushTargetError("--push: the URL carries credentials; pass them as --push-header 'Authorization: …' instead (a URL shows in ps and logs)")
        }
        guard parts.query == nil, parts.fragment == nil else {
            throw PushTargetError("--push: the URL has a query or fragment; pass the origin folder only (http://HOST[:PORT]/PATH/)")
        }
        if let port = parts.port, !(1...65535).contains(port) {
            throw PushTargetError("--push: port \(port) is out of range (1-65535)")
        }
        var folder = parts
        if !folder.path.hasSuffix("/") { folder.path += "/" }
        guard let base = folder.url else {
            throw PushTargetError("--push: \(PushTargetError.shownURL(text)) is not a URL; pass http://HOST[:PORT]/PATH/")
        }
        self.base = base
        self.method = method
        self.headers = try headers.map(Self.header)
        self.deleteOld = deleteOld
    }

    public static func == (lhs: PushTarget, rhs: PushTarget) -> Bool {
        lhs.base == rhs.base && lhs.method == rhs.method && lhs.deleteOld == rhs.deleteOld
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    /// The URL of an output path (`360p/segment-3.ts`). Output paths are LiveLadder's own names
    /// (rendition folders are `[A-Za-z0-9_-]+`), so they need no escaping and cannot climb out of `base`.
    public func url(for path: String) -> URL {
        base.appendingPathComponent(path, isDirectory: false)
    }

    /// `Name: value`, a field name of RFC 9110 token characters and a value without line breaks.
    static func header(_ text: String) throws(PushTargetError) -> (name: String, value: String) {
        guard let colon = text.firstIndex(of: ":") else {
            // Not repeated: it is most likely `Authorization Bearer …` with the colon forgotten.
            throw PushTargetError("--push-header: a value has no ':' (not shown: it may hold a credential); pass 'Name: value'")
        }
        let name = String(text[..<colon])
        let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        let token = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard !name.isEmpty, name.count <= 256, name.allSatisfy(token.contains) else {
            throw PushTargetError("--push-header: \(PushTargetError.shownName(name)) is not a header name; pass 'Name: value' with letters, digits and -")
        }
        guard value.count <= 8192, !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) else {
            throw PushTargetError("--push-header: the value of \(name) has control characters or is over 8 KiB")
        }
        let reserved = ["host", "content-length", "transfer-encoding", "connection", "content-type"]
        guard !reserved.contains(name.lowercased()) else {
            throw PushTargetError("--push-header: \(name) is set by LiveLadder itself; leave it out")
        }
        return (name, value)
    }
}

public struct PushTargetError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }

    /// A URL that did not parse, as `shown`, with anything between `://` and an `@` (credentials) masked.
    static func shownURL(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") else { return shown(text) }
        return shown(String(text[..<scheme.upperBound]) + "…" + String(text[at...]))
    }

    /// A refused header name, as `shown`, up to its first space: `Authorization Bearer abc: x` is a
    /// credential with the colon in the wrong place, and only its first word is repeated.
    static func shownName(_ name: String) -> String {
        guard let space = name.firstIndex(where: { $0.isWhitespace }) else { return shown(name) }
        return shown(String(name[..<space]) + " …")
    }

    /// A user's text in a message: quoted, control characters escaped, at most 80 characters.
    static func shown(_ text: String) -> String {
        let escaped = text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        return "\"" + (escaped.count > 80 ? String(escaped.prefix(77)) + "…" : escaped) + "\""
    }
}
