import Foundation
import HLSChecker

/// Where a served stream lives, and the one place a URI from one of its playlists becomes a URL.
///
/// The stream's base is the master's directory (`http://host:port/live/` for
/// `http://host:port/live/master.m3u8`). Every URI is resolved the way `check` resolves it in a folder, by
/// HLSChecker's `OutputFolder`, against the mirror folder that stands for the base: so the same URIs are
/// refused over HTTP as in a folder (URI1: absolute URLs, other hosts, `..` above the base, `%2e%2e`,
/// `%2F`, queries…), and a URI that is accepted names one file in the mirror and one URL under the base.
struct StreamAddress: Sendable {
    /// `scheme://host[:port]`, as given.
    let origin: String
    /// The master's directory, percent-encoded as given, starting and ending with `/`.
    let basePath: String
    /// The master's file name (decoded), its name in the mirror.
    let masterName: String
    let masterURL: URL
    /// The mirror folder, which stands for `basePath`.
    let mirror: OutputFolder

    /// Reads `text` as the URL of a master playlist; nil with the reason when it is not one check reads.
    static func parse(_ text: String) -> Result<(origin: String, basePath: String, masterName: String, url: URL), StreamURLError> {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https" else {
            return .failure(StreamURLError("\(text) is not an http:// or https:// URL"))
        }
        guard let host = components.percentEncodedHost, !host.isEmpty else {
            return .failure(StreamURLError("\(text) has no host"))
        }
        if components.percentEncodedQuery != nil || components.percentEncodedFragment != nil {
            return .failure(StreamURLError("\(text) has a query or fragment; pass the master playlist's plain URL"))
        }
        if components.percentEncodedUser != nil {
            return .failure(StreamURLError("\(text) carries a user name; check sends no credentials"))
        }
        var path = components.percentEncodedPath
        if path.isEmpty || path.hasSuffix("/") { path += "master.m3u8" }
        guard path.hasPrefix("/") else { return .failure(StreamURLError("\(text) has no absolute path")) }
        let slash = path.lastIndex(of: "/")!
        let directory = String(path[...slash])
        let encodedName = String(path[path.index(after: slash)...])
        guard let name = encodedName.removingPercentEncoding, !name.isEmpty, name != ".", name != "..",
              !name.contains("/"), !name.contains("\0"),
              !directory.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else {
            return .failure(StreamURLError("\(text) does not name a playlist file"))
        }
        var origin = scheme + "://" + host
        if let port = components.port {
            guard (1...65535).contains(port) else { return .failure(StreamURLError("\(text) has port \(port), out of range")) }
            origin += ":\(port)"
        }
        guard let url = URL(string: origin + path) else { return .failure(StreamURLError("\(text) is not a valid URL")) }
        return .success((origin, directory, name, url))
    }

    /// A URI written in the playlist at `directory` (an absolute path inside the mirror): the mirror path
    /// and the URL it names, or why it is refused (never fetched).
    func resolve(_ uri: String, from directory: String) -> Result<(path: String, url: URL), URIRefusal> {
        switch mirror.resolve(uri, from: directory) {
        case .refused(let reason):
            return .failure(URIRefusal(reason: reason))
        case .file(let path):
            guard mirror.contains(path), let url = url(forMirrorPath: path) else {
                return .failure(URIRefusal(reason: "climbs out of the stream's base URL"))
            }
            return .success((path, url))
        }
    }

    /// The URL under the base for a path inside the mirror, each path segment percent-encoded.
    func url(forMirrorPath path: String) -> URL? {
        let relative = path.utf8.dropFirst(mirror.root == "/" ? 1 : mirror.root.utf8.count + 1)
        let encoded = relative.split(separator: UInt8(ascii: "/")).map(Self.percentEncoded).joined(separator: "/")
        return URL(string: origin + basePath + encoded)
    }

    /// Whether `url` lies under the base: same scheme, host and port, and a path below `basePath` that has
    /// no dot segment. What a redirect may lead to.
    func contains(_ url: URL) -> Bool {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: true),
              let scheme = components.scheme?.lowercased(), let host = components.percentEncodedHost else { return false }
        var candidate = scheme + "://" + host
        if let port = components.port { candidate += ":\(port)" }
        let path = components.percentEncodedPath
        let rest = path.dropFirst(basePath.count)
        return candidate.lowercased() == origin.lowercased() && path.hasPrefix(basePath) && !rest.isEmpty
            && !rest.split(separator: "/", omittingEmptySubsequences: false).contains(where: {
                $0.isEmpty || $0 == "." || $0 == ".." || $0.lowercased().contains("%2e") || $0.lowercased().contains("%2f")
            })
    }

    /// RFC 3986 unreserved characters stay; every other byte becomes `%XX`.
    private static func percentEncoded(_ bytes: some Sequence<UInt8>) -> String {
        var text = ""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                text += String(format: "%%%02X", byte)
            }
        }
        return text
    }
}

/// A URI that is not followed, and why (a URI1 failure).
struct URIRefusal: Error {
    let reason: String
}

/// The URL given to `check` is not one it can read.
struct StreamURLError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
