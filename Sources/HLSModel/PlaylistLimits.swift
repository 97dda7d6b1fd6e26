/// The ranges the parsers accept for the numbers a playlist carries.
///
/// RFC 8216 lets a decimal-integer go up to 2^64 − 1 and puts no bound on a duration, but nothing real
/// comes near that, and a value that does is either an attack or a bug. Every number read from a file is
/// checked against one of these ranges before anything adds, multiplies or converts it, and each range is
/// small enough that what readers then do with it cannot overflow:
/// - a sequence number plus any segment count (a playlist's line count) stays far below `Int.max`, and is
///   exact as a `Double`;
/// - a duration times 1000 (milliseconds), or a sum of a million durations in 90 kHz ticks, fits in
///   `Int` with room to spare;
/// - bits per second times 1.25, or a width times a height, are exact in a `Double` and an `Int`.
public enum PlaylistLimits {
    /// `EXT-X-MEDIA-SEQUENCE`, `EXT-X-DISCONTINUITY-SEQUENCE`: 0 … 2^53 (the largest integer a `Double`
    /// holds exactly). A new segment every millisecond would take 285 000 years to get there.
    public static let sequenceNumber: ClosedRange<Int> = 0...(1 << 53)

    /// Any other decimal-integer (`EXT-X-VERSION`, unknown attributes read as integers): the same bound.
    public static let integer: ClosedRange<Int> = sequenceNumber

    /// `EXTINF` seconds: 0.001 … 86 400. Shorter than a millisecond cannot be written to the millisecond
    /// (HLS-RULES MP3) and would make any bits-per-second value explode; a day is more than any segment.
    public static let segmentDuration: ClosedRange<Double> = 0.001...86_400

    /// `EXT-X-TARGETDURATION` seconds: 1 … 86 400 (a rounded `EXTINF` of at least a millisecond).
    public static let targetDuration: ClosedRange<Int> = 1...86_400

    /// `BANDWIDTH`, `AVERAGE-BANDWIDTH` bit/s: 0 … 10^12 (a terabit per second).
    public static let bandwidth: ClosedRange<Int> = 0...1_000_000_000_000

    /// Each side of a `RESOLUTION`: 1 … 65 535 pixels (what 16-bit container fields can say).
    public static let pictureSide: ClosedRange<Int> = 1...65_535

    /// `FRAME-RATE` frames per second: 0.001 … 1000.
    public static let frameRate: ClosedRange<Double> = 0.001...1000

    /// `0…9007199254740992`, the way error messages state a range.
    static func text(_ range: ClosedRange<Int>) -> String {
        "\(range.lowerBound)…\(range.upperBound)"
    }

    /// `0.001…86400`: the shortest decimal text of each bound.
    static func text(_ range: ClosedRange<Double>) -> String {
        "\(plain(range.lowerBound))…\(plain(range.upperBound))"
    }

    private static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
