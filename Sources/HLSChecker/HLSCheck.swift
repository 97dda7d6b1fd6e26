import Foundation

/// `liveladder check`: an HLS output folder against HLS-RULES.md.
public enum HLSCheck {
    /// Checks the output at `path`: a folder (its `master.m3u8`) or a master playlist file.
    ///
    /// Throws `CheckError` only when the master cannot be read at all; every other problem, including
    /// missing media playlists and segments, is a failure in the report.
    public static func run(path: String, options: CheckOptions = .init()) throws -> CheckReport {
        let masterURL = try locateMaster(path)
        let master = try readMaster(masterURL)
        var log = FailureLog()
        let loader = RenditionLoader(masterDirectory: masterURL.deletingLastPathComponent())
        var renditions = loader.loadPlaylists(master, log: &log)
        loader.probeSegments(&renditions)
        prepareClocks(&renditions)

        let live = options.live ?? CheckContext.inferLive(renditions)
        let context = CheckContext(masterName: masterURL.lastPathComponent, master: master,
                                   masterDirectory: masterURL.deletingLastPathComponent(), renditions: renditions,
                                   live: live, finished: !live && !CheckContext.isRunningEvent(renditions))
        MasterRules.check(context, &log)
        MediaPlaylistRules.check(context, &log)
        SegmentRules.check(context, &log)
        AlignmentRules.check(context, &log)
        return CheckReport(failures: log.finished(), checkedPlaylists: renditions.count,
                           checkedSegments: renditions.reduce(0) { $0 + $1.probedEntries.count })
    }

    private static func locateMaster(_ path: String) throws(CheckError) -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CheckError("\(path): no such file or folder; pass an HLS output folder or its master playlist")
        }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard isDirectory.boolValue else { return url }
        let master = url.appendingPathComponent("master.m3u8")
        guard FileManager.default.fileExists(atPath: master.path) else {
            throw CheckError("\(path) has no master.m3u8; pass the master playlist's path if it has another name")
        }
        return master
    }

    private static func readMaster(_ url: URL) throws(CheckError) -> MasterPlaylist {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CheckError("\(url.path) cannot be read; check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8), let master = MasterPlaylist(text: text) else {
            throw CheckError("\(url.path) is not an HLS playlist (no #EXTM3U line)")
        }
        if master.variants.isEmpty, text.contains("#EXTINF") {
            throw CheckError("\(url.path) is a media playlist; pass the multivariant (master) playlist or its folder")
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
