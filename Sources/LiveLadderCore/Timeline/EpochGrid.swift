import Foundation

/// The wall-clock grid of an epoch-locked run (`--epoch-lock`, docs/redundancy.md): frame k sits at
/// T0 + k × den/num seconds, and segment n covers frames [n·F, (n+1)·F), that is the wall-clock span
/// [T0 + n·D, T0 + (n+1)·D). Two instances that agree on T0, the frame rate and F agree on every segment
/// number, start PTS and PROGRAM-DATE-TIME without ever talking to each other.
///
/// Output timestamps are ticks (90 kHz) since T0. Exact integer arithmetic throughout: at 30000/1001 fps
/// a frame is 3003 ticks, at 59.94 it is 1501.5, so frame k is round(k × 90000 × den / num). Since 1970 that
/// product passes 2^63 (k is about 5 × 10^10), so k is split into whole multiples of `num` (which are whole
/// numbers of den × 90000 ticks) and a remainder below `num`. Pure, with its own tests (EpochGridTests).
public struct EpochGrid: Sendable, Equatable {
    /// T0, in milliseconds since 1970-01-01T00:00:00Z.
    public let epochMilliseconds: Int64
    /// Frames per second as a fraction (30000/1001).
    public let num: Int64
    public let den: Int64
    /// F: frames per segment.
    public let framesPerSegment: Int64

    /// Why a segment duration cannot be locked at a frame rate.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// A grid of `segmentDuration` seconds at `num/den` fps, or why not: the segment must be a whole
    /// number of frames (so every instance cuts at the same frame) and of 90 kHz ticks (so segment n
    /// starts at exactly n × D ticks; 47 frames at 23.976 fps are 176,426.25 ticks).
    public init(epochMilliseconds: Int64, num: Int64, den: Int64, segmentDuration: Double) throws(Refusal) {
        guard num > 0, den > 0, num <= 1_000_000, den <= 1_000_000 else {
            throw Refusal(description: "the input's frame rate \(num)/\(den) is not usable")
        }
        let frames = segmentDuration * Double(num) / Double(den)
        let whole = frames.rounded()
        let fps = String(format: "%.3f", Double(num) / Double(den))
        guard whole >= 1, abs(frames - whole) < 1e-6 else {
            let lower = max(1, frames.rounded(.down)), upper = max(1, frames.rounded(.up))
            let suggestions = Set([lower, upper]).sorted().map { String(format: "%.6g s (%d frames)", $0 * Double(den) / Double(num), Int($0)) }
            throw Refusal(description: "a segment duration of \(segmentDuration) s is \(String(format: "%.4g", frames)) frames at \(fps) fps; epoch lock needs a whole number of frames: use \(suggestions.joined(separator: " or "))")
        }
        let count = Int64(whole)
        guard (count * 90_000 * den) % num == 0 else {
            throw Refusal(description: "a segment of \(count) frames at \(fps) fps is \(Double(count * 90_000 * den) / Double(num)) ticks of the 90 kHz clock; epoch lock needs a whole number: use a multiple of \(num / Self.gcd(num, 90_000 * den)) frames")
        }
        self.epochMilliseconds = epochMilliseconds
        self.num = num
        self.den = den
        self.framesPerSegment = count
    }

    /// D in 90 kHz ticks (whole, by construction).
    public var segmentTicks: Int64 { framesPerSegment * 90_000 * den / num }

    /// Ticks since T0 of frame `k` (k ≥ 0), rounded to nearest as FrameGrid rounds.
    public func ticks(ofFrame k: Int64) -> Int64 {
        let (whole, rest) = k.quotientAndRemainder(dividingBy: num)
        return whole * 90_000 * den + (2 * rest * 90_000 * den + num) / (2 * num)
    }

    /// The frame nearest to `ticks` since T0 (ticks ≥ 0).
    public func nearestFrame(toTicks ticks: Int64) -> Int64 {
        let period = 90_000 * den  // the ticks of `num` frames
        let (whole, rest) = ticks.quotientAndRemainder(dividingBy: period)
        return whole * num + (2 * rest * num + period) / (2 * period)
    }

    /// The segment frame `k` belongs to.
    public func segment(ofFrame k: Int64) -> Int64 { k / framesPerSegment }

    /// The first segment that starts at or after frame `k`.
    public func firstSegment(atOrAfterFrame k: Int64) -> Int64 { (k + framesPerSegment - 1) / framesPerSegment }

    /// Ticks since T0 where segment `n` starts.
    public func startTicks(ofSegment n: Int64) -> Int64 { n * segmentTicks }

    /// EXT-X-PROGRAM-DATE-TIME of segment n, T0 + n·D, in whole milliseconds (as it is written).
    public func programDateTimeMilliseconds(ofSegment n: Int64) -> Int64 {
        epochMilliseconds + (2 * n * framesPerSegment * den * 1000 + num) / (2 * num)
    }

    /// Ticks since T0 of a wall-clock instant (`seconds` since 1970); negative before T0.
    public func ticks(atWallClock seconds: Double) -> Int64 {
        Int64(((seconds - Double(epochMilliseconds) / 1000) * 90_000).rounded(.down))
    }

    static func gcd(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? a : gcd(b, a % b) }
}

/// Maps one input session's timestamps to the wall clock, once (docs/redundancy.md).
///
/// A frame's wall-clock time is when it reached ingest; the frames read while the input was probed come
/// out in a burst, late. For frames that were not held up, "arrival − media time" is smallest, so the
/// mapping is that minimum. It is watched for at least `minimumWindow` seconds of arrivals and until it
/// has stopped falling (by more than `settleTolerance`) for `settleWindow` seconds (the burst is over),
/// at most `maximumWindow`; then it is frozen for the session, so a later step of the system clock never
/// moves the grid.
///
/// The frozen offset is rounded to a whole `quantum` (1 s): two instances fed the same stream measure
/// minima a millisecond or two apart, and each must land on the same offset, or their segments would
/// differ by a frame. Rounding makes them agree unless their minima straddle a half-second line, about
/// (difference / 1 s) of the time; the price is that a frame's time may be up to half a second off its
/// arrival. Pure, with its own tests.
public struct SessionMapping: Sendable, Equatable {
    public static let quantum: Int64 = 90_000
    public static let minimumWindow = 1.0
    public static let settleWindow = 0.5
    public static let settleTolerance = 0.005
    public static let maximumWindow = 6.0

    private var firstArrival: Double?
    private var lowest: Int64?
    /// When the minimum last fell by more than the tolerance.
    private var lastFall: Double = 0
    /// Ticks to add to an input timestamp to get ticks since T0; set once the mapping is frozen.
    public private(set) var offset: Int64?

    public init() {}

    /// A frame with input timestamp `mediaTicks` arrived at `arrivalTicks` (ticks since T0). Returns the
    /// frozen offset once it is decided (from this frame on).
    public mutating func observe(mediaTicks: Int64, arrivalTicks: Int64) -> Int64? {
        if let offset { return offset }
        let arrival = Double(arrivalTicks) / 90_000
        let candidate = arrivalTicks - mediaTicks
        let first = firstArrival ?? arrival
        firstArrival = first
        if lowest.map({ candidate < $0 - Int64(Self.settleTolerance * 90_000) }) ?? true { lastFall = arrival }
        lowest = min(lowest ?? candidate, candidate)
        let watched = arrival - first
        let settled = watched >= Self.minimumWindow && arrival - lastFall >= Self.settleWindow
        guard settled || watched >= Self.maximumWindow, let lowest else { return nil }
        let frozen = Self.rounded(lowest)
        offset = frozen
        return frozen
    }

    /// `ticks` rounded to the nearest whole quantum (halves up, also below zero).
    static func rounded(_ ticks: Int64) -> Int64 {
        let q = quantum
        let floor = ticks >= 0 ? ticks / q : -((-ticks + q - 1) / q)
        return (ticks - floor * q) * 2 >= q ? (floor + 1) * q : floor * q
    }

    /// The discontinuity sequence number a playlist that begins in this session starts from: derived
    /// from the session's offset alone, so every instance that saw the session from its first frame or
    /// joined it later agrees (within 0…2^31).
    public static func discontinuityBase(offset: Int64) -> Int {
        let seconds = offset >= 0 ? offset / quantum : -((-offset + quantum - 1) / quantum)
        let modulus: Int64 = 1 << 31
        return Int(((seconds % modulus) + modulus) % modulus)
    }
}
