// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "LiveLadder",
    // macOS 14: Hummingbird 2 needs it (LiveLadderServer); Linux is what is built and tested.
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "liveladder", targets: ["liveladder"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.11.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // The FFmpeg C libraries, found by pkg-config. Only FFmpegKit imports this module.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libavfilter libswscale libswresample libavutil",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavfilter-dev", "libswscale-dev", "libswresample-dev", "libavutil-dev"])]
        ),
        // The thin wrapper: one Swift owner per FFmpeg object, FFmpeg failures as Swift errors.
        .target(name: "FFmpegKit", dependencies: ["CFFmpeg"]),
        // Playlists as values (render + parse), CODECS strings, bandwidth measurement. Pure Swift.
        .target(name: "HLSModel"),
        // The ladder config file and the default ladder.
        .target(name: "LadderConfig", dependencies: ["HLSModel", .product(name: "Yams", package: "Yams")]),
        // `liveladder check`: reads an output back and checks ../shared/HLS-RULES.md.
        .target(name: "HLSChecker", dependencies: ["FFmpegKit", "HLSModel"]),
        // `liveladder check http://…`: fetches a served stream into a private mirror folder, runs HLSChecker's
        // folder rules on it, and polls it live for the rules that need time, headers and the origin's answers.
        .target(name: "HLSRemoteCheck", dependencies: [
            "HLSChecker", "HLSModel",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // Pipeline, segmenter, publishers.
        .target(name: "LiveLadderCore", dependencies: [
            "FFmpegKit", "HLSModel", "LadderConfig",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Observers of the run's event stream: the events file, the progress line, JSON logs, systemd notify.
        .target(name: "LiveLadderWorker", dependencies: [
            "LiveLadderCore",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The worker interface: /metrics (swift-metrics → swift-prometheus), health, status, events, commands
        // over Hummingbird. Reads only the run's event stream and LiveLadderCore's command protocol.
        .target(name: "LiveLadderServer", dependencies: [
            "LiveLadderCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Fixture regression mode: `summarize` (a canonical summary of any HLS output, quality against the
        // source) and `regress` (a suite of cases run deterministically and compared with goldens).
        .target(name: "Regression", dependencies: [
            "FFmpegKit", "HLSModel", "HLSChecker", "LadderConfig", "LiveLadderCore",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Push to an external origin (`--push`): a publish destination over async-http-client.
        .target(name: "LiveLadderPush", dependencies: [
            "LiveLadderCore", "HLSModel",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "liveladder", dependencies: [
            "LiveLadderCore", "LiveLadderServer", "LiveLadderWorker", "LiveLadderPush", "LadderConfig", "FFmpegKit", "HLSChecker", "HLSRemoteCheck", "Regression",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "HLSModelTests", dependencies: ["HLSModel"]),
        .testTarget(name: "LiveLadderPushTests", dependencies: ["LiveLadderPush", "LiveLadderCore", "HLSModel",
            .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "LadderConfigTests", dependencies: ["LadderConfig"]),
        .testTarget(name: "HLSCheckerTests", dependencies: ["HLSChecker", "HLSModel", "FFmpegKit"]),
        .testTarget(name: "LiveLadderWorkerTests", dependencies: ["LiveLadderWorker", "LiveLadderCore",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .testTarget(name: "LiveLadderServerTests", dependencies: [
            "LiveLadderServer", "LiveLadderCore",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "RegressionTests", dependencies: ["Regression", "FFmpegKit", "HLSModel", "HLSChecker", "LadderConfig", "LiveLadderCore"]),
        .testTarget(name: "LiveLadderTests", dependencies: ["LiveLadderCore", "FFmpegKit", "HLSModel", "LadderConfig", "HLSChecker"]),
        .testTarget(name: "HLSRemoteCheckTests", dependencies: ["HLSRemoteCheck", "HLSChecker", "HLSModel"]),
    ],
    swiftLanguageModes: [.v6]
)
