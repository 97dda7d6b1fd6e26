import Foundation

import HLSModel

/// Guards the output folder: it must be writable, and a folder holding another run's files is refused
/// unless `--overwrite`, which then removes only what LiveLadder writes (master, marker, rendition folders).
/// A folder holding an unfinished live or event run of the same configuration is resumed instead.
enum OutputFolder {
    /// Marks a folder as LiveLadder's and records the configuration that made it.
    static let markerName = ".liveladder"

    /// Where a resumed run picks up: the next media sequence number and each rendition's playlist as it was.
    struct ResumePoint {
        let nextNumber: Int
        let playlists: [String: MediaPlaylist]
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
                    try clear(path, entries: entries, renditionNames: renditionNames)
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
            try AtomicFile.write(marker(configuration), to: path + "/" + markerName)
        } catch {
            throw LiveLadderError(.badOutput, "output folder \(path) is not writable: \(error)")
        }
        return resume
    }

    private static func marker(_ configuration: String) -> String {
        "liveladder output\nconfiguration: \(configuration)\n"
    }

    /// A previous live or event run of the same configuration that did not end (no ENDLIST) is continued;
    /// anything else in a non-empty folder is refused.
    private static func resumePoint(_ path: String, entries: [String], renditionNames: [String],
                                    configuration: String, resumable: Bool) throws -> ResumePoint {
        let refuse = "output folder \(path) is not empty (\(entries.count) entries, e.g. \(entries.sorted()[0]))"
        guard let marker = try? String(contentsOfFile: path + "/" + markerName, encoding: .utf8) else {
            throw LiveLadderError(.badOutput, "\(refuse); pass --overwrite to replace a previous run's files, or choose an empty folder")
        }
        guard marker == self.marker(configuration) else {
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
        var known: [Int: MediaSegment] = [:]
        for playlist in playlists.values {
            for (index, segment) in playlist.segments.enumerated() where !segment.gap {
                known[playlist.mediaSequence + index] = segment
            }
        }
        for (name, var playlist) in playlists {
            while playlist.mediaSequence + playlist.segments.count < next {
                let number = playlist.mediaSequence + playlist.segments.count
                guard var segment = known[number] else { break }
                segment.gap = true
                playlist.segments.append(segment)
            }
            playlists[name] = playlist
        }
        return ResumePoint(nextNumber: next, playlists: playlists)
    }

    /// Removes a previous run: its master, marker, and every folder that holds a media playlist or is one
    /// of this ladder's rendition folders. Anything else in the folder is left alone.
    private static func clear(_ path: String, entries: [String], renditionNames: [String]) throws {
        let manager = FileManager.default
        for entry in entries {
            let full = path + "/" + entry
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
            let ours = entry == "master.m3u8" || entry == markerName
                || (isDirectory.boolValue && (renditionNames.contains(entry) || entry == "audio"
                    || manager.fileExists(atPath: full + "/index.m3u8")))
            guard ours else { continue }
            do {
                try manager.removeItem(atPath: full)
            } catch {
                throw LiveLadderError(.badOutput, "cannot remove \(full) for --overwrite: \(reason(error))")
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
