import Foundation

import HLSModel

/// Guards the output folder: it must be writable, and a folder holding another run's files is refused
/// unless `--overwrite`, which then removes only what a previous LiveLadder run wrote: the entries its
/// marker lists, and inside its rendition folders only files named as LiveLadder names them. Anything else
/// (another stream's folder, a user's notes) is left alone, and a run that would write over such a file is
/// refused. A folder holding an unfinished live or event run of the same configuration is resumed instead.
enum OutputFolder {
    /// Marks a folder as LiveLadder's and records the configuration that made it.
    static let markerName = ".liveladder"

    /// Where a resumed run picks up: the next media sequence number and each rendition's playlist as it was.
    struct ResumePoint {
        let nextNumber: Int
        let playlists: [String: MediaPlaylist]
        /// Epoch lock: the mapping of the input session the previous run was in (`recordEpochSession`).
        var epochSession: Int64?
    }

    static func prepare(_ path: String, renditionNames: [String], overwrite: Bool,
                        configuration: String, resumable: Bool) throws -> ResumePoint? {
        var resume: ResumePoint?
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw LiveLadderError(.badOutput, "output \(path) exists and is not a folder; choose a folder path")
            }
            let entries = ((try? manager.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".nfs") }
            if !entries.isEmpty {
                if overwrite {
                    try clear(path, entries: entries)
                    try refuseForeignEntries(path, renditionNames: renditionNames)
                } else {
                    resume = try resumePoint(path, entries: entries, renditionNames: renditionNames,
                                             configuration: configuration, resumable: resumable)
                }
            }
        } else {
            do {
                try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw LiveLadderError(.badOutput, "cannot create output folder \(path): \(reason(error))")
            }
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw LiveLadderError(.badOutput, "output folder \(path) is not writable: \(String(cString: strerror(errno)))")
        }
        do {
            try AtomicFile.write(marker(configuration, renditionNames: renditionNames), to: path + "/" + markerName)
        } catch {
            throw LiveLadderError(.badOutput, "output folder \(path) is not writable: \(error)")
        }
        return resume
    }

    /// The marker: the configuration (to decide whether a later run may continue this one) and the entries
    /// of the folder this run writes, so that `--overwrite` removes those and nothing else.
    private static func marker(_ configuration: String, renditionNames: [String]) -> String {
        let owned = ["master.m3u8"] + (renditionNames + [audioFolder]).map { $0 + "/" }
        return "liveladder output\nconfiguration: \(configuration)\n" + owned.map { "owns: \($0)\n" }.joined()
    }

    private static let audioFolder = "audio"

    /// The folder's marker, if it has one: a regular file of a few KiB (a FIFO or a huge file there is
    /// nobody's marker, and reading it would block or fill memory).
    private static func readMarker(_ folder: String) -> String? {
        let path = folder + "/" + markerName
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = attributes[.size] as? Int, size <= 64 * 1024 else { return nil }
        return try? String(contentsOfFile: path, encoding: .utf8)
    }

    /// The entries a marker says its run wrote. A marker of an earlier version, without `owns:` lines,
    /// names its renditions in the configuration line (`name=WxH/…`).
    static func ownedEntries(marker: String) -> Set<String> {
        let lines = marker.split(separator: "\n").map(String.init)
        guard lines.first == "liveladder output" else { return [] }
        let owned = lines.filter { $0.hasPrefix("owns: ") }.map { String($0.dropFirst(6)) }
        if !owned.isEmpty { return Set(owned) }
        let configuration = lines.first { $0.hasPrefix("configuration: ") } ?? ""
        let names = configuration.split(separator: " ").compactMap { token in
            token.firstIndex(of: "=").map { String(token[..<$0]) }
        }.filter { name in name != "audio" && !name.isEmpty }
        return Set(["master.m3u8", audioFolder + "/"] + names.map { $0 + "/" })
    }

    /// A file LiveLadder writes inside a rendition folder: the playlist, the init segment, a segment, a
    /// part, or a temporary file of `AtomicFile` left by a crash.
    static func isRenditionFile(_ name: String) -> Bool {
        var base = Substring(name)
        if let range = base.range(of: ".tmp"), base[range.upperBound...].allSatisfy(\.isNumber) { base = base[..<range.lowerBound] }
        if base == "index.m3u8" || base == "init.mp4" { return true }
        guard base.hasPrefix("segment-") else { return false }
        let rest = base.dropFirst("segment-".count)
        for suffix in [".ts", ".m4s"] where rest.hasSuffix(suffix) {
            // `segment-N` or, for an LL-HLS part (fMP4 only), `segment-N.K`.
            let numbers = rest.dropLast(suffix.count).split(separator: ".", omittingEmptySubsequences: false)
            guard numbers.count == 1 || (numbers.count == 2 && suffix == ".m4s") else { return false }
            return numbers.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
        }
        return false
    }

    /// A previous live or event run of the same configuration that did not end (no ENDLIST) is continued;
    /// anything else in a non-empty folder is refused.
    private static func resumePoint(_ path: String, entries: [String], renditionNames: [String],
                                    configuration: String, resumable: Bool) throws -> ResumePoint {
        let refuse = "output folder \(path) is not empty (\(entries.count) entries, e.g. \(entries.sorted()[0]))"
        guard let marker = readMarker(path) else {
            throw LiveLadderError(.badOutput, "\(refuse); pass --overwrite to replace a previous run's files, or choose an empty folder")
        }
        guard marker.split(separator: "\n").contains(where: { $0 == "configuration: \(configuration)" }) else {
            throw LiveLadderError(.badOutput, "output folder \(path) holds a run of another configuration (ladder, segments or playlist type differ); pass --overwrite to replace it, or choose an empty folder")
        }
        guard resumable else {
            throw LiveLadderError(.badOutput, "\(refuse) and a VOD run cannot be continued; pass --overwrite to replace it")
        }
        var playlists: [String: MediaPlaylist] = [:]
        var next = 0
        for name in renditionNames + ["audio"] {
            let file = "\(path)/\(name)/index.m3u8"
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            let playlist: MediaPlaylist
            do { playlist = try MediaPlaylist.parse(text) } catch {
                throw LiveLadderError(.badOutput, "cannot continue the run in \(path): \(file) is not a playlist (\(error)); pass --overwrite to replace it")
            }
            guard !playlist.endList else {
                throw LiveLadderError(.badOutput, "the run in \(path) has ended (its playlists carry EXT-X-ENDLIST); pass --overwrite to start a new one")
            }
            playlists[name] = playlist
            next = max(next, playlist.mediaSequence + playlist.segments.count)
        }
        // A crash between one rendition's segment and another's leaves them a segment apart. The one
        // behind lists what it never wrote as a gap, as its sibling has it, so all go on from one number.
        // A video rendition's gap takes a video sibling's segment, whose duration is the video's (the audio
        // rendition's segments run up to an AAC frame longer or shorter), and the audio's takes the audio's.
        var known: [Bool: [Int: MediaSegment]] = [:]
        for (name, playlist) in playlists {
            for (index, segment) in playlist.segments.enumerated() where !segment.gap {
                known[name == audioFolder, default: [:]][playlist.mediaSequence + index] = segment
            }
        }
        for (name, var playlist) in playlists {
            while playlist.mediaSequence + playlist.segments.count < next {
                let number = playlist.mediaSequence + playlist.segments.count
                guard var segment = known[name == audioFolder]?[number] ?? known[name != audioFolder]?[number] else { break }
                segment.gap = true
                playlist.segments.append(segment)
            }
            playlists[name] = playlist
        }
        return ResumePoint(nextNumber: next, playlists: playlists, epochSession: epochSession(marker: marker))
    }

    private static let epochSessionPrefix = "epoch-session: "

    /// Epoch lock: the marker records the mapping of the input session the run is in, so that a process
    /// that crashes and resumes can tell the same session (go on without a discontinuity) from a new one.
    /// A failure to write it is returned for the log: the run goes on, and a resume would then count the
    /// session as new (a discontinuity, which is always safe).
    static func recordEpochSession(_ path: String, offset: Int64) -> Error? {
        guard let marker = readMarker(path) else { return nil }
        let lines = marker.split(separator: "\n").map(String.init).filter { !$0.hasPrefix(epochSessionPrefix) }
        do {
            try AtomicFile.write((lines + [epochSessionPrefix + String(offset)]).joined(separator: "\n") + "\n", to: path + "/" + markerName)
            return nil
        } catch {
            return error
        }
    }

    private static func epochSession(marker: String) -> Int64? {
        marker.split(separator: "\n").last { $0.hasPrefix(epochSessionPrefix) }.flatMap { Int64($0.dropFirst(epochSessionPrefix.count)) }
    }

    /// Removes what the previous run's marker says it wrote: its master, and in each of its rendition
    /// folders the files LiveLadder names (a folder left empty goes too). A folder without a marker holds
    /// nothing of ours, so nothing is removed from it.
    private static func clear(_ path: String, entries: [String]) throws {
        let manager = FileManager.default
        guard let marker = readMarker(path) else { return }
        let owned = ownedEntries(marker: marker)
        for entry in entries.sorted() {
            let full = path + "/" + entry
            var isDirectory: ObjCBool = false
            // Never follow a symlink out of the folder: only real files and folders can be ours.
            guard let type = (try? manager.attributesOfItem(atPath: full))?[.type] as? FileAttributeType,
                  type != .typeSymbolicLink, manager.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
            do {
                if isDirectory.boolValue, owned.contains(entry + "/") {
                    for file in try manager.contentsOfDirectory(atPath: full) where isRenditionFile(file) {
                        try manager.removeItem(atPath: full + "/" + file)
                    }
                    if try manager.contentsOfDirectory(atPath: full).isEmpty { try manager.removeItem(atPath: full) }
                } else if !isDirectory.boolValue, entry == "master.m3u8", owned.contains(entry) {
                    try manager.removeItem(atPath: full)
                }
            } catch {
                throw LiveLadderError(.badOutput, "cannot remove \(full) for --overwrite: \(reason(error))")
            }
        }
    }

    /// After `clear`: an entry this run would write that is still there and is not a folder LiveLadder
    /// made belongs to someone else; writing over it would destroy it, so the run is refused.
    private static func refuseForeignEntries(_ path: String, renditionNames: [String]) throws {
        let manager = FileManager.default
        for entry in ["master.m3u8"] + renditionNames + [audioFolder] {
            let full = path + "/" + entry
            guard let attributes = try? manager.attributesOfItem(atPath: full) else { continue }
            let isRealFolder = attributes[.type] as? FileAttributeType == .typeDirectory
            let foreign = entry == "master.m3u8" || !isRealFolder
                || ((try? manager.contentsOfDirectory(atPath: full)) ?? []).contains(where: isRenditionFile)
            if foreign {
                throw LiveLadderError(.badOutput, "output folder \(path) holds \(entry)\(isRealFolder ? "/" : ""), which no LiveLadder run there wrote; --overwrite leaves it alone, so move it or choose another folder")
            }
        }
    }

    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return nsError.localizedDescription
    }
}
