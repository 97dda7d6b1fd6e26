/// Bounds YAML alias expansion before the text reaches Yams.
///
/// An alias (`*name`) is a reference, so a few hundred bytes of anchors that alias each other describe a
/// tree of billions of nodes ("billion laughs"). Yams resolves aliases to shared nodes, but hashing a
/// mapping's keys for its duplicate-key check walks the whole expanded tree: a 620-byte config with
/// aliases as keys took exponential time. Yams has no setting for this and composes the document in one
/// call, so the aliases are counted here, on the text, first.
///
/// A ladder config has no use for many aliases (its keys are plain names and it has no merge keys), so a
/// small bound costs nothing: with at most `maximum` aliases no node expands to more than about e^(16/e)
/// ≈ 360 nodes of the document's size.
enum YAMLAliasLimit {
    static let maximum = 16

    /// Throws when the text holds more than `maximum` aliases, naming the line of the first one past it.
    static func check(_ text: String) throws(ConfigError) {
        var count = 0
        var line = 1
        var previous: UInt8 = UInt8(ascii: "\n")
        // Quote state: a `*` inside a quoted scalar or a comment is text, not an alias.
        var quote: UInt8?
        var inComment = false
        for byte in text.utf8 {
            defer { previous = byte }
            if byte == UInt8(ascii: "\n") {
                line += 1
                inComment = false
                continue
            }
            if inComment { continue }
            if let open = quote {
                // `''` inside single quotes and `\"` inside double quotes end nothing; close on a bare quote.
                if byte == open && !(open == UInt8(ascii: "\"") && previous == UInt8(ascii: "\\")) { quote = nil }
                continue
            }
            switch byte {
            case UInt8(ascii: "#") where isSeparator(previous):
                inComment = true
            case UInt8(ascii: "'") where isTokenStart(previous), UInt8(ascii: "\"") where isTokenStart(previous):
                quote = byte
            case UInt8(ascii: "*") where isTokenStart(previous):
                count += 1
                if count > maximum {
                    throw ConfigError(at: "line \(line)", "more than \(maximum) YAML aliases (*name); write the values out instead")
                }
            default:
                break
            }
        }
    }

    /// Where a YAML node may begin: after whitespace or a flow or block indicator.
    private static func isTokenStart(_ byte: UInt8) -> Bool {
        isSeparator(byte) || [UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ","), UInt8(ascii: ":"),
                              UInt8(ascii: "-"), UInt8(ascii: "?")].contains(byte)
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }
}
