internal import CFFmpeg

/// Codec details the HLS checker needs beyond `StreamInfo`: they describe how a stream was encoded rather
/// than what it shows, and only a checker comparing them against a playlist's `CODECS` cares.
extension MediaInput {
    /// The stream's codec extradata (for H.264 in MP4: the `avcC` record with SPS and PPS), or `[]`.
    /// A copy, so no pointer into the format context escapes.
    public func extradata(ofStream index: Int) -> [UInt8] {
        let parameters = context.pointee.streams[index]!.pointee.codecpar!.pointee
        guard let data = parameters.extradata, parameters.extradata_size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(parameters.extradata_size)))
    }

    /// The codec profile as FFmpeg numbers it (`FF_PROFILE_*`, e.g. 1 for AAC-LC), or nil when unknown.
    public func codecProfile(ofStream index: Int) -> Int? {
        let profile = context.pointee.streams[index]!.pointee.codecpar!.pointee.profile
        return profile == FF_PROFILE_UNKNOWN ? nil : Int(profile)
    }
}
