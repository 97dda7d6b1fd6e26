/// Damages playlist text the ways real files get damaged — lines dropped, repeated, swapped, truncated,
/// or a byte replaced — to check that parsers never trap and always point at a real line.
struct PlaylistMutator {
    private var random: SeededGenerator

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
    }

    mutating func mutate(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return text }
        let index = Int.random(in: 0..<lines.count, using: &random)
        switch Int.random(in: 0...5, using: &random) {
        case 0: lines.remove(at: index)
        case 1: lines.insert(lines[index], at: index)
        case 2: lines.swapAt(index, Int.random(in: 0..<lines.count, using: &random))
        case 3: lines[index] = String(lines[index].prefix(Int.random(in: 0...lines[index].count, using: &random)))
        case 4:
            var bytes = Array(lines[index].utf8)
            if !bytes.isEmpty {
                let junk: [UInt8] = Array(",=\":#x0-.\r ".utf8)
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = junk[Int.random(in: 0..<junk.count, using: &random)]
            }
            lines[index] = String(decoding: bytes, as: UTF8.self)
        default: lines[index] += lines[Int.random(in: 0..<lines.count, using: &random)]
        }
        return lines.joined(separator: Bool.random(using: &random) ? "\n" : "\r\n")
    }
}
