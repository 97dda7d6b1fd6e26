import Foundation

/// Guards the output folder: it must be writable, and a folder holding another run's files is refused
/// unless `--overwrite`, which then removes only what LiveLadder writes (master, marker, rendition folders).
enum OutputFolder {
    /// Marks a folder as LiveLadder's and records what made it.
    static let markerName = ".liveladder"

    static func prepare(_ path: String, renditionNames: [String], overwrite: Bool) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw LiveLadderError(.badOutput, "output \(path) exists and is not a folder; choose a folder path")
            }
            let entries = ((try? manager.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".nfs") }
            if !entries.isEmpty {
                guard overwrite else {
                    throw LiveLadderError(.badOutput, "output folder \(path) is not empty (\(entries.count) entries, e.g. \(entries.sorted()[0])); pass --overwrite to replace a previous run's files, or choose an empty folder")
                }
                try clear(path, entries: entries, renditionNames: renditionNames)
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
            try AtomicFile.write("liveladder output\n", to: path + "/" + markerName)
        } catch {
            throw LiveLadderError(.badOutput, "output folder \(path) is not writable: \(error)")
        }
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
