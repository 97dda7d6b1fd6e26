import Foundation

/// One video rendition of a multivariant playlist: an `#EXT-X-STREAM-INF` line and its URI
/// (RFC 8216 §4.3.4.2, HLS-RULES MV2–MV6).
public struct VariantStream: Equatable, Sendable {
    /// The rendition's media playlist.
    public var uri: String
    /// `BANDWIDTH`: at least the peak segment bit rate, audio included (HLS-RULES MV3).
    public var bandwidth: Int
    /// `AVERAGE-BANDWIDTH`: the average bit rate (HLS-RULES MV4).
    public var averageBandwidth: Int
    /// `CODECS`, e.g. `["avc1.64001f", "mp4a.40.2"]` (HLS-RULES MV5). Must not contain commas.
    public var codecs: [String]
    /// `RESOLUTION` width in pixels.
    public var width: Int
    /// `RESOLUTION` height in pixels.
    public var height: Int
    /// `FRAME-RATE`, written with three decimals (`29.970`); values with at most three decimals round-trip.
    public var frameRate: Double
    /// `AUDIO`: the `GROUP-ID` of the alternate audio this variant plays with; omitted when `nil`.
    public var audioGroup: String?

    public init(
        uri: String,
        bandwidth: Int,
        averageBandwidth: Int,
        codecs: [String],
        width: Int,
        height: Int,
        frameRate: Double,
        audioGroup: String? = nil
    ) {
        self.uri = uri
        self.bandwidth = bandwidth
        self.averageBandwidth = averageBandwidth
        self.codecs = codecs
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.audioGroup = audioGroup
    }

    /// The attributes of its `#EXT-X-STREAM-INF` line.
    var attributeList: AttributeList {
        var attributes: [AttributeList.Attribute] = [
            .init("BANDWIDTH", .decimalInteger(bandwidth)),
            .init("AVERAGE-BANDWIDTH", .decimalInteger(averageBandwidth)),
            .init("CODECS", .quotedString(codecs.joined(separator: ","))),
            .init("RESOLUTION", .decimalResolution(width: width, height: height)),
            .init("FRAME-RATE", .decimalFloatingPoint(frameRate, decimals: 3)),
        ]
        if let audioGroup { attributes.append(.init("AUDIO", .quotedString(audioGroup))) }
        return AttributeList(attributes)
    }

    /// Reads the attributes of an `#EXT-X-STREAM-INF` line. Everything HLS-RULES MV2 demands is required,
    /// so a variant missing one fails to parse with a message naming it; numbers outside
    /// `PlaylistLimits` fail with a message naming the range.
    init(attributeList attributes: AttributeList, uri: String) throws(AttributeListError) {
        self.uri = uri
        bandwidth = try attributes.required(
            attributes.decimalInteger("BANDWIDTH", in: PlaylistLimits.bandwidth), "BANDWIDTH")
        averageBandwidth = try attributes.required(
            attributes.decimalInteger("AVERAGE-BANDWIDTH", in: PlaylistLimits.bandwidth), "AVERAGE-BANDWIDTH")
        let codecList = try attributes.required(attributes.quotedString("CODECS"), "CODECS")
        // Spaces after the commas are common in hand-written playlists and mean nothing.
        codecs = codecList.isEmpty
            ? []
            : codecList.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
        let resolution = try attributes.required(attributes.decimalResolution("RESOLUTION"), "RESOLUTION")
        width = resolution.width
        height = resolution.height
        frameRate = try attributes.required(
            attributes.decimalFloatingPoint("FRAME-RATE", in: PlaylistLimits.frameRate), "FRAME-RATE")
        audioGroup = try attributes.quotedString("AUDIO")
    }
}
