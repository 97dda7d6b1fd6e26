/// Command-line overrides applied on top of a loaded config.
extension LadderConfig {
    /// A copy with the given settings replaced; `nil` keeps the config's value.
    ///
    /// The duration is checked like the `segmentDuration` key, but the message names the flag
    /// the user typed: `--segment-duration: 45 is out of range (allowed 0.5 to 30 seconds)`.
    public func with(segmentDuration: Double?, segmentFormat: SegmentFormat?, partDuration: Double? = nil) throws(ConfigError) -> LadderConfig {
        var copy = self
        if let segmentDuration {
            try Self.checkSegmentDuration(segmentDuration, at: "--segment-duration")
            copy.segmentDuration = segmentDuration
        }
        if let segmentFormat {
            copy.segmentFormat = segmentFormat
        }
        if let partDuration { copy.partDuration = partDuration }
        try copy.checkParts(at: partDuration != nil ? "--part-duration" : "partDuration")
        return copy
    }

    /// A copy with epoch lock turned on (`--epoch-lock`) and its epoch set (`--epoch`, which needs the lock).
    public func with(epochLock: Bool, epoch: String?) throws(ConfigError) -> LadderConfig {
        var copy = self
        if epochLock { copy.epochLock = true }
        if let epoch { copy.epochMilliseconds = try Self.parseEpoch(epoch, at: "--epoch") }
        try copy.checkEpoch(at: epoch != nil ? "--epoch" : "epoch")
        return copy
    }
}
