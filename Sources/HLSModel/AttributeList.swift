/// An attribute list as RFC 8216 §4.2 defines it: `NAME=value` pairs separated by commas, where a value is
/// either a quoted string (which may contain commas) or an unquoted token whose meaning — integer,
/// float, resolution, hex, enumerated string — depends on the attribute.
///
/// Parsing keeps values as written; the typed readers (`decimalInteger(_:)`, `quotedString(_:)`, …)
/// interpret one attribute when asked, because only the caller knows which type an attribute has.
/// Every reader returns `nil` when the attribute is absent and throws when it is present but malformed.
public struct AttributeList: Equatable, Sendable {
    /// One attribute value as written.
    public enum Value: Equatable, Sendable {
        /// A quoted-string, stored without its quotes.
        case quotedString(String)
        /// Any unquoted value: decimal-integer, floating point, resolution, hexadecimal sequence or
        /// enumerated string.
        case unquoted(String)

        /// A decimal-integer value, e.g. `BANDWIDTH=3500000`.
        public static func decimalInteger(_ value: Int) -> Value { .unquoted(String(value)) }

        /// A decimal-floating-point value with a fixed number of decimals, e.g. `FRAME-RATE=29.970`.
        public static func decimalFloatingPoint(_ value: Double, decimals: Int) -> Value {
            .unquoted(DecimalText.fixed(value, decimals: decimals))
        }

        /// A decimal-resolution value, e.g. `RESOLUTION=1280x720`.
        public static func decimalResolution(width: Int, height: Int) -> Value {
            .unquoted("\(width)x\(height)")
        }

        /// The `YES`/`NO` enumerated string HLS uses for booleans.
        public static func yesOrNo(_ value: Bool) -> Value { .unquoted(value ? "YES" : "NO") }

        /// The value as it appears in a playlist.
        var rendered: String {
            switch self {
            case .quotedString(let text): "\"\(text)\""
            case .unquoted(let text): text
            }
        }
    }

    /// One `NAME=value` pair.
    public struct Attribute: Equatable, Sendable {
        public let name: String
        public let value: Value

        public init(_ name: String, _ value: Value) {
            self.name = name
            self.value = value
        }
    }

    /// The attributes in the order they were written.
    public let attributes: [Attribute]

    /// An attribute list to render. Names must be unique and made of `A-Z`, `0-9` and `-`;
    /// quoted strings must not contain `"` or line breaks.
    public init(_ attributes: [Attribute]) {
        self.attributes = attributes
    }

    /// Parses the text after a tag's `:`. An empty text is an empty list.
    ///
    /// Errors (`AttributeListError.message`):
    /// - `attribute name is empty` — e.g. a trailing `,` or `=value` with no name
    /// - `attribute name "x y" has characters other than A-Z, 0-9 and '-'`
    /// - `attribute NAME has no '='`
    /// - `attribute NAME has no value`
    /// - `attribute NAME has an unterminated quoted string`
    /// - `attribute NAME is not followed by ','`
    /// - `attribute NAME appears more than once`
    public init(parsing text: some StringProtocol) throws(AttributeListError) {
        var parsed: [Attribute] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            let name = rest.prefix { $0 != "=" && $0 != "," }
            rest = rest[name.endIndex...]
            guard !name.isEmpty else { throw AttributeListError("attribute name is empty") }
            guard name.unicodeScalars.allSatisfy(Self.isNameCharacter) else {
                throw AttributeListError("attribute name \"\(name)\" has characters other than A-Z, 0-9 and '-'")
            }
            guard rest.first == "=" else { throw AttributeListError("attribute \(name) has no '='") }
            rest = rest.dropFirst()

            let value: Value
            if rest.first == "\"" {
                let quoted = rest.dropFirst()
                guard let closing = quoted.firstIndex(of: "\"") else {
                    throw AttributeListError("attribute \(name) has an unterminated quoted string")
                }
                value = .quotedString(String(quoted[..<closing]))
                rest = quoted[quoted.index(after: closing)...]
            } else {
                let token = rest.prefix { $0 != "," }
                guard !token.isEmpty else { throw AttributeListError("attribute \(name) has no value") }
                value = .unquoted(String(token))
                rest = rest[token.endIndex...]
            }

            if parsed.contains(where: { $0.name == name }) {
                throw AttributeListError("attribute \(name) appears more than once")
            }
            parsed.append(Attribute(String(name), value))

            guard let separator = rest.first else { break }
            guard separator == "," else { throw AttributeListError("attribute \(name) is not followed by ','") }
            rest = rest.dropFirst()
            // A separator promises another attribute; "A=1," is malformed, not a one-attribute list.
            guard !rest.isEmpty else { throw AttributeListError("attribute name is empty") }
        }
        attributes = parsed
    }

    /// The value of the attribute called `name`, as written.
    public subscript(name: String) -> Value? {
        attributes.first { $0.name == name }?.value
    }

    /// The list as it appears after a tag's `:`, e.g. `TYPE=AUDIO,GROUP-ID="aac"`.
    public func render() -> String {
        attributes.map { "\($0.name)=\($0.value.rendered)" }.joined(separator: ",")
    }

    // MARK: - Typed readers

    /// A quoted-string attribute, without its quotes.
    public func quotedString(_ name: String) throws(AttributeListError) -> String? {
        switch self[name] {
        case nil: return nil
        case .quotedString(let text): return text
        case .unquoted(let text): throw AttributeListError("\(name) must be a quoted string, found \(text)")
        }
    }

    /// An enumerated-string attribute (unquoted, no blanks), e.g. `TYPE=AUDIO`.
    public func enumeratedString(_ name: String) throws(AttributeListError) -> String? {
        guard let text = try unquoted(name) else { return nil }
        guard !text.contains(where: { $0 == " " || $0 == "\t" }) else {
            throw AttributeListError("\(name) \"\(text)\" is not an enumerated string")
        }
        return text
    }

    /// A decimal-integer attribute within `range`, e.g. `BANDWIDTH=3500000`. The default range is
    /// `PlaylistLimits.integer`, so no integer read from a playlist is unbounded.
    public func decimalInteger(_ name: String, in range: ClosedRange<Int> = PlaylistLimits.integer)
        throws(AttributeListError) -> Int? {
        guard let text = try unquoted(name) else { return nil }
        switch DecimalText.integer(Substring(text), in: range) {
        case .value(let value): return value
        case .malformed: throw AttributeListError("\(name) \"\(text)\" is not a decimal integer")
        case .outOfRange: throw AttributeListError(Self.outOfRange(name, text, PlaylistLimits.text(range)))
        }
    }

    /// A decimal-floating-point attribute (non-negative) within `range`, e.g. `FRAME-RATE=29.970`.
    public func decimalFloatingPoint(_ name: String, in range: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude)
        throws(AttributeListError) -> Double? {
        guard let text = try unquoted(name) else { return nil }
        switch DecimalText.floatingPoint(Substring(text), in: range) {
        case .value(let value): return value
        case .malformed: throw AttributeListError("\(name) \"\(text)\" is not a decimal floating-point number")
        case .outOfRange: throw AttributeListError(Self.outOfRange(name, text, PlaylistLimits.text(range)))
        }
    }

    /// A signed-decimal-floating-point attribute, e.g. `TIME-OFFSET=-2.5`. Always finite.
    public func signedDecimalFloatingPoint(_ name: String) throws(AttributeListError) -> Double? {
        guard let text = try unquoted(name) else { return nil }
        guard let value = DecimalText.floatingPoint(Substring(text), signed: true) else {
            throw AttributeListError("\(name) \"\(text)\" is not a signed decimal floating-point number")
        }
        return value
    }

    /// A decimal-resolution attribute, e.g. `RESOLUTION=1280x720`; each side within
    /// `PlaylistLimits.pictureSide`.
    public func decimalResolution(_ name: String) throws(AttributeListError) -> DecimalResolution? {
        guard let text = try unquoted(name) else { return nil }
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        let malformed = AttributeListError("\(name) \"\(text)\" is not a decimal resolution (WIDTHxHEIGHT)")
        guard parts.count == 2 else { throw malformed }
        var sides: [Int] = []
        for part in parts {
            switch DecimalText.integer(part, in: PlaylistLimits.pictureSide) {
            case .value(let side): sides.append(side)
            case .malformed: throw malformed
            case .outOfRange:
                throw AttributeListError(Self.outOfRange(name, text, "\(PlaylistLimits.text(PlaylistLimits.pictureSide)) pixels a side"))
            }
        }
        return DecimalResolution(width: sides[0], height: sides[1])
    }

    private static func outOfRange(_ name: String, _ text: String, _ range: String) -> String {
        // A hostile value can be thousands of digits long; the message stays one readable line.
        let shown = text.count > 24 ? text.prefix(24) + "…" : Substring(text)
        return "\(name) \"\(shown)\" is out of range (\(range))"
    }

    /// A hexadecimal-sequence attribute (`0x` or `0X` then hex digits), e.g. `IV=0x1A2B`, as bytes.
    /// An odd number of digits is read as if it had a leading zero.
    public func hexadecimalSequence(_ name: String) throws(AttributeListError) -> [UInt8]? {
        guard let text = try unquoted(name) else { return nil }
        let malformed = AttributeListError("\(name) \"\(text)\" is not a hexadecimal sequence")
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else { throw malformed }
        var digits = Array(text.dropFirst(2).utf8)
        guard !digits.isEmpty else { throw malformed }
        if digits.count % 2 == 1 { digits.insert(UInt8(ascii: "0"), at: 0) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for pairStart in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.hexValue(digits[pairStart]), let low = Self.hexValue(digits[pairStart + 1])
            else { throw malformed }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    /// A `YES`/`NO` enumerated string as a boolean, e.g. `DEFAULT=YES`.
    public func yesOrNo(_ name: String) throws(AttributeListError) -> Bool? {
        switch try unquoted(name) {
        case nil: return nil
        case "YES"?: return true
        case "NO"?: return false
        case let text?: throw AttributeListError("\(name) \"\(text)\" is not YES or NO")
        }
    }

    /// `value`, or an error saying the attribute `name` is missing. Lets a parser state which
    /// attributes it requires in one expression.
    public func required<T>(_ value: T?, _ name: String) throws(AttributeListError) -> T {
        guard let value else { throw AttributeListError("\(name) is missing") }
        return value
    }

    private func unquoted(_ name: String) throws(AttributeListError) -> String? {
        switch self[name] {
        case nil: return nil
        case .unquoted(let text): return text
        case .quotedString(let text): throw AttributeListError("\(name) must not be quoted, found \"\(text)\"")
        }
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A `WIDTHxHEIGHT` value such as `RESOLUTION=1280x720`.
public struct DecimalResolution: Equatable, Sendable {
    public let width: Int
    public let height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}

/// Why an attribute list, or one attribute in it, could not be read. The playlist parsers prefix the
/// message with the line and tag: `line 5: #EXT-X-STREAM-INF: BANDWIDTH "abc" is not a decimal integer`.
public struct AttributeListError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
