package import Yams

/// Parses config text into a single YAML node tree, turning Yams' multi-line syntax errors into
/// one-line `line N: …` messages.
package enum YAMLDocument {
    /// The document's root node, or `nil` when the text holds no document (empty or comments only).
    package static func root(of text: String) throws(ConfigError) -> Node? {
        try YAMLAliasLimit.check(text)
        let documents: (first: Node?, second: Node?)
        do {
            let parser = try Parser(yaml: text)
            documents = (try parser.nextRoot(), try parser.nextRoot())
        } catch let error as YamlError {
            throw ConfigError(error)
        } catch {
            throw ConfigError("\(error)")
        }
        // A second `---` document would otherwise be silently ignored.
        if let second = documents.second {
            let line = second.mark.map { "line \($0.line)" } ?? "config"
            throw ConfigError(at: line, "found a second YAML document; a config file holds exactly one")
        }
        return documents.first
    }
}

extension ConfigError {
    /// A Yams error as `line N: problem (context)`: Yams' own description spans several lines
    /// and, for duplicate keys, repeats the whole document.
    init(_ error: YamlError) {
        switch error {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var reason = problem
            if let context {
                reason += " (\(context.text) on line \(context.mark.line))"
            }
            self.init(at: "line \(mark.line)", reason)
        case let .reader(problem, offset, _, yaml):
            let line = offset.map { Self.line(atCharacterOffset: $0, in: yaml) }
            self.init(at: line.map { "line \($0)" } ?? "config", problem)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map(MessageText.quoted).joined(separator: ", ")
            let subject = duplicates.count == 1 ? "key \(keys) is" : "keys \(keys) are"
            self.init(at: "line \(context.mark.line)", "\(subject) given more than once")
        default:
            // Memory and emitter errors: nothing line-specific to add.
            self.init(at: "config", "\(error)".split(separator: "\n").joined(separator: " "))
        }
    }

    /// 1-based line of a character offset; Yams' reader errors carry the offset only.
    private static func line(atCharacterOffset offset: Int, in text: String) -> Int {
        text.prefix(offset).reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
    }
}
