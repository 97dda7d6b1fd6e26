import ArgumentParser

/// Turns swift-argument-parser's errors into LiveLadder's one line, `liveladder: error: …`.
///
/// The parser prints several lines (the error, a usage block, a help hint) and, for a command line with
/// an unknown option and a missing required one, names the missing one, which hides the real mistake
/// (`run -i X` before `-i` existed said "Missing expected argument '--input'"). So on any parse error the
/// arguments are first checked against the options the command really has, from its own help text, and
/// an unknown one is named with the closest real option.
enum CommandLineErrors {
    /// The one-line message for a parse error of `arguments` (without the program name).
    static func message(for error: Error, arguments: [String]) -> String {
        let command = subcommand(of: arguments)
        if let unknown = unknownOption(in: arguments, of: command) {
            let known = options(of: command)
            let hint = closest(to: unknown, in: known).map { "; did you mean \($0)?" } ?? ""
            return "unknown option \(unknown)\(hint) (see liveladder \(command.configuration.commandName ?? "") --help)"
        }
        let text = LiveLadderCommand.message(for: error)
        let first = text.split(separator: "\n").first.map(String.init) ?? text
        let trimmed = first.hasPrefix("Error: ") ? String(first.dropFirst(7)) : first
        let name = command == LiveLadderCommand.self ? "" : " \(command.configuration.commandName ?? "")"
        return "\(trimmed) (see liveladder\(name) --help)"
    }

    private static let subcommands: [ParsableCommand.Type] = [RunCommand.self, ProbeCommand.self, CheckCommand.self, SummarizeCommand.self, RegressCommand.self]

    private static func subcommand(of arguments: [String]) -> ParsableCommand.Type {
        subcommands.first { $0.configuration.commandName == arguments.first } ?? LiveLadderCommand.self
    }

    /// The first argument that looks like an option but is none of the command's. Values of options are
    /// skipped where they follow the option they belong to, so `--input -` (stdin) is not an option.
    static func unknownOption(in arguments: [String], of command: ParsableCommand.Type) -> String? {
        let known = Set(options(of: command))
        guard command != LiveLadderCommand.self || !arguments.isEmpty else { return nil }
        for argument in arguments.dropFirst(command == LiveLadderCommand.self ? 0 : 1) {
            if argument == "--" { break }
            guard argument.hasPrefix("-"), argument.count > 1, Double(argument) == nil else { continue }
            let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            if !known.contains(name) { return name }
        }
        return nil
    }

    /// Every option name in the command's help text (`--input`, `-i`, `--help`, …).
    static func options(of command: ParsableCommand.Type) -> [String] {
        let help = command.helpMessage(includeHidden: true, columns: 1000)
        var names: [String] = ["-h", "--help"]
        for word in help.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "(" || $0 == ")" || $0 == "|" || $0 == "[" || $0 == "]" }) {
            let token = word.split(separator: "=").first.map(String.init) ?? String(word)
            let isLong = token.hasPrefix("--") && token.count > 2
            let isShort = token.count == 2 && token.hasPrefix("-") && token.last!.isLetter
            let body = token.drop { $0 == "-" }
            if (isLong || isShort) && body.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) { names.append(token) }
        }
        return Array(Set(names)).sorted()
    }

    /// The known option nearest to `unknown` by edit distance, if it is near enough to be a typo.
    static func closest(to unknown: String, in known: [String]) -> String? {
        let scored = known.map { ($0, distance(unknown, $0)) }.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        guard let (name, score) = scored, score <= max(2, unknown.count / 3) else { return nil }
        return name
    }

    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in 1...b.count {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return row[b.count]
    }
}
