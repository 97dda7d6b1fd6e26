/// Matching a config to a source: the step that turns "720p at 3000k" into exact frame sizes.
extension LadderConfig {
    /// The renditions to encode for `source`.
    ///
    /// An explicit ladder keeps its order; a missing width or height follows the source's
    /// display aspect (`width × sar / height`), rounded to the nearest even number, ties up.
    /// A rendition larger than the source is refused unless ``allowUpscale`` is set:
    /// `renditions[0]: 1920x1080 is larger than the 1280x720 source; lower it or set allowUpscale: true`.
    ///
    /// Without explicit renditions a standard ladder is derived, highest first: every rung of
    /// 1080p 5000k, 720p 3000k, 480p 1400k, 360p 800k and 240p 400k whose height fits the
    /// source, at most four; a source under 240 lines gets one `<h>p` rendition at 300k at its
    /// own size rounded down to even. The standard ladder never upscales.
    ///
    /// The config is validated again first, so configs built in code get the same checks as
    /// parsed ones. Source problems are reported under `source:`.
    public func resolve(for source: SourceVideo) throws(ConfigError) -> [ResolvedRendition] {
        try validate()
        let shape = try SourceShape(source)
        guard let renditions else {
            return try StandardLadder.renditions(for: shape)
        }
        var resolved: [ResolvedRendition] = []
        for (index, spec) in renditions.enumerated() {
            resolved.append(try resolve(spec, at: "renditions[\(index)]", for: shape))
        }
        return resolved
    }

    private func resolve(
        _ spec: RenditionSpec, at location: String, for shape: SourceShape
    ) throws(ConfigError) -> ResolvedRendition {
        let width: Int, height: Int
        switch (spec.width, spec.height) {
        case (nil, nil) where spec.passthrough:
            // A copy has the source's coded size.
            (width, height) = (shape.source.width, shape.source.height)
        case let (givenWidth?, givenHeight?):
            (width, height) = (givenWidth, givenHeight)
        case let (givenWidth?, nil):
            (width, height) = (givenWidth, shape.height(forWidth: givenWidth))
        case let (nil, givenHeight?):
            (width, height) = (shape.width(forHeight: givenHeight), givenHeight)
        case (nil, nil):
            throw ConfigError(at: location, "give width or height (or both)")
        }
        // A very wide or tall source can push the filled-in side outside what H.264 encodes.
        guard ConfigLimits.frameSide.contains(width), ConfigLimits.frameSide.contains(height) else {
            throw ConfigError(
                at: location,
                "\(width)x\(height) (keeping the \(shape.description) source's aspect) is out of range"
                    + " (\(ConfigLimits.frameSideText)); give both width and height"
            )
        }
        if !allowUpscale, !spec.passthrough, width > shape.largestWidth || height > shape.largestHeight {
            throw ConfigError(
                at: location,
                "\(width)x\(height) is larger than the \(shape.description) source; lower it or set allowUpscale: true"
            )
        }
        return ResolvedRendition(
            name: spec.name,
            width: width,
            height: height,
            videoBitrate: spec.videoBitrate,
            maxBitrate: spec.maxBitrate ?? ResolvedRendition.defaultMaxBitrate(for: spec.videoBitrate),
            preset: spec.preset,
            profile: spec.profile,
            tune: spec.tune,
            passthrough: spec.passthrough
        )
    }
}
