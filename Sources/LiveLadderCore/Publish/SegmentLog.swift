import Foundation

/// `--segment-log FILE`: one JSON line per published segment, for monitoring and for measuring
/// segment-ready latency (tools/live-latency.sh): when the segment's last input frame arrived, and when
/// the playlist listing it was written.
///
/// `@unchecked Sendable`: the file handle is only used while holding `lock`.
final class SegmentLog: @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) , let handle = FileHandle(forWritingAtPath: path) else {
            throw LiveLadderError(.badOutput, "cannot write the segment log \(path)")
        }
        self.handle = handle
    }

    func record(rendition: String, segment: CompletedSegment, bytes: Int, publishedAt: Date) {
        var fields: [String] = [
            "\"rendition\":\"\(rendition)\"", "\"number\":\(segment.number)",
            "\"duration\":\(String(format: "%.6f", segment.duration))", "\"bytes\":\(bytes)",
            "\"discontinuity\":\(segment.discontinuity)",
            "\"publishedAt\":\(String(format: "%.6f", publishedAt.timeIntervalSince1970))",
        ]
        if let input = segment.inputCompletedAt {
            fields.append("\"inputCompletedAt\":\(String(format: "%.6f", input.timeIntervalSince1970))")
            fields.append("\"latency\":\(String(format: "%.6f", publishedAt.timeIntervalSince(input)))")
        }
        let line = "{" + fields.joined(separator: ",") + "}\n"
        lock.withLock { handle.write(Data(line.utf8)) }
    }

    deinit { try? handle.close() }
}
