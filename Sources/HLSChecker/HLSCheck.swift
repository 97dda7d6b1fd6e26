import Foundation

/// `liveladder check`: an HLS output folder against HLS-RULES.md.
public enum HLSCheck {
    /// Checks the output at `path`: a folder (its `master.m3u8`) or a master playlist file.
    ///
    /// Throws `CheckError` only when the master cannot be read at all; every other problem, including
    /// missing media playlists and segments, is a failure in the report.
    public static func run(path: String, options: CheckOptions = .init()) throws -> CheckReport {
        let (folder, masterName) = try locateMaster(path)
        let master = try readMaster(masterName, in: folder, shownAs: path)
        var log = FailureLog()
        let loader = RenditionLoader(folder: folder)
        let redundancy = Redundancy(master)
        var renditions = loader.loadPlaylists(master, redundancy: redundancy, log: &log)
        loader.probeSegments(&renditions)
        prepareClocks(&renditions)

        let live = options.live ?? CheckContext.inferLive(renditions)
        let context = CheckContext(masterName: masterName, master: master, redundancy: redundancy, folder: folder,
                                   renditions: renditions,
                                   live: live, finished: !live && !CheckContext.isRunningEvent(renditions))
        MasterRules.check(context, &log)
        RedundancyRules.check(context, &log)
        MediaPlaylistRules.check(context, &log)
        SegmentRules.check(context, &log)
        AlignmentRules.check(context, &log)
        ContinuityRules.check(context, &log)
        AudioFrameRules.check(context, &log)
        LowLatencyRules.check(context, &log)
        return CheckReport(failures: log.finished(), checkedPlaylists: renditions.count,
                           checkedSegments: renditions.reduce(0) { $0 + $1.probedEntries.count })
    }

    /// The output folder and the master's file name in it. The folder is the master's own: every URI it
    /// and its media playlists name must stay inside it (OutputFolder).
    private static func locateMaster(_ path: String) throws(CheckError) -> (OutputFolder, String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CheckError("\(path): no such file or folder; pass an HLS output folder or its master playlist")
        }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let directory = isDirectory.boolValue ? url : url.deletingLastPathComponent()
        let name = isDirectory.boolValue ? "master.m3u8" : url.lastPathComponent
        guard let folder = OutputFolder(directory: directory.path) else {
            throw CheckError("\(directory.path) cannot be opened; check its permissions")
        }
        if isDirectory.boolValue, !FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path) {
            throw CheckError("\(path) has no master.m3u8; pass the master playlist's path if it has another name")
        }
        return (folder, name)
    }

    private static func readMaster(_ name: String, in folder: OutputFolder, shownAs path: String) throws(CheckError) -> MasterPlaylist {
        // A file name, not a URI: read as it is, but only as a file of its folder like everything else.
        let data: [UInt8]
        switch folder.read(folder.root + (folder.root == "/" ? "" : "/") + name, limit: OutputFolder.playlistLimit) {
        case .bytes(let bytes): data = bytes
        case .missing: throw CheckError("\(path) cannot be read; check its permissions")
        case .refused(let reason):
            throw CheckError("\(path): the master playlist \(reason); pass a master.m3u8 that is a file in its output folder")
        }
        guard let text = String(validating: data, as: UTF8.self), let master = MasterPlaylist(text: text) else {
            throw CheckError("\(path) is not an HLS playlist (no #EXTM3U line)")
        }
        if master.variants.isEmpty, text.contains("#EXTINF") {
            throw CheckError("\(path) is a media playlist; pass the multivariant (master) playlist or its folder")
        }
        return master
    }

    /// Measures each rendition's frame duration (the unit of most tolerances) and unwraps TS clocks.
    /// Audio-only renditions borrow the ladder's video frame, so video renditions go first.
    private static func prepareClocks(_ renditions: inout [Rendition]) {
        for index in renditions.indices where renditions[index].isVideo {
            renditions[index].measureFrames(ladderVideoFrame: nil)
        }
        let ladderFrame = renditions.first(where: \.isVideo)?.frameDuration
        for index in renditions.indices where !renditions[index].isVideo {
            renditions[index].measureFrames(ladderVideoFrame: ladderFrame)
        }
        for index in renditions.indices { renditions[index].unwrapTransportStreamClock() }
    }
}
