import Foundation

/// Reads and writes the numbers HLS uses, strictly: RFC 8216 §4.2 numbers are plain digits with an
/// optional fraction, while Swift's `Int(_:)` and `Double(_:)` would also accept `+5`, `1e3`, `nan`
/// or `inf`, none of which a player would.
enum DecimalText {
    /// A decimal-integer: one or more ASCII digits that fit in an `Int`.
    static func integer(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy(isDigit) else { return nil }
        return Int(text)
    }

    /// A decimal-floating-point (`12`, `12.5`, `12.`), or with `signed` a leading `-` is allowed too.
    /// The result is always finite.
    static func floatingPoint(_ text: Substring, signed: Bool = false) -> Double? {
        guard isFloatingPointSyntax(text, signed: signed), let value = Double(text), value.isFinite else { return nil }
        return value
    }

    private static func isFloatingPointSyntax(_ text: Substring, signed: Bool) -> Bool {
        var digits = text.utf8[...]
        if signed, digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        guard let first = digits.first, isDigit(first) else { return false }
        var seenPoint = false
        for byte in digits where !isDigit(byte) {
            guard byte == UInt8(ascii: "."), !seenPoint else { return false }
            seenPoint = true
        }
        return true
    }

    /// A decimal-integer within `range`. Digits too many for an `Int` are out of range, not malformed:
    /// the text is a number, just one no playlist needs.
    static func integer(_ text: Substring, in range: ClosedRange<Int>) -> Bounded<Int> {
        guard !text.isEmpty, text.utf8.allSatisfy(isDigit) else { return .malformed }
        guard let value = Int(text), range.contains(value) else { return .outOfRange }
        return .value(value)
    }

    /// A decimal-floating-point within `range`. A text whose value rounds to infinity, or to a denormal
    /// far below the range, is out of range.
    static func floatingPoint(_ text: Substring, signed: Bool = false, in range: ClosedRange<Double>) -> Bounded<Double> {
        guard isFloatingPointSyntax(text, signed: signed) else { return .malformed }
        guard let value = Double(text), value.isFinite, range.contains(value) else { return .outOfRange }
        return .value(value)
    }

    /// What reading a number against a range gave.
    enum Bounded<Value> {
        case value(Value)
        /// Not a number in RFC 8216 §4.2 syntax.
        case malformed
        /// A number outside the range the caller allows (including one too large to hold).
        case outOfRange
    }

    /// `value` with exactly `decimals` digits after the point, rounded to nearest, e.g. `2.002000`.
    ///
    /// `String(format:)` is locale-independent here (no locale is passed), so the point is always `.`.
    static func fixed(_ value: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
