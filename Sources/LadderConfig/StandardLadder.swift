/// The ladder used when the config lists no renditions.
///
/// Every rung at or below the source height is used, up to `maxRenditions`, highest first;
/// widths follow the source's display aspect. A source shorter than the lowest rung gets one
/// rendition at its own size rounded down to even, so the standard ladder never upscales.
enum StandardLadder {
    /// One rung: its height in lines and its target bitrate in bits per second.
    struct Rung: Sendable, Equatable {
        /// Frame height in lines; the rendition is named after it (`720p`).
        let height: Int
        /// Target bitrate in bits per second.
        let videoBitrate: Int
    }

    /// The common HLS heights, highest first.
    static let rungs = [
        Rung(height: 1080, videoBitrate: 5_000_000),
        Rung(height: 720, videoBitrate: 3_000_000),
        Rung(height: 480, videoBitrate: 1_400_000),
        Rung(height: 360, videoBitrate: 800_000),
        Rung(height: 240, videoBitrate: 400_000),
    ]

    /// Each rung is a full x264 encode running in real time, so the count is capped; for a
    /// 1080p source the 240p rung is the one left out.
    static let maxRenditions = 4

    /// Bitrate for the single rendition of a source below 240 lines.
    static let smallSourceBitrate = 300_000

    static func renditions(for shape: SourceShape) throws(ConfigError) -> [ResolvedRendition] {
        let fitting = rungs.filter { $0.height <= shape.source.height }.prefix(maxRenditions)
        let sizes: [(width: Int, height: Int, bitrate: Int)]
        if fitting.isEmpty {
            let size = shape.evenSizeNotAbove
            sizes = [(size.width, size.height, smallSourceBitrate)]
        } else {
            sizes = fitting.map { (shape.width(forHeight: $0.height), $0.height, $0.videoBitrate) }
        }
        // Only an extreme aspect (say 16384x240) gets here; an explicit ladder is the way out.
        let encodable = sizes.allSatisfy { size in
            ConfigLimits.frameSide.contains(size.width) && ConfigLimits.frameSide.contains(size.height)
        }
        guard encodable else {
            throw ConfigError(
                at: "source",
                "\(shape.description) has no standard ladder (frame sides \(ConfigLimits.frameSideText));"
                    + " list renditions in the config"
            )
        }
        return sizes.map { size in
            ResolvedRendition(
                name: "\(size.height)p",
                width: size.width,
                height: size.height,
                videoBitrate: size.bitrate,
                maxBitrate: ResolvedRendition.defaultMaxBitrate(for: size.bitrate)
            )
        }
    }
}
