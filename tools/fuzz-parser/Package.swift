// swift-tools-version:5.4
import PackageDescription

// A libFuzzer target for the playlist parser (HLSModel) and check's byte-level readers. Separate from the
// main package so its sanitizer build never slows `swift build`/`swift test` there; the sources are the
// main package's own, through symbolic links (Sources/HLSModel and the other module folders,
// Sources/FuzzPlaylists/*.swift), so there
// is nothing to resolve or fetch. See README.md.
//
// Tools version 5.4 on purpose: from 5.5 SwiftPM renames an executable's entry point to `<module>_main`
// and links `main` to it, which `-parse-as-library` (libFuzzer brings its own `main`) leaves undefined.
// The sources still compile in Swift 6 mode: the build passes `-swift-version 6`.
let package = Package(
    name: "FuzzParser",
    targets: [
        .target(name: "HLSModel"),
        .executableTarget(name: "FuzzPlaylists", dependencies: ["HLSModel"]),
        // The whole of `check` on a small ladder (ladder/) with one file replaced by the input.
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat libavcodec libswscale libswresample libavutil"),
        .target(name: "FFmpegKit", dependencies: ["CFFmpeg"]),
        .target(name: "HLSChecker", dependencies: ["FFmpegKit", "HLSModel"]),
        .executableTarget(name: "FuzzCheck", dependencies: ["HLSChecker", "FFmpegKit"]),
    ]
)
