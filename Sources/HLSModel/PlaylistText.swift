/// A playlist split into the kinds of line RFC 8216 §4.1 defines, shared by both playlist parsers.
///
/// Blank lines and comments (`#` not followed by `EXT`) are dropped; what remains keeps its original
/// 1-based line number so errors can point at it. CRLF, LF and lone CR all end a line, and spaces or
/// tabs around a line are ignored, because real-world playlists arrive with all of these.
struct PlaylistText {
    struct Line: Equatable {
        let number: Int
        let kind: Kind
    }

    enum Kind: Equatable {
        /// `#EXT…` — `name` without the leading `#`, `value` is whatever follows the first `:`.
        case tag(name: Substring, value: Substring?)
        case uri(Substring)
    }

    /// The lines after the `#EXTM3U` header.
    let lines: [Line]

    /// Number of the last non-blank line: where an error about a missing tag points.
    let lastLineNumber: Int

    /// Splits `text` and checks that its first line is `#EXTM3U` (RFC 8216 §4.3.1.1).
    init(_ text: String) throws(PlaylistParseError) {
        let rawLines = Self.rawLines(text)
        guard let first = rawLines.first, !first.isEmpty else {
            let found = rawLines.count > 1 ? "an empty line" : "an empty playlist"
            throw PlaylistParseError(line: 1, message: "expected #EXTM3U, found \(found)")
        }
        guard first == "#EXTM3U" else {
            throw PlaylistParseError(line: 1, message: "expected #EXTM3U, found \"\(first)\"")
        }
        let classified = Self.classify(rawLines)
        lines = classified.filter { $0.number > 1 }
        lastLineNumber = classified.last?.number ?? 1
    }

    /// The `EXT-X-VERSION` a playlist declares, read leniently: no header check, `nil` when the tag is
    /// absent or its value is not a decimal integer. Used by checkers comparing declared and needed versions.
    static func declaredVersion(in text: String) -> Int? {
        for line in classify(rawLines(text)) {
            if case .tag("EXT-X-VERSION", let value) = line.kind {
                return value.flatMap(DecimalText.integer)
            }
        }
        return nil
    }

    /// Every line with surrounding blanks trimmed; a leading byte-order mark is dropped.
    private static func rawLines(_ text: String) -> [Substring] {
        let body = text.hasPrefix("\u{FEFF}") ? text.dropFirst() : Substring(text)
        // "\r\n" is a single Character in Swift, so it has to be named alongside "\n" and "\r".
        return body
            .split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
            .map(trimmingBlanks)
    }

    private static func classify(_ rawLines: [Substring]) -> [Line] {
        var lines: [Line] = []
        for (index, content) in rawLines.enumerated() where !content.isEmpty {
            let number = index + 1
            if content.hasPrefix("#EXT") {
                let tag = content.dropFirst()
                if let colon = tag.firstIndex(of: ":") {
                    let value = tag[tag.index(after: colon)...]
                    lines.append(Line(number: number, kind: .tag(name: tag[..<colon], value: value)))
                } else {
                    lines.append(Line(number: number, kind: .tag(name: tag, value: nil)))
                }
            } else if !content.hasPrefix("#") {
                lines.append(Line(number: number, kind: .uri(content)))
            }
        }
        return lines
    }

    private static func trimmingBlanks(_ line: Substring) -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = line.firstIndex(where: { !isBlank($0) }),
              let last = line.lastIndex(where: { !isBlank($0) })
        else { return line[line.endIndex...] }
        return line[start...last]
    }
}
