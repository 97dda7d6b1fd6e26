import HLSModel

/// The multivariant playlist as written, read leniently.
///
/// HLSModel's `MultivariantPlaylist.parse` rejects a playlist that lacks a required attribute, which is
/// right for a producer but useless for a checker: a missing `AVERAGE-BANDWIDTH` must become an MV2 line
/// while every other rule is still checked. So the master is read line by line here, keeping each
/// attribute list as written; HLSModel's `AttributeList` does the attribute syntax.
package struct MasterPlaylist {
    package struct Variant {
        /// 1-based position among the `EXT-X-STREAM-INF` lines, for messages.
        package var number: Int
        package var line: Int
        /// nil when the tag is not followed by a URI line.
        package var uri: String?
        /// nil when the attribute list does not parse (`attributeError` says why).
        package var attributes: AttributeList?
        package var attributeError: String?
    }

    package struct Media {
        package var line: Int
        package var attributes: AttributeList?
        package var attributeError: String?
        /// `TYPE`, when readable.
        package var type: String? { (try? attributes?.enumeratedString("TYPE")) ?? nil }
        package var uri: String? { (try? attributes?.quotedString("URI")) ?? nil }
        package var groupID: String? { (try? attributes?.quotedString("GROUP-ID")) ?? nil }
        package var name: String? { (try? attributes?.quotedString("NAME")) ?? nil }
    }

    package var firstLine: String
    package var independentSegments = false
    package var variants: [Variant] = []
    package var media: [Media] = []
    /// URI lines with no `EXT-X-STREAM-INF` before them.
    package var strayURIs: [(line: Int, uri: String)] = []

    package var audioMedia: [Media] { media.filter { $0.type == "AUDIO" } }

    /// Reads `text`, or returns nil when it is no playlist at all (no `#EXTM3U` anywhere and no
    /// `EXT-X-STREAM-INF`), which the caller turns into a `CheckError`.
    package init?(text: String) {
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        firstLine = lines.first.map { String($0).trimmingBlanks } ?? ""
        var pending: Variant?
        var sawHeader = false
        for (index, raw) in lines.enumerated() {
            let line = String(raw).trimmingBlanks
            let number = index + 1
            if line.isEmpty { continue }
            if line == "#EXTM3U" { sawHeader = true; continue }
            if line.hasPrefix("#") {
                let (tag, value) = Self.split(tag: line)
                switch tag {
                case "EXT-X-INDEPENDENT-SEGMENTS":
                    independentSegments = true
                case "EXT-X-STREAM-INF":
                    if let pending { variants.append(pending) }
                    let parsed = Self.attributes(value)
                    pending = Variant(number: variants.count + 1, line: number, uri: nil,
                                      attributes: parsed.list, attributeError: parsed.error)
                case "EXT-X-MEDIA":
                    let parsed = Self.attributes(value)
                    media.append(Media(line: number, attributes: parsed.list, attributeError: parsed.error))
                default:
                    break
                }
                continue
            }
            if var variant = pending {
                variant.uri = line
                variants.append(variant)
                pending = nil
            } else {
                strayURIs.append((number, line))
            }
        }
        if let pending { variants.append(pending) }
        guard sawHeader || !variants.isEmpty else { return nil }
    }

    private static func split(tag line: String) -> (String, Substring) {
        let body = line.dropFirst()
        guard let colon = body.firstIndex(of: ":") else { return (String(body), "") }
        return (String(body[..<colon]), body[body.index(after: colon)...])
    }

    private static func attributes(_ text: Substring) -> (list: AttributeList?, error: String?) {
        do {
            return (try AttributeList(parsing: text), nil)
        } catch {
            return (nil, error.description)
        }
    }
}

extension String {
    /// The line without surrounding spaces and tabs (playlists are line-oriented; blanks mean nothing).
    var trimmingBlanks: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
