package import Yams

/// Reads the composed YAML tree into a `LadderConfig`, refusing unknown keys and wrong value
/// types with the key path of the offending node.
///
/// Walking Yams' `Node` tree by hand (instead of `Codable`) is what makes unknown keys an error
/// rather than silently ignored, and what lets each message name `renditions[1].videoBitrate`.
/// Range and consistency rules are not checked here; see `LadderConfig.validate()`.
enum ConfigNodeReader {
    static let settingsKeys = ["segmentDuration", "segmentFormat", "partDuration", "allowUpscale", "renditions", "audio",
                               "epochLock", "epoch"]
    static let renditionKeys = [
        "name", "width", "height", "videoBitrate", "maxBitrate", "preset", "profile", "tune", "passthrough",
    ]
    static let audioKeys = ["bitrate", "sampleRate", "channels"]

    /// The config the document describes; an empty document (no node, or a bare `~`) means defaults.
    static func config(from root: Node?) throws(ConfigError) -> LadderConfig {
        guard let root, !root.isNull else { return .defaults }
        let settings = try KeyedNodes(root, at: nil, allowed: settingsKeys)
        var config = LadderConfig()
        if let duration = try settings.read("segmentDuration", with: seconds) {
            config.segmentDuration = duration
        }
        config.partDuration = try settings.read("partDuration", with: seconds)
        if let format = try settings.read("segmentFormat", with: segmentFormat) {
            config.segmentFormat = format
        }
        if let allowUpscale = try settings.read("allowUpscale", with: boolean) {
            config.allowUpscale = allowUpscale
        }
        if let epochLock = try settings.read("epochLock", with: boolean) {
            config.epochLock = epochLock
        }
        config.epochMilliseconds = try settings.read("epoch", with: epoch)
        config.renditions = try settings.read("renditions", with: renditions)
        if let audio = try settings.read("audio", with: audio) {
            config.audio = audio
        }
        return config
    }

    private static func renditions(_ node: Node, at location: String) throws(ConfigError) -> [RenditionSpec] {
        // `renditions:` with nothing after it is almost always a list whose items were all
        // commented out; say so rather than quietly deriving a ladder.
        if node.isNull {
            throw ConfigError(at: location, "must list at least one rendition")
        }
        guard case .sequence(let items) = node else {
            throw ConfigError(at: location, "expected a list of renditions, found \(node.kindDescription)")
        }
        var specs: [RenditionSpec] = []
        for (index, item) in items.enumerated() {
            specs.append(try rendition(item, at: "\(location)[\(index)]"))
        }
        return specs
    }

    private static func rendition(_ node: Node, at location: String) throws(ConfigError) -> RenditionSpec {
        let fields = try KeyedNodes(node, at: location, allowed: renditionKeys)
        let name = try fields.read("name", with: text)
        let width = try fields.read("width", with: pixels)
        let height = try fields.read("height", with: pixels)
        let videoBitrate = try fields.read("videoBitrate", with: videoBitrate)
        let maxBitrate = try fields.read("maxBitrate", with: self.videoBitrate)
        let preset = try fields.read("preset", with: text)
        let profile = try fields.read("profile", with: text)
        let tune = try fields.read("tune", with: text)
        let passthrough = try fields.read("passthrough", with: boolean)

        guard let name else {
            throw ConfigError(
                at: "\(location).name", "missing; every rendition needs a name (its output folder, e.g. 720p)"
            )
        }
        guard let videoBitrate else {
            throw ConfigError(at: "\(location).videoBitrate", "missing; give the target bitrate, e.g. 3000k")
        }
        return RenditionSpec(
            name: name,
            width: width,
            height: height,
            videoBitrate: videoBitrate,
            maxBitrate: maxBitrate,
            preset: preset ?? X264Options.defaultPreset,
            profile: profile ?? X264Options.defaultProfile,
            tune: tune,
            passthrough: passthrough ?? false
        )
    }

    private static func audio(_ node: Node, at location: String) throws(ConfigError) -> AudioSettings {
        let fields = try KeyedNodes(node, at: location, allowed: audioKeys)
        var audio = AudioSettings()
        if let bitrate = try fields.read("bitrate", with: audioBitrate) {
            audio.bitrate = bitrate
        }
        if let sampleRate = try fields.read("sampleRate", with: sampleRate) {
            audio.sampleRate = sampleRate
        }
        if let channels = try fields.read("channels", with: channels) {
            audio.channels = channels
        }
        return audio
    }
}

// MARK: - Scalar values

extension ConfigNodeReader {
    /// The scalar's text, whatever YAML type it resolved to: `name: 1080` is the folder "1080".
    static func text(_ node: Node, at location: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else {
            throw ConfigError(at: location, "expected a single value, found \(node.kindDescription)")
        }
        guard !node.isNull else {
            throw ConfigError(at: location, "no value given; set one or remove the key")
        }
        return scalar.string
    }

    static func seconds(_ node: Node, at location: String) throws(ConfigError) -> Double {
        let value = try text(node, at: location)
        // Plain decimals only: Double("inf"), "nan" and "1e1" parse, but nobody means them here.
        guard value.allSatisfy({ $0.isASCIIDigit || $0 == "." || $0 == "-" }), let seconds = Double(value) else {
            throw ConfigError(at: location, "\(MessageText.quoted(value)) is not a number of seconds (e.g. 2 or 0.5)")
        }
        return seconds
    }

    static func boolean(_ node: Node, at location: String) throws(ConfigError) -> Bool {
        let value = try text(node, at: location)
        // YAML 1.2's spellings; 1.1's yes/no/on/off are refused rather than guessed at.
        switch value {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw ConfigError(at: location, "\(MessageText.quoted(value)) is not true or false")
        }
    }

    /// An instant, ISO 8601 with a zone (`2026-01-01T00:00:00Z`), as milliseconds since 1970.
    static func epoch(_ node: Node, at location: String) throws(ConfigError) -> Int64 {
        try LadderConfig.parseEpoch(try text(node, at: location), at: location)
    }

    static func pixels(_ node: Node, at location: String) throws(ConfigError) -> Int {
        let value = try text(node, at: location)
        guard let pixels = Int(value) else {
            throw ConfigError(at: location, "\(MessageText.quoted(value)) is not a whole number of pixels")
        }
        return pixels
    }

    static func sampleRate(_ node: Node, at location: String) throws(ConfigError) -> Int {
        let value = try text(node, at: location)
        guard let hertz = Int(value) else {
            let rates = MessageText.choices(ConfigLimits.sampleRates.map(String.init))
            throw ConfigError(at: location, "\(MessageText.quoted(value)) is not a sample rate in Hz (use \(rates))")
        }
        return hertz
    }

    static func videoBitrate(_ node: Node, at location: String) throws(ConfigError) -> Int {
        try bitrate(node, at: location, examples: "3000k, 3M or 3000000")
    }

    static func audioBitrate(_ node: Node, at location: String) throws(ConfigError) -> Int {
        try bitrate(node, at: location, examples: "128k or 128000")
    }

    private static func bitrate(_ node: Node, at location: String, examples: String) throws(ConfigError) -> Int {
        let value = try text(node, at: location)
        guard let bits = Bitrate.parse(value) else {
            throw ConfigError(at: location, "\(MessageText.quoted(value)) is not a bitrate (use \(examples))")
        }
        return bits
    }

    static func segmentFormat(_ node: Node, at location: String) throws(ConfigError) -> SegmentFormat {
        try choice(node, at: location, naming: "a segment format")
    }

    static func channels(_ node: Node, at location: String) throws(ConfigError) -> AudioChannels {
        try choice(node, at: location, naming: "a channel layout")
    }

    /// One of an enum's raw values, case-sensitive like the keys.
    private static func choice<Choice: RawRepresentable & CaseIterable>(
        _ node: Node, at location: String, naming what: String
    ) throws(ConfigError) -> Choice where Choice.RawValue == String {
        let value = try text(node, at: location)
        guard let choice = Choice(rawValue: value) else {
            let names = MessageText.choices(Choice.allCases.map(\.rawValue))
            throw ConfigError(at: location, "\(MessageText.quoted(value)) is not \(what) (use \(names))")
        }
        return choice
    }
}

// MARK: - Mappings

/// A YAML mapping whose keys have been checked against the allowed list, read one key at a time.
package struct KeyedNodes {
    /// Where the mapping is (`renditions[0]`), or `nil` for the document's top level.
    private let location: String?
    private let values: [String: Node]

    package init(_ node: Node, at location: String?, allowed: [String]) throws(ConfigError) {
        self.location = location
        let here = location ?? "top level"
        if node.isNull {
            throw ConfigError(at: here, "no value given; set one or remove the key")
        }
        guard case .mapping(let mapping) = node else {
            throw ConfigError(
                at: here,
                "expected a mapping (keys: \(allowed.joined(separator: ", "))), found \(node.kindDescription)"
            )
        }
        var values: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                throw ConfigError(at: here, "keys must be plain names, found \(keyNode.kindDescription) as a key")
            }
            guard allowed.contains(key.string) else {
                throw ConfigError(at: Self.path(location, key.string), Self.unknownKeyReason(key.string, allowed))
            }
            values[key.string] = value
        }
        self.values = values
    }

    /// The value under `key` converted by `read`, or `nil` when the key is absent.
    package func read<Value>(
        _ key: String, with read: (Node, String) throws(ConfigError) -> Value
    ) throws(ConfigError) -> Value? {
        guard let node = values[key] else { return nil }
        return try read(node, Self.path(location, key))
    }

    package static func path(_ location: String?, _ key: String) -> String {
        let key = MessageText.key(key)
        return location.map { "\($0).\(key)" } ?? key
    }

    private static func unknownKeyReason(_ key: String, _ allowed: [String]) -> String {
        if let intended = allowed.first(where: { $0.lowercased() == key.lowercased() }) {
            return "unknown key (did you mean \(intended)?)"
        }
        return "unknown key (allowed: \(allowed.joined(separator: ", ")))"
    }
}

extension Node {
    /// `~`, `null` or nothing at all after the colon.
    package var isNull: Bool {
        guard case .scalar = self else { return false }
        return tag.rawValue == Tag.Name.null.rawValue
    }

    /// What the user wrote, in words, for "expected X, found Y" messages.
    package var kindDescription: String {
        switch self {
        case .scalar: "a single value"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
