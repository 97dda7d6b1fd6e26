/// The input video's frame as the demuxer reports it, which is all a ladder needs to know.
public struct SourceVideo: Sendable, Equatable {
    /// Coded width in pixels.
    public var width: Int
    /// Coded height in pixels.
    public var height: Int
    /// Sample (pixel) aspect ratio numerator; FFmpeg's `sample_aspect_ratio.num`.
    public var sarNum: Int
    /// Sample (pixel) aspect ratio denominator; FFmpeg's `sample_aspect_ratio.den`.
    public var sarDen: Int

    /// Creates a source description. A zero or negative aspect part (FFmpeg reports `0/1` when
    /// the stream does not say) means square pixels.
    public init(width: Int, height: Int, sarNum: Int = 1, sarDen: Int = 1) {
        self.width = width
        self.height = height
        self.sarNum = sarNum
        self.sarDen = sarDen
    }
}
