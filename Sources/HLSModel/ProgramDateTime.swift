import Foundation

/// Writes and reads `EXT-X-PROGRAM-DATE-TIME` values: ISO 8601 in UTC with milliseconds,
/// `2026-11-26T21:45:26.123Z` (HLS-RULES MP9).
///
/// The calendar arithmetic is done by hand (proleptic Gregorian, Howard Hinnant's day-count algorithms)
/// instead of with a shared `DateFormatter`: formatters are not `Sendable`, and a pure function gives the
/// same text on every platform and locale.
package enum ProgramDateTime {
    private static let millisecondsPerDay: Int64 = 86_400_000
    /// Four-digit years only, as ISO 8601's basic calendar format has; dates outside are clamped.
    private static let earliestMilliseconds = daysFromCivil(year: 0, month: 1, day: 1) * millisecondsPerDay
    private static let latestMilliseconds = daysFromCivil(year: 10_000, month: 1, day: 1) * millisecondsPerDay - 1

    /// `date` rounded to the nearest millisecond, in UTC. A non-finite date is written as the Unix epoch
    /// and dates outside years 0000–9999 are clamped, so the output is always well formed.
    package static func format(_ date: Date) -> String {
        let milliseconds = clampedMilliseconds(date.timeIntervalSince1970 * 1000)
        let days = floorDivide(milliseconds, millisecondsPerDay)
        let (year, month, day) = civilFromDays(days)
        let timeOfDay = milliseconds - days * millisecondsPerDay
        let hour = timeOfDay / 3_600_000
        let minute = timeOfDay / 60_000 % 60
        let second = timeOfDay / 1000 % 60
        let millisecond = timeOfDay % 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
            + "\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(millisecond, 3))Z"
    }

    /// Reads `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm|±hhmm)`. The zone is required: without it the
    /// instant is ambiguous, which defeats the point of the tag. Returns `nil` for anything else.
    ///
    /// With up to three fraction digits the result is built from whole milliseconds, so it equals
    /// `Date(timeIntervalSince1970: Double(ms) / 1000)` exactly and render/parse round trips hold.
    package static func parse(_ text: Substring) -> Date? {
        var cursor = ByteCursor(Array(text.utf8))
        guard let year = cursor.number(digits: 4), cursor.skip("-"),
              let month = cursor.number(digits: 2), cursor.skip("-"),
              let day = cursor.number(digits: 2), cursor.skip("T") || cursor.skip("t"),
              let hour = cursor.number(digits: 2), cursor.skip(":"),
              let minute = cursor.number(digits: 2), cursor.skip(":"),
              let second = cursor.number(digits: 2)
        else { return nil }
        var fraction: [UInt8] = []
        if cursor.skip(".") {
            fraction = cursor.digits()
            guard !fraction.isEmpty else { return nil }
        }
        guard let offsetSeconds = cursor.zoneOffsetSeconds(), cursor.isAtEnd,
              (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day),
              hour < 24, minute < 60, second <= 60  // 60: a leap second, which rolls into the next minute
        else { return nil }

        let days = daysFromCivil(year: year, month: month, day: day)
        let wholeSeconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        if fraction.count <= 3 {
            let paddedMilliseconds = fraction + Array(repeating: UInt8(ascii: "0"), count: 3 - fraction.count)
            let milliseconds = wholeSeconds * 1000 + Int64(decimalValue(paddedMilliseconds))
            return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
        let fractionValue = Double("0." + String(decoding: fraction, as: UTF8.self)) ?? 0
        return Date(timeIntervalSince1970: Double(wholeSeconds) + fractionValue)
    }

    // MARK: - Calendar arithmetic

    /// Days since 1970-01-01 for a proleptic Gregorian date (Hinnant, `days_from_civil`).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of `daysFromCivil` (Hinnant, `civil_from_days`).
    private static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2:
            let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return isLeap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func clampedMilliseconds(_ value: Double) -> Int64 {
        guard value.isFinite else { return 0 }
        let rounded = value.rounded()
        if rounded <= Double(earliestMilliseconds) { return earliestMilliseconds }
        if rounded >= Double(latestMilliseconds) { return latestMilliseconds }
        return Int64(rounded)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func decimalValue(_ digits: [UInt8]) -> Int64 {
        digits.reduce(0) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
    }

    /// A cursor over ASCII bytes; every read either consumes what it matched or leaves the cursor alone.
    private struct ByteCursor {
        private let bytes: [UInt8]
        private var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { position == bytes.count }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
            position += 1
            return true
        }

        /// Exactly `count` digits as a number.
        mutating func number(digits count: Int) -> Int64? {
            guard bytes.count - position >= count else { return nil }
            let slice = Array(bytes[position..<position + count])
            guard slice.allSatisfy(Self.isDigit) else { return nil }
            position += count
            return ProgramDateTime.decimalValue(slice)
        }

        /// All the digits from here on (possibly none).
        mutating func digits() -> [UInt8] {
            let start = position
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
            return Array(bytes[start..<position])
        }

        /// `Z`, `±hh:mm` or `±hhmm`, as seconds east of UTC.
        mutating func zoneOffsetSeconds() -> Int64? {
            if skip("Z") || skip("z") { return 0 }
            let sign: Int64
            if skip("+") { sign = 1 } else if skip("-") { sign = -1 } else { return nil }
            guard let hours = number(digits: 2) else { return nil }
            _ = skip(":")
            guard let minutes = number(digits: 2), hours < 24, minutes < 60 else { return nil }
            return sign * (hours * 3600 + minutes * 60)
        }

        private static func isDigit(_ byte: UInt8) -> Bool {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }
    }
}
