/// The source's display shape (square pixels) in exact integer arithmetic, used to fill in a
/// missing width or height and to decide what counts as upscaling.
///
/// Working in integers keeps the "nearest even, ties up" rule exact: floating point could put
/// a value that is exactly on a tie a hair below it.
struct SourceShape: CustomStringConvertible {
    let source: SourceVideo
    /// Display aspect ratio `width × sarNum : height × sarDen`, as a fraction.
    private let aspectNum: Int
    private let aspectDen: Int

    /// FFmpeg refuses frames much larger than this, and the bound keeps every product below
    /// `Int.max` (16384 × 8192 × Int32.max < 2⁶³).
    static let maxSide = 16_384

    /// Checks the source and normalises its sample aspect ratio.
    init(_ source: SourceVideo) throws(ConfigError) {
        guard (2...Self.maxSide).contains(source.width), (2...Self.maxSide).contains(source.height) else {
            throw ConfigError(
                at: "source",
                "\(source.width)x\(source.height) is not a frame size the ladder can use (2 to \(Self.maxSide) a side)"
            )
        }
        var sarNum = source.sarNum, sarDen = source.sarDen
        if sarNum <= 0 || sarDen <= 0 {
            (sarNum, sarDen) = (1, 1)
        }
        let divisor = greatestCommonDivisor(sarNum, sarDen)
        (sarNum, sarDen) = (sarNum / divisor, sarDen / divisor)
        guard sarNum <= Int(Int32.max), sarDen <= Int(Int32.max) else {
            throw ConfigError(at: "source", "sample aspect ratio \(source.sarNum):\(source.sarDen) is out of range")
        }
        self.source = SourceVideo(width: source.width, height: source.height, sarNum: sarNum, sarDen: sarDen)
        self.aspectNum = source.width * sarNum
        self.aspectDen = source.height * sarDen
    }

    var hasSquarePixels: Bool { source.sarNum == source.sarDen }

    /// The width that keeps the display aspect at `height`, to the nearest even number.
    func width(forHeight height: Int) -> Int {
        roundedToEven(height * aspectNum, over: aspectDen)
    }

    /// The height that keeps the display aspect at `width`, to the nearest even number.
    func height(forWidth width: Int) -> Int {
        roundedToEven(width * aspectDen, over: aspectNum)
    }

    /// The largest frame that is not an upscale: the display size with each side rounded to
    /// even the same way missing sides are filled, so a rendition at the source's own height
    /// (or width) never counts as upscaling.
    var largestWidth: Int { width(forHeight: source.height) }
    var largestHeight: Int { roundedToEven(source.height, over: 1) }

    /// The display size rounded *down* to even, for a rendition that must never exceed the source.
    var evenSizeNotAbove: (width: Int, height: Int) {
        (2 * (source.width * source.sarNum / (2 * source.sarDen)), 2 * (source.height / 2))
    }

    /// How messages name the source: `1280x720`, or `720x576 (1024x576 displayed)` for
    /// non-square pixels, since upscaling is judged on the displayed size.
    var description: String {
        let coded = "\(source.width)x\(source.height)"
        return hasSquarePixels ? coded : "\(coded) (\(largestWidth)x\(largestHeight) displayed)"
    }
}

/// `numerator / denominator` rounded to the nearest even integer, ties going up; both positive.
/// floor(x/2 + 1/2) × 2, written over integers.
func roundedToEven(_ numerator: Int, over denominator: Int) -> Int {
    2 * ((numerator + denominator) / (2 * denominator))
}

private func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
    b == 0 ? a : greatestCommonDivisor(b, a % b)
}
