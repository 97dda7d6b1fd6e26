/// Reads and writes bitrates the way people type them in configs and on the command line.
///
/// Accepted forms are a whole number of bits per second (`800000`) or a number with a `k`
/// (×1000) or `M` (×1,000,000) suffix, decimals allowed (`3000k`, `3M`, `2.5M`). Suffixes are
/// case-insensitive; `m` means mega because nobody encodes video at millibits per second.
public enum Bitrate {
    /// The bits per second written in `text`, or `nil` when it is not a bitrate.
    ///
    /// The result must be a whole number of bits, so `1.5` and `0.0005k` are refused, as are
    /// signs, spaces and unit words (`-5k`, `3 Mbps`, `3kbps`).
    public static func parse(_ text: String) -> Int? {
        var digits = Substring(text)
        let multiplier: Int
        switch digits.last {
        case "k", "K":
            multiplier = 1_000
            digits = digits.dropLast()
        case "m", "M":
            multiplier = 1_000_000
            digits = digits.dropLast()
        default:
            multiplier = 1
        }
        guard let number = ExactDecimal(digits) else { return nil }
        return number.wholeValue(times: multiplier)
    }

    /// `bits` written back in the shortest form `parse` reads: `3000k` for exact thousands,
    /// plain bits otherwise.
    public static func format(_ bits: Int) -> String {
        bits > 0 && bits.isMultiple(of: 1_000) ? "\(bits / 1_000)k" : "\(bits)"
    }
}

/// A non-negative decimal such as `2.5`, kept as integer digits so that scaling by a suffix is
/// exact (binary floating point would turn `2.3M` into 2299999.9999…).
private struct ExactDecimal {
    /// All digits with the point removed: `2.5` → 25.
    let mantissa: Int
    /// How many of those digits came after the point: `2.5` → 1.
    let fractionDigits: Int

    /// Enough for any real bitrate while keeping every product below `Int.max`.
    private static let maxDigits = 15

    /// Reads `digits[.digits]`; anything else (signs, exponents, a bare point) is refused.
    init?(_ text: Substring) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || !fraction.isEmpty, fraction.allSatisfy(\.isASCIIDigit) else { return nil }
        guard whole.count + fraction.count <= Self.maxDigits, let mantissa = Int(whole + fraction) else { return nil }
        self.mantissa = mantissa
        self.fractionDigits = fraction.count
    }

    /// The value times `multiplier`, or `nil` when that is not a whole number.
    func wholeValue(times multiplier: Int) -> Int? {
        var divisor = 1
        for _ in 0..<fractionDigits { divisor *= 10 }
        let (scaled, overflow) = mantissa.multipliedReportingOverflow(by: multiplier)
        guard !overflow, scaled.isMultiple(of: divisor) else { return nil }
        return scaled / divisor
    }
}

extension Character {
    /// `0`…`9` only; `Character.isNumber` would also accept other scripts' digits and fractions.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
