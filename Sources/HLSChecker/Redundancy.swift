import HLSModel

/// Which variants of a master are backups (redundant streams, RFC 8216 §6.2.4) and of which primary.
///
/// A variant is a backup when its attributes equal an earlier primary's (`AUDIO` aside: a backup names
/// its own copy of the audio group), or when its URI leaves the folder on purpose (an http(s) URL, a
/// server path `/…`, or a relative path climbing out with `..`): nothing outside the folder is read,
/// so such a variant can only be a backup of one that is inside. A backup that leaves the folder is not
/// loaded as a rendition, and neither is an audio rendition that leaves it in a group only backups name;
/// a backup inside the folder is loaded and checked like any variant. Rule MV9 (docs/check.md).
package struct Redundancy {
    package enum Role: Equatable {
        case primary
        /// The index (in `master.variants`) of the primary with the same attributes, nil when none has.
        case backup(of: Int?)
    }

    /// One role per variant of the master, in its order.
    package let roles: [Role]
    /// `GROUP-ID`s named only by backups.
    package let backupGroups: Set<String>

    package init(_ master: MasterPlaylist) {
        var roles: [Role] = []
        var primaries: [Int] = []
        for (index, variant) in master.variants.enumerated() {
            let twin = variant.attributes.flatMap { attributes in
                primaries.first { master.variants[$0].attributes?.differences(from: attributes, ignoring: ["AUDIO"]).isEmpty == true }
            }
            if twin != nil || variant.uri.map(Self.leavesFolder) == true {
                roles.append(.backup(of: twin))
            } else {
                roles.append(.primary)
                primaries.append(index)
            }
        }
        self.roles = roles
        func groups(_ wanted: (Role) -> Bool) -> Set<String> {
            Set(zip(master.variants, roles).filter { wanted($0.1) }.compactMap { variant, _ in
                (try? variant.attributes?.quotedString("AUDIO")) ?? nil
            })
        }
        backupGroups = groups { $0 != .primary }.subtracting(groups { $0 == .primary })
    }

    /// Whether the variant at `index` is a backup that is not read: its URI leaves the folder, and it is an
    /// http(s) URL (another server's copy, whatever MV9 finds wrong with it) or repeats a primary. A path
    /// out of the folder (`/…`, `../`) that repeats no primary is no backup of anything here: MV9 names
    /// it, and it is read like any variant, so URI1 refuses it as it would without backups.
    package func skips(_ variant: MasterPlaylist.Variant, at index: Int) -> Bool {
        guard case .backup(of: let primary) = roles[index], let uri = variant.uri, Self.leavesFolder(uri) else { return false }
        let lower = uri.lowercased()
        return primary != nil || lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    /// Whether an audio rendition is a backup's that is not read.
    package func skips(_ media: MasterPlaylist.Media) -> Bool {
        media.groupID.map(backupGroups.contains) == true && media.uri.map(Self.leavesFolder) == true
    }

    /// Whether `uri`, written in the master, names a place outside its folder on purpose: an http(s) URL,
    /// a path from the server's root, or a relative path whose plain `..` segments climb above the folder.
    /// (Anything else that cannot be read — other schemes, escaped dot segments, symbolic links — stays a
    /// URI1 failure.)
    package static func leavesFolder(_ uri: String) -> Bool {
        let lower = uri.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || uri.hasPrefix("/") { return true }
        var depth = 0
        for segment in uri.split(separator: "/", omittingEmptySubsequences: false) {
            switch segment {
            case ".": continue
            case "..":
                depth -= 1
                if depth < 0 { return true }
            default: depth += 1
            }
        }
        return false
    }
}

/// MV9: every backup variant has the attributes of exactly one primary, and an audio group of its own
/// that copies the primary's.
enum RedundancyRules {
    static func check(_ context: CheckContext, _ log: inout FailureLog) {
        let master = context.master
        let redundancy = context.redundancy
        for (index, variant) in master.variants.enumerated() {
            guard case .backup(let twin) = redundancy.roles[index], let attributes = variant.attributes else { continue }
            let location = Location.playlist(context.masterName, "variant \(variant.number) (\(variant.uri ?? "no URI"))")
            guard let twin else {
                log.add("MV9", location, orphanMessage(attributes, master, redundancy))
                continue
            }
            checkAudio(backup: variant, primary: master.variants[twin], location, context, &log)
        }
    }

    /// Names the primary the backup comes closest to and what differs, so a stale BANDWIDTH reads as one.
    private static func orphanMessage(_ attributes: AttributeList, _ master: MasterPlaylist, _ redundancy: Redundancy) -> String {
        let primaries = master.variants.indices.filter { redundancy.roles[$0] == .primary }
        let scored = primaries.compactMap { index in
            master.variants[index].attributes.map { (index, $0.differences(from: attributes, ignoring: ["AUDIO"])) }
        }
        guard let (index, differences) = scored.min(by: { $0.1.count < $1.1.count }) else {
            return "backup variant (its URI leaves the folder) but the master has no primary variant inside the folder for it to back up"
        }
        let primary = master.variants[index]
        return "backup variant (its URI leaves the folder) has the attributes of no primary: the closest, variant \(primary.number) (\(primary.uri ?? "no URI")), differs in \(differences.joined(separator: ", ")); a backup's EXT-X-STREAM-INF must repeat its primary's exactly (RFC 8216 §6.2.4)"
    }

    private static func checkAudio(backup: MasterPlaylist.Variant, primary: MasterPlaylist.Variant, _ location: Location,
                                   _ context: CheckContext, _ log: inout FailureLog) {
        let backupGroup = (try? backup.attributes?.quotedString("AUDIO")) ?? nil
        let primaryGroup = (try? primary.attributes?.quotedString("AUDIO")) ?? nil
        let primaryName = "variant \(primary.number)"
        switch (primaryGroup, backupGroup) {
        case (nil, nil):
            return
        case (let group?, nil), (nil, let group?):
            log.add("MV9", location, "\(primaryGroup == nil ? "this backup" : primaryName) names AUDIO=\"\(group)\" and \(primaryGroup == nil ? primaryName : "this backup") names none: a backup plays the same audio as its primary")
        case (let primaryGroup?, let backupGroup?) where primaryGroup == backupGroup:
            if let uri = backup.uri, Redundancy.leavesFolder(uri) {
                log.add("MV9", location, "the backup plays the primary's audio group \"\(primaryGroup)\", which fails with the primary: give the backup its own copy of the group (another GROUP-ID with the backup's URIs; Apple's authoring spec)")
            }
        case (let primaryGroup?, let backupGroup?):
            let primaryMedia = context.master.audioMedia.filter { $0.groupID == primaryGroup }
            let backupMedia = context.master.audioMedia.filter { $0.groupID == backupGroup }
            guard primaryMedia.count == backupMedia.count else {
                log.add("MV9", location, "audio group \"\(backupGroup)\" has \(backupMedia.count) rendition(s) but the primary's \"\(primaryGroup)\" has \(primaryMedia.count): the backup's group copies the primary's")
                return
            }
            for (original, copy) in zip(primaryMedia, backupMedia) {
                guard let originalAttributes = original.attributes, let copyAttributes = copy.attributes else { continue }
                let differences = copyAttributes.differences(from: originalAttributes, ignoring: ["GROUP-ID", "URI"])
                if !differences.isEmpty {
                    log.add("MV9", location, "#EXT-X-MEDIA on line \(copy.line) (group \"\(backupGroup)\") differs from line \(original.line) (group \"\(primaryGroup)\") in \(differences.joined(separator: ", ")): the backup's audio group copies the primary's except GROUP-ID and URI")
                }
            }
        }
    }
}
