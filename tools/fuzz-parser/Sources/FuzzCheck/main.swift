import FFmpegKit
import Foundation
import HLSChecker

/// libFuzzer entry point for a whole `check`: the input replaces one file of a small ladder (`ladder/`:
/// a TS video rendition and an fMP4 audio rendition), chosen by its first byte, and `HLSCheck.run` reads
/// the ladder. Any trap, overflow or AddressSanitizer report in the rules, the probes or the readers is a
/// bug; failures in the report are what hostile files should give.
///
/// Built with `-parse-as-library`, so this file holds no top-level code and libFuzzer provides `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheck(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard count > 0, let start else { return 0 }
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let name = Ladder.replaceable[Int(bytes[0]) % Ladder.replaceable.count]
    let target = Ladder.work.appendingPathComponent(name)
    try? Data(bytes.dropFirst()).write(to: target)
    defer { try? Data(contentsOf: Ladder.template.appendingPathComponent(name)).write(to: target) }
    _ = try? HLSCheck.run(path: Ladder.work.path)
    return 0
}

private enum Ladder {
    /// The files an input may replace; seed `n` of `corpus-check/` is byte `n` and that file as it is.
    static let replaceable = [
        "master.m3u8", "v0/index.m3u8", "v0/seg0.ts", "v0/seg1.ts", "a/index.m3u8", "a/init.mp4", "a/seg1.m4s",
    ]

    static let template = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ladder")

    /// A copy of the template, made once; each input's file is put back after the run.
    static let work: URL = {
        FFmpegLog.configure(echo: nil)  // damaged input is the point: libav's complaints are noise
        let url = URL(fileURLWithPath: "/tmp/liveladder-fuzz-check")
        try? FileManager.default.removeItem(at: url)
        do {
            try FileManager.default.copyItem(at: template, to: url)
        } catch {
            fatalError("cannot copy \(template.path) to \(url.path): \(error)")
        }
        return url
    }()
}
