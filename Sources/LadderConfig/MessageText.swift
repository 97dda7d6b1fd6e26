/// Small formatters that keep every `ConfigError` message on one line and worded the same way.
package enum MessageText {
    /// User text in double quotes with newlines and quotes escaped, so a multi-line YAML value
    /// cannot break the one-line message.
    package static func quoted(_ text: String) -> String {
        text.debugDescription
    }

    /// A key as the user wrote it: bare when it is a plain word, quoted when it holds anything
    /// (spaces, dots, newlines) that would make the key path ambiguous.
    static func key(_ text: String) -> String {
        ConfigLimits.isValidName(text) ? text : quoted(text)
    }

    /// `a`, `a or b`, `a, b or c`: the choices in a "use …" hint.
    static func choices(_ words: [String]) -> String {
        guard let last = words.last, words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " or " + last
    }

    /// Seconds without a pointless `.0`: `45`, `0.25`.
    static func seconds(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 {
            return String(Int(value))
        }
        return String(value)
    }
}
