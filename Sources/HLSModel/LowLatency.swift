public import Foundation

/// `EXT-X-PART`: a partial segment (draft-pantos-hls-rfc8216bis §4.4.4.9), the unit of Low-Latency HLS.
/// The parts of a segment hold exactly its samples (HLS-RULES LL4).
public struct MediaPart: Equatable, Sendable {
    /// Relative to the playlist, like a segment's URI.
    public var uri: String
    /// Seconds; at most the playlist's PART-TARGET (HLS-RULES LL2). Rendered with five decimals.
    public var duration: Double
    /// `INDEPENDENT=YES`: the part starts with an IDR (HLS-RULES LL3).
    public var independent: Bool
    /// `GAP=YES`: the part is not available; clients must not fetch it.
    public var gap: Bool

    public init(uri: String, duration: Double, independent: Bool = false, gap: Bool = false) {
        self.uri = uri
        self.duration = duration
        self.independent = independent
        self.gap = gap
    }

    var renderedLine: String {
        var attributes: [AttributeList.Attribute] = [
            .init("DURATION", .decimalFloatingPoint(duration, decimals: 5)),
            .init("URI", .quotedString(uri)),
        ]
        if independent { attributes.append(.init("INDEPENDENT", .yesOrNo(true))) }
        if gap { attributes.append(.init("GAP", .yesOrNo(true))) }
        return "#EXT-X-PART:\(AttributeList(attributes).render())"
    }
}

/// The segment being cut: its parts so far, listed after the last complete segment, and the tags that
/// will belong to it (a discontinuity or a PROGRAM-DATE-TIME come before its first part, HLS-RULES LL3).
public struct SegmentInProgress: Equatable, Sendable {
    public var parts: [MediaPart]
    public var discontinuity: Bool
    public var programDateTime: Date?

    public init(parts: [MediaPart], discontinuity: Bool = false, programDateTime: Date? = nil) {
        self.parts = parts
        self.discontinuity = discontinuity
        self.programDateTime = programDateTime
    }
}

/// `EXT-X-SERVER-CONTROL` (§4.4.3.8): what the server promises a client. HLS-RULES LL5 bounds the values.
public struct ServerControl: Equatable, Sendable {
    /// `CAN-BLOCK-RELOAD=YES`: `_HLS_msn`/`_HLS_part` requests are held until the resource exists.
    public var canBlockReload: Bool
    /// `PART-HOLD-BACK`, seconds: how far from the live edge a low-latency client starts (≥ 3 × PART-TARGET).
    public var partHoldBack: Double?
    /// `HOLD-BACK`, seconds (≥ 3 × target duration).
    public var holdBack: Double?
    /// `CAN-SKIP-UNTIL`, seconds: delta updates (`_HLS_skip=YES`) may skip segments older than this.
    public var canSkipUntil: Double?

    public init(canBlockReload: Bool, partHoldBack: Double? = nil, holdBack: Double? = nil, canSkipUntil: Double? = nil) {
        self.canBlockReload = canBlockReload
        self.partHoldBack = partHoldBack
        self.holdBack = holdBack
        self.canSkipUntil = canSkipUntil
    }

    var renderedLine: String {
        var attributes: [AttributeList.Attribute] = []
        if canBlockReload { attributes.append(.init("CAN-BLOCK-RELOAD", .yesOrNo(true))) }
        if let canSkipUntil { attributes.append(.init("CAN-SKIP-UNTIL", .decimalFloatingPoint(canSkipUntil, decimals: 3))) }
        if let holdBack { attributes.append(.init("HOLD-BACK", .decimalFloatingPoint(holdBack, decimals: 3))) }
        if let partHoldBack { attributes.append(.init("PART-HOLD-BACK", .decimalFloatingPoint(partHoldBack, decimals: 3))) }
        return "#EXT-X-SERVER-CONTROL:\(AttributeList(attributes).render())"
    }
}

/// `EXT-X-PRELOAD-HINT` (§4.4.5.3): the resource that comes next, so a client can request it early.
public struct PreloadHint: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable {
        case part = "PART"
        case map = "MAP"
    }
    public var kind: Kind
    /// The URI the hinted part will have once it is listed (HLS-RULES LL6).
    public var uri: String

    public init(kind: Kind = .part, uri: String) {
        self.kind = kind
        self.uri = uri
    }

    var renderedLine: String {
        "#EXT-X-PRELOAD-HINT:\(AttributeList([.init("TYPE", .unquoted(kind.rawValue)), .init("URI", .quotedString(uri))]).render())"
    }
}

/// `EXT-X-RENDITION-REPORT` (§4.4.5.4): where another rendition's live edge is, so a client switching to
/// it can ask for the right part at once (HLS-RULES LL7).
public struct RenditionReport: Equatable, Sendable {
    /// The other rendition's media playlist, relative to this one.
    public var uri: String
    /// `LAST-MSN`: its last media sequence number (of a segment or of the segment its last part is in).
    public var lastMediaSequence: Int
    /// `LAST-PART`: the index of its last part in that segment, when it has parts.
    public var lastPart: Int?

    public init(uri: String, lastMediaSequence: Int, lastPart: Int? = nil) {
        self.uri = uri
        self.lastMediaSequence = lastMediaSequence
        self.lastPart = lastPart
    }

    var renderedLine: String {
        var attributes: [AttributeList.Attribute] = [
            .init("URI", .quotedString(uri)),
            .init("LAST-MSN", .decimalInteger(lastMediaSequence)),
        ]
        if let lastPart { attributes.append(.init("LAST-PART", .decimalInteger(lastPart))) }
        return "#EXT-X-RENDITION-REPORT:\(AttributeList(attributes).render())"
    }
}
