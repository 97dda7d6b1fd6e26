/// The ranges the config accepts, kept together so the rules, the messages and the tests agree.
enum ConfigLimits {
    /// Shorter segments flood the playlist and the CDN with requests; longer ones add latency
    /// no live viewer accepts.
    static let segmentDuration: ClosedRange<Double> = 0.5...30
    static let segmentDurationText = "allowed 0.5 to 30 seconds"

    /// Below 50k x264 produces mush at any size; above 100M no HLS client keeps up.
    static let videoBitrate = 50_000...100_000_000
    static let videoBitrateText = "allowed 50k to 100M"

    /// The range AAC-LC is useful in, from speech-only mono to transparent 5.1.
    static let audioBitrate = 32_000...512_000
    static let audioBitrateText = "allowed 32k to 512k"

    /// The two rates every HLS player and AAC encoder handle.
    static let sampleRates = [44_100, 48_000]

    /// H.264 levels top out at 8192 pixels a side; 2 is the smallest even size.
    static let frameSide = 2...8192
    static let frameSideText = "allowed 2 to 8192"

    /// Folder-safe on every filesystem and in every URL without escaping.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { character in
            character.isASCIIDigit || character == "_" || character == "-"
                || ("a"..."z").contains(character) || ("A"..."Z").contains(character)
        }
    }

    /// The fMP4 packager writes the shared audio rendition to this folder.
    static let reservedName = "audio"
}
