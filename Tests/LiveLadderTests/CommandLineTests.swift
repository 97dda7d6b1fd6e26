import Foundation
import XCTest

/// The command line as an ffmpeg user types it: short forms, one-line errors that name the real mistake,
/// durations that must be numbers, and `--version`.
final class CommandLineTests: XCTestCase {
    private func assertOneLineError(_ result: ProcessResult, code: Int32, mentioning needles: [String],
                                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, code, result.stderr, file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "one line: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix("liveladder: error: "), result.stderr, file: file, line: line)
        for needle in needles {
            XCTAssertTrue(result.stderr.contains(needle), "\(needle) not in: \(result.stderr)", file: file, line: line)
        }
    }

    func testShortFormsOfInputOutputAndOverwrite() throws {
        let out = try temporaryFolder(self)
        let first = try liveladder("run", "-i", Repo.fixture("noaudio-480x270.mp4"), "-o", out)
        XCTAssertEqual(first.status, 0, first.stderr)
        let again = try liveladder("run", "-i", Repo.fixture("noaudio-480x270.mp4"), "-o", out, "-y")
        XCTAssertEqual(again.status, 0, again.stderr)
        try assertChecks(out)
    }

    func testUnknownOptionIsNamedWithTheClosestRealOne() throws {
        assertOneLineError(try liveladder("run", "-i", "x.mp4", "--outptu", "y"), code: 64,
                           mentioning: ["unknown option --outptu", "did you mean --output?"])
        // The unknown option is named even when a required one is missing too.
        assertOneLineError(try liveladder("run", "-x", "x.mp4"), code: 64, mentioning: ["unknown option -x"])
    }

    func testArgumentParserErrorsAreOneLine() throws {
        assertOneLineError(try liveladder("run", "--input", "x.mp4"), code: 64, mentioning: ["--output", "liveladder run --help"])
        assertOneLineError(try liveladder("frobnicate"), code: 64, mentioning: ["frobnicate"])
        assertOneLineError(try liveladder("check"), code: 64, mentioning: ["<path>"])
    }

    func testDurationsMustBeFiniteAndInRange() throws {
        let out = try temporaryFolder(self)
        for (flag, value) in [("--reconnect-window", "nan"), ("--stall-timeout", "nan"), ("--stall-timeout", "-2"),
                              ("--reconnect-window", "-1"), ("--input-timeout", "inf"), ("--input-timeout", "0"),
                              ("--segment-duration", "nan")] {
            let result = try liveladder("run", "-i", Repo.fixture("noaudio-480x270.mp4"), "-o", out, flag, value)
            assertOneLineError(result, code: 3, mentioning: [flag])
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(flag) \(value): nothing written")
        }
    }

    func testVersionNamesFFmpegAndX264() throws {
        let result = try liveladder("--version")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
        let line = result.stdout.trimmingCharacters(in: .newlines)
        XCTAssertTrue(line.hasPrefix("liveladder "), line)
        let ffmpeg = try runProcess("/usr/bin/ffmpeg", ["-hide_banner", "-version"])
        // `ffmpeg version 5.1.6-0+deb12u1 Copyright …`: the same library version as ours.
        let version = ffmpeg.stdout.split(separator: " ").dropFirst(2).first.map(String.init) ?? "?"
        XCTAssertTrue(line.contains("FFmpeg \(version)"), "\(line) vs \(version)")
        XCTAssertNotNil(line.range(of: #"x264 core \d+"#, options: .regularExpression), line)
    }
}
