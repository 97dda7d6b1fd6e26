/// Redundant variants (RFC 8216 §6.2.4; Apple's HLS Authoring Specification, "Redundant streams"): a
/// second `EXT-X-STREAM-INF` with the same attributes as a primary variant, naming another copy of the
/// same stream, so a player that cannot load the primary's media playlist moves to the backup.
extension MultivariantPlaylist {
    /// The suffix of a backup's alternate-audio `GROUP-ID` (`aac` → `aac-backup`). Apple asks for the
    /// backup's alternate renditions in groups of their own, so a player that fails over to a backup
    /// variant takes its audio from the backup too, not from the primary that failed.
    public static let backupGroupSuffix = "-backup"

    /// This playlist with one backup after all its variants for each variant, in the same order: the same
    /// attributes, the URI `base + "/" + uri`. Each alternate audio rendition gets a copy in its own group
    /// (`GROUP-ID` + `backupGroupSuffix`, URI under `base`) that the backups name with `AUDIO=`.
    ///
    /// `base` is an absolute URL or a relative path without a trailing slash, query or fragment; the
    /// renditions' URIs are relative paths (what LiveLadder writes).
    public func addingBackups(base: String) -> MultivariantPlaylist {
        var playlist = self
        playlist.audioRenditions += audioRenditions.map { rendition in
            var backup = rendition
            backup.groupID += Self.backupGroupSuffix
            backup.uri = base + "/" + rendition.uri
            return backup
        }
        playlist.variants += variants.map { variant in
            var backup = variant
            backup.uri = base + "/" + variant.uri
            backup.audioGroup = variant.audioGroup.map { $0 + Self.backupGroupSuffix }
            return backup
        }
        return playlist
    }
}

extension AttributeList {
    /// The names of the attributes whose values differ between the two lists, present in one and absent
    /// in the other included, in the order they first appear (this list's, then `other`'s); `ignoring`
    /// names attributes left out of the comparison. The order attributes are written in does not matter.
    public func differences(from other: AttributeList, ignoring: Set<String> = []) -> [String] {
        var names: [String] = []
        for name in (attributes + other.attributes).map(\.name) where !ignoring.contains(name) && !names.contains(name) {
            if self[name] != other[name] { names.append(name) }
        }
        return names
    }
}
