import Foundation
import HLSModel

/// The rules a config must follow that do not depend on the source, checked on typed values so
/// that configs built in code get the same messages as configs read from YAML.
extension LadderConfig {
    /// Throws the first broken rule: settings, then each rendition in order, then audio.
    func validate() throws(ConfigError) {
        try Self.checkSegmentDuration(segmentDuration, at: "segmentDuration")
        try checkParts(at: "partDuration")
        try checkEpoch(at: "epoch")
        if let renditions {
            try Self.validate(renditions)
        }
        try audio.validate(at: "audio")
    }

    /// Shared by the `segmentDuration` key and the `--segment-duration` flag, which differ only
    /// in what the message names.
    static func checkSegmentDuration(_ seconds: Double, at location: String) throws(ConfigError) {
        guard ConfigLimits.segmentDuration.contains(seconds) else {
            throw ConfigError(
                at: location,
                "\(MessageText.seconds(seconds)) is out of range (\(ConfigLimits.segmentDurationText))"
            )
        }
    }

    /// Parts (LL-HLS): 0.1 s up to half a segment, and only in fMP4, where each part is its own
    /// moof+mdat fragment; TS parts are not made.
    func checkParts(at location: String) throws(ConfigError) {
        guard let partDuration else { return }
        let longest = segmentDuration / 2
        guard partDuration.isFinite, partDuration >= 0.1, partDuration <= longest + 1e-9 else {
            throw ConfigError(at: location, "\(MessageText.seconds(partDuration)) s is out of range (allowed 0.1 s to half the segment duration, \(MessageText.seconds(longest)) s)")
        }
        guard segmentFormat == .fmp4 else {
            throw ConfigError(at: location, "parts need segmentFormat fmp4 (LiveLadder cuts no TS parts)")
        }
    }

    /// An epoch locks nothing on its own: it goes with `epochLock: true` (or `--epoch-lock`).
    func checkEpoch(at location: String) throws(ConfigError) {
        guard epochMilliseconds != nil, !epochLock else { return }
        throw ConfigError(at: location, "an epoch needs epoch lock: add epochLock: true (or --epoch-lock)")
    }

    /// `2026-01-01T00:00:00Z` (ISO 8601 with a zone, as EXT-X-PROGRAM-DATE-TIME writes it) as milliseconds
    /// since 1970, from 1970 on; for the `epoch` key and the `--epoch` flag.
    package static func parseEpoch(_ text: String, at location: String) throws(ConfigError) -> Int64 {
        guard text.utf8.count <= 64, let date = ProgramDateTime.parse(Substring(text)) else {
            throw ConfigError(at: location, "\(MessageText.quoted(String(text.prefix(64)))) is not a date and time with a zone (e.g. 2026-01-01T00:00:00Z)")
        }
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        guard milliseconds >= 0, milliseconds < 253_402_300_800_000 else {
            throw ConfigError(at: location, "\(text) is before 1970-01-01T00:00:00Z; the epoch must be 1970 or later")
        }
        return Int64(milliseconds)
    }

    private static func validate(_ renditions: [RenditionSpec]) throws(ConfigError) {
        guard !renditions.isEmpty else {
            throw ConfigError(at: "renditions", "must list at least one rendition")
        }
        // Names become folders, and macOS and Windows folders ignore case, so "720p" and
        // "720P" would write into the same place.
        var firstUse: [String: (index: Int, name: String)] = [:]
        var copy: Int?
        for (index, rendition) in renditions.enumerated() {
            let location = "renditions[\(index)]"
            try rendition.validate(at: location)
            if rendition.passthrough {
                if let copy {
                    throw ConfigError(at: "\(location).passthrough", "only one pass-through rendition per ladder (renditions[\(copy)] is one)")
                }
                copy = index
            }
            let folded = rendition.name.lowercased()
            if let earlier = firstUse[folded] {
                var reason = "\(MessageText.quoted(rendition.name)) is used twice"
                if earlier.name != rendition.name {
                    reason += " (renditions[\(earlier.index)] is \(MessageText.quoted(earlier.name));"
                        + " names are compared ignoring case)"
                }
                throw ConfigError(at: "\(location).name", reason)
            }
            firstUse[folded] = (index, rendition.name)
        }
    }
}

extension RenditionSpec {
    /// Checks one rendition on its own; uniqueness across the list is the caller's job.
    func validate(at location: String) throws(ConfigError) {
        try validateName(at: "\(location).name")
        try validateSize(at: location)
        try validateBitrates(at: location)
        try validateEncoderOptions(at: location)
    }

    private func validateName(at location: String) throws(ConfigError) {
        guard ConfigLimits.isValidName(name) else {
            throw ConfigError(
                at: location, "\(MessageText.quoted(name)) is not a valid folder name (use letters, digits, _ and -)"
            )
        }
        guard name.lowercased() != ConfigLimits.reservedName else {
            throw ConfigError(at: location, "\(MessageText.quoted(name)) is reserved for the fMP4 audio rendition")
        }
    }

    private func validateSize(at location: String) throws(ConfigError) {
        if passthrough {
            guard width == nil && height == nil else {
                throw ConfigError(at: "\(location).passthrough", "a pass-through rendition has the source's size; remove width and height")
            }
            return
        }
        guard width != nil || height != nil else {
            throw ConfigError(at: location, "give width or height (or both)")
        }
        if let width {
            try Self.checkFrameSide(width, at: "\(location).width")
        }
        if let height {
            try Self.checkFrameSide(height, at: "\(location).height")
        }
    }

    private static func checkFrameSide(_ pixels: Int, at location: String) throws(ConfigError) {
        guard ConfigLimits.frameSide.contains(pixels) else {
            throw ConfigError(at: location, "\(pixels) is out of range (\(ConfigLimits.frameSideText))")
        }
        // 4:2:0 chroma has one sample per 2×2 block; libx264 refuses odd sizes at open time.
        guard pixels.isMultiple(of: 2) else {
            throw ConfigError(at: location, "\(pixels) must be even (H.264 4:2:0 needs even sizes)")
        }
    }

    private func validateBitrates(at location: String) throws(ConfigError) {
        try Self.checkVideoBitrate(videoBitrate, at: "\(location).videoBitrate")
        guard let maxBitrate else { return }
        try Self.checkVideoBitrate(maxBitrate, at: "\(location).maxBitrate")
        guard maxBitrate >= videoBitrate else {
            throw ConfigError(
                at: "\(location).maxBitrate",
                "\(Bitrate.format(maxBitrate)) is below videoBitrate \(Bitrate.format(videoBitrate))"
            )
        }
    }

    private static func checkVideoBitrate(_ bits: Int, at location: String) throws(ConfigError) {
        guard ConfigLimits.videoBitrate.contains(bits) else {
            throw ConfigError(
                at: location, "\(Bitrate.format(bits)) is out of range (\(ConfigLimits.videoBitrateText))"
            )
        }
    }

    private func validateEncoderOptions(at location: String) throws(ConfigError) {
        guard X264Options.presets.contains(preset) else {
            let presets = MessageText.choices(X264Options.presets)
            throw ConfigError(
                at: "\(location).preset", "\(MessageText.quoted(preset)) is not an x264 preset (use \(presets))"
            )
        }
        guard X264Options.profiles.contains(profile) else {
            let profiles = MessageText.choices(X264Options.profiles)
            throw ConfigError(
                at: "\(location).profile", "\(MessageText.quoted(profile)) is not an H.264 profile (use \(profiles))"
            )
        }
        if let tune, !X264Options.tunes.contains(tune) {
            let tunes = MessageText.choices(X264Options.tunes)
            throw ConfigError(at: "\(location).tune", "\(MessageText.quoted(tune)) is not an x264 tune (use \(tunes))")
        }
    }
}

extension AudioSettings {
    /// Checks the audio section.
    func validate(at location: String) throws(ConfigError) {
        guard ConfigLimits.audioBitrate.contains(bitrate) else {
            throw ConfigError(
                at: "\(location).bitrate",
                "\(Bitrate.format(bitrate)) is out of range (\(ConfigLimits.audioBitrateText))"
            )
        }
        guard ConfigLimits.sampleRates.contains(sampleRate) else {
            let rates = MessageText.choices(ConfigLimits.sampleRates.map(String.init))
            throw ConfigError(at: "\(location).sampleRate", "\(sampleRate) is not supported (use \(rates))")
        }
    }
}
