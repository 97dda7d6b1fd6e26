/// An alternate audio rendition: one `#EXT-X-MEDIA:TYPE=AUDIO` line of a multivariant playlist
/// (RFC 8216 §4.3.4.1, HLS-RULES MV8).
public struct AudioRendition: Equatable, Sendable {
    /// `GROUP-ID`: what variants name in their `AUDIO` attribute.
    public var groupID: String
    /// `NAME`: a human-readable label.
    public var name: String
    /// `LANGUAGE`: an RFC 5646 tag such as `en` or `und`; omitted when `nil`.
    public var language: String?
    /// `DEFAULT=YES|NO`
    public var isDefault: Bool
    /// `AUTOSELECT=YES|NO`
    public var autoselect: Bool
    /// `CHANNELS`: the channel count as a string, e.g. `"2"`.
    public var channels: String
    /// `URI`: the rendition's media playlist.
    public var uri: String

    public init(
        groupID: String,
        name: String,
        language: String? = nil,
        isDefault: Bool = true,
        autoselect: Bool = true,
        channels: String,
        uri: String
    ) {
        self.groupID = groupID
        self.name = name
        self.language = language
        self.isDefault = isDefault
        self.autoselect = autoselect
        self.channels = channels
        self.uri = uri
    }

    /// The attributes of its `#EXT-X-MEDIA` line, in the order Apple's examples use.
    var attributeList: AttributeList {
        var attributes: [AttributeList.Attribute] = [
            .init("TYPE", .unquoted("AUDIO")),
            .init("GROUP-ID", .quotedString(groupID)),
            .init("NAME", .quotedString(name)),
        ]
        if let language { attributes.append(.init("LANGUAGE", .quotedString(language))) }
        attributes += [
            .init("DEFAULT", .yesOrNo(isDefault)),
            .init("AUTOSELECT", .yesOrNo(autoselect)),
            .init("CHANNELS", .quotedString(channels)),
            .init("URI", .quotedString(uri)),
        ]
        return AttributeList(attributes)
    }

    /// Reads the attributes of an `#EXT-X-MEDIA:TYPE=AUDIO` line. `GROUP-ID`, `NAME`, `CHANNELS` and
    /// `URI` are required because this model always writes them; `DEFAULT` and `AUTOSELECT` default to
    /// `NO` as in RFC 8216.
    init(attributeList attributes: AttributeList) throws(AttributeListError) {
        groupID = try attributes.required(attributes.quotedString("GROUP-ID"), "GROUP-ID")
        name = try attributes.required(attributes.quotedString("NAME"), "NAME")
        language = try attributes.quotedString("LANGUAGE")
        isDefault = try attributes.yesOrNo("DEFAULT") ?? false
        autoselect = try attributes.yesOrNo("AUTOSELECT") ?? false
        channels = try attributes.required(attributes.quotedString("CHANNELS"), "CHANNELS")
        uri = try attributes.required(attributes.quotedString("URI"), "URI")
    }
}
