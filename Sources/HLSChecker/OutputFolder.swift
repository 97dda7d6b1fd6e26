#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
#endif

/// The checked output folder: the only place `check` reads from.
///
/// Playlists are input from whoever wrote the output, so a URI may try to name anything: `../../etc/passwd`,
/// `/dev/stdin`, `file:///…`, `%2e%2e%2f…`, a symbolic link out of the folder. Every URI goes through
/// `resolve(_:from:)` and every file through `read(_:limit:)`, which together only ever open a regular
/// file whose real path (symbolic links resolved) lies inside the folder's real path, and read at most a
/// bounded number of bytes of it. What they refuse becomes a URI1 failure naming the URI; the file is
/// never opened, so nothing from outside can reach the report.
package struct OutputFolder: Sendable {
    /// Playlists (master and media) are text of a few kilobytes; 4 MiB is ten thousand segments.
    package static let playlistLimit = 4 << 20
    /// A media segment or init segment: 256 MiB is over 30 s at 60 Mbit/s.
    package static let mediaLimit = 256 << 20

    /// The folder's real path, without a trailing `/` (except for `/` itself).
    package let root: String

    /// Where a URI leads.
    package enum Target: Equatable, Sendable {
        /// An absolute path inside `root`: the real path of an existing file, or for a missing one the path
        /// it would have (which `read` reports as missing).
        case file(String)
        /// Why the URI is not followed, for the URI1 message.
        case refused(String)

        package var path: String? {
            if case .file(let path) = self { return path }
            return nil
        }
    }

    /// What reading a file gave.
    package enum Contents {
        case bytes([UInt8])
        case missing
        case refused(String)
    }

    /// `directory` must exist; its real path becomes the root.
    package init?(directory: String) {
        guard let real = Self.realPath(directory) else { return nil }
        root = real
    }

    /// The directory holding `path` (an absolute path inside the folder).
    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "/" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    // MARK: Resolving

    /// Resolves `uri`, written in a playlist in `directory` (an absolute path inside the folder), the way a
    /// player resolves a relative reference, then follows symbolic links.
    ///
    /// Only relative paths are followed. Percent-escapes are decoded one path segment at a time, and an
    /// escape that would change how the path splits (`%2F`, `%5C`) or make a dot segment (`%2e%2e`) is
    /// refused: servers disagree on what those mean, so a checker must not guess.
    ///
    /// Everything here works on UTF-8 bytes, never on `Character`s: file names are bytes, while Swift's
    /// `String` compares by canonical equivalence ("café" precomposed equals "café" decomposed, two
    /// different folders) and glues a `/` to a following combining mark.
    package func resolve(_ uri: String, from directory: String) -> Target {
        let bytes = Array(uri.utf8)
        if let problem = Self.syntaxProblem(bytes) { return .refused(problem) }
        guard var components = relativeComponents(of: directory) else {
            return .refused("is read from outside the output folder")
        }
        for raw in bytes.split(separator: Self.slash, omittingEmptySubsequences: false) {
            guard let segment = Self.percentDecoded(raw) else {
                return .refused("has malformed percent-encoding (or escapes that are not UTF-8)")
            }
            if segment.contains(Self.slash) || segment.contains(Self.backslash) || segment.contains(0) {
                return .refused("percent-encodes a separator or NUL (%2F, %5C, %00)")
            }
            let isDotSegment = segment == [Self.dot] || segment == [Self.dot, Self.dot]
            if isDotSegment && Array(raw) != segment {
                return .refused("percent-encodes a dot segment (%2E)")
            }
            switch segment {
            case [Self.dot]:
                continue
            case [Self.dot, Self.dot]:
                guard components.popLast() != nil else { return .refused("climbs out of the output folder") }
            default:
                components.append(segment)
            }
        }
        guard let lexical = join(components) else {
            return .refused("has malformed percent-encoding (or escapes that are not UTF-8)")
        }
        guard let real = Self.realPath(lexical) else { return .file(lexical) }  // missing: `read` says so
        guard contains(real) else { return .refused("leads outside the output folder through a symbolic link") }
        return .file(real)
    }

    private static let slash = UInt8(ascii: "/")
    private static let backslash = UInt8(ascii: "\\")
    private static let dot = UInt8(ascii: ".")

    /// What makes `uri` something other than a plain relative path, or nil.
    private static func syntaxProblem(_ uri: [UInt8]) -> String? {
        if uri.isEmpty { return "is empty" }
        if uri.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return "has a NUL or control character" }
        if uri.contains(backslash) { return "has a backslash" }
        if uri.first == slash { return "is an absolute path" }
        // RFC 3986 §4.2: in a relative reference the first segment has no ':', so one there is a scheme.
        if uri.prefix(while: { $0 != slash }).contains(UInt8(ascii: ":")) {
            return "names a URL scheme (only relative paths inside the output folder are read)"
        }
        if uri.contains(UInt8(ascii: "?")) || uri.contains(UInt8(ascii: "#")) {
            return "has a query or fragment, which no file in the folder has"
        }
        if uri.split(separator: slash, omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            return "has an empty path segment"
        }
        return nil
    }

    /// `%XX` escapes decoded; nil for a malformed escape or a result that is not UTF-8 (a file name that a
    /// `String` path could not name exactly).
    private static func percentDecoded(_ raw: ArraySlice<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        var index = raw.startIndex
        while index < raw.endIndex {
            if raw[index] == UInt8(ascii: "%") {
                guard index + 2 < raw.endIndex, let high = hexValue(raw[index + 1]), let low = hexValue(raw[index + 2])
                else { return nil }
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(raw[index])
                index += 1
            }
        }
        return String(validating: output, as: UTF8.self) == nil ? nil : output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The path segments (bytes) of `directory` below the root, or nil when it is not inside.
    private func relativeComponents(of directory: String) -> [[UInt8]]? {
        if Array(directory.utf8) == Array(root.utf8) { return [] }
        guard contains(directory) else { return nil }
        let rest = directory.utf8.dropFirst(root == "/" ? 1 : root.utf8.count + 1)
        return rest.split(separator: Self.slash).map(Array.init)
    }

    private func join(_ components: [[UInt8]]) -> String? {
        var path = Array(root.utf8)
        if path == [Self.slash] { path = [] }
        for component in components { path += [Self.slash] + component }
        return String(validating: path.isEmpty ? [Self.slash] : path, as: UTF8.self)
    }

    /// `path` lies strictly inside the root, compared byte by byte.
    package func contains(_ path: String) -> Bool {
        let bytes = Array(path.utf8)
        var prefix = Array(root.utf8)
        if prefix != [Self.slash] { prefix.append(Self.slash) }
        return bytes.count > prefix.count && bytes.starts(with: prefix)
    }

    // MARK: Reading

    /// The bytes of the regular file at `path`, read only if its real path is inside the folder and it
    /// holds at most `limit` bytes.
    ///
    /// Checked again here rather than trusted from `resolve`, so no caller can skip it; and checked on the
    /// opened descriptor too (same device and inode as the path looked up, a regular file), so swapping a
    /// file for a link between the look-up and the open does not get anything else read.
    package func read(_ path: String, limit: Int) -> Contents {
        guard let real = Self.realPath(path) else { return .missing }
        guard contains(real) else { return .refused("leads outside the output folder through a symbolic link") }
        var before = stat()
        guard lstat(real, &before) == 0 else { return .missing }
        guard before.st_mode & S_IFMT == S_IFREG else {
            return .refused("is not a regular file (a folder, device, FIFO or socket)")
        }
        guard before.st_size <= limit else { return .refused(Self.tooLarge(Int(before.st_size), limit)) }
        // O_NONBLOCK: should a FIFO appear in the meantime, opening it does not wait for a writer.
        let descriptor = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else { return errno == ENOENT ? .missing : .refused("cannot be opened (errno \(errno))") }
        defer { close(descriptor) }
        var after = stat()
        guard fstat(descriptor, &after) == 0, after.st_mode & S_IFMT == S_IFREG,
              after.st_dev == before.st_dev, after.st_ino == before.st_ino else {
            return .refused("changed while it was being opened")
        }
        // One byte more than allowed shows a file that grew past the limit after the size check.
        var bytes = [UInt8](repeating: 0, count: min(max(Int(after.st_size), 0), limit) + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { return .refused("cannot be read (errno \(errno))") }
            if got == 0 { break }
            count += got
        }
        guard count <= limit else { return .refused(Self.tooLarge(count, limit)) }
        return .bytes(Array(bytes[..<count]))
    }

    private static func tooLarge(_ size: Int, _ limit: Int) -> String {
        "holds \(size) bytes, more than the \(limit >> 20) MiB check reads for such a file"
    }

    /// `realpath(3)`: the absolute path with every symbolic link, `.` and `..` resolved; nil when some part
    /// does not exist.
    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
