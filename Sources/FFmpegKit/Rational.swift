internal import CFFmpeg

/// A rational number as FFmpeg uses for time bases and frame rates.
public struct Rational: Hashable, Sendable, CustomStringConvertible {
    public var num: Int32
    public var den: Int32
    public init(_ num: Int32, _ den: Int32) { self.num = num; self.den = den }

    public var doubleValue: Double { den == 0 ? 0 : Double(num) / Double(den) }
    public var isValid: Bool { num > 0 && den > 0 }
    public var description: String { "\(num)/\(den)" }

    /// The 90 kHz clock of MPEG-TS, used as LiveLadder's output time base.
    public static let mpegClock = Rational(1, 90_000)

    var av: AVRational { AVRational(num: num, den: den) }
    init(_ av: AVRational) { self.init(av.num, av.den) }

    /// `value` in this time base expressed in `target`, rounded to nearest (`av_rescale_q_rnd`).
    public func rescale(_ value: Int64, to target: Rational) -> Int64 {
        av_rescale_q_rnd(value, av, target.av, AVRounding(rawValue: AV_ROUND_NEAR_INF.rawValue | AV_ROUND_PASS_MINMAX.rawValue))
    }
}

/// FFmpeg's "no timestamp" marker, as Swift sees it.
let noTimestamp: Int64 = ll_nopts_value()

@inline(__always) func optionalTimestamp(_ value: Int64) -> Int64? { value == noTimestamp ? nil : value }
