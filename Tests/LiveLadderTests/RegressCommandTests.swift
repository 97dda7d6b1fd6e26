import Foundation
import XCTest

/// `liveladder regress` and `run --deterministic` through the real binary: the example suite, each kind
/// of regression a suite must catch, the changes it must let through, JUnit output and bad suite files.
final class RegressCommandTests: XCTestCase {
    /// A copy of fixtures/ (1.6 MB) in a temporary folder, so goldens can be rewritten and suites edited.
    private func fixturesCopy() throws -> String {
        let folder = try temporaryFolder(self, "fixtures")
        try FileManager.default.copyItem(atPath: Repo.root.appendingPathComponent("fixtures").path, toPath: folder)
        return folder
    }

    /// A one-case suite over the cfr30 fixture, its golden made by `--update`; `ladder` is inline YAML.
    private func oneCaseSuite(ladder: String = RegressCommandTests.twoRungs, extra: String = "") throws -> (suite: String, folder: String) {
        let folder = try temporaryFolder(self, "suite")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let suite = folder + "/suite.yaml"
        try write(suite, Self.suiteText(ladder: ladder, extra: extra))
        let made = try liveladder("regress", suite, "--update")
        XCTAssertEqual(made.status, 0, made.stdout + made.stderr)
        XCTAssertTrue(made.stdout.contains("UPDATED one"), made.stdout)
        return (suite, folder)
    }

    static let twoRungs = """
          renditions:
            - { name: 360p, width: 640, height: 360, videoBitrate: 800k }
            - { name: 240p, width: 426, height: 240, videoBitrate: 400k }
    """

    static func suiteText(ladder: String, extra: String = "", duration: String = "2") -> String {
        """
        cases:
          - name: one
            source: \(Repo.fixture("cfr30-640x360.mp4"))
            segmentFormat: ts
            options: { segmentDuration: \(duration) }
            ladder:
        \(ladder)
        \(extra)
        """
    }

    private func write(_ path: String, _ text: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    // MARK: The example suite

    func testExampleSuitePassesTwiceWithByteIdenticalOutputsAndSummaries() throws {
        let fixtures = try fixturesCopy()
        let suite = fixtures + "/regress/suite.yaml"
        var kept: [String] = []
        for _ in 0..<2 {
            let result = try liveladder("regress", suite, "--keep")
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
            XCTAssertEqual(result.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("PASS  ") }.count, 6, result.stdout)
            XCTAssertFalse(result.stdout.contains("note:"), "the goldens were made with these tools: \(result.stdout)")
            let workspace = try XCTUnwrap(result.stdout.components(separatedBy: "outputs kept in ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
            addTeardownBlock { try? FileManager.default.removeItem(atPath: workspace) }
            kept.append(workspace)
        }
        // Deterministic: every file of every case's output is the same bytes in both runs.
        let files = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: kept[0])).filter { !$0.hasSuffix("/") }.sorted()
        XCTAssertEqual(files.filter { $0.hasSuffix(".ts") || $0.hasSuffix(".m4s") }.count, 36)
        XCTAssertEqual(files, try FileManager.default.subpathsOfDirectory(atPath: kept[1]).sorted())
        for file in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: kept[0] + "/" + file, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            XCTAssertEqual(FileManager.default.contents(atPath: kept[0] + "/" + file), FileManager.default.contents(atPath: kept[1] + "/" + file),
                           "\(file) differs between two deterministic runs")
        }
        // Two updates write the same goldens, byte for byte: the second finds nothing to change. (Not
        // compared with the committed goldens byte for byte: under tools/asan.sh fresh memory holds ASan's
        // fill pattern, which moves a few bytes of the 854-wide rung; the passes above hold either way.)
        let first = try liveladder("regress", suite, "--update")
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        let written = try goldens(fixtures + "/regress/golden")
        let second = try liveladder("regress", suite, "--update")
        XCTAssertEqual(second.status, 0, second.stdout + second.stderr)
        XCTAssertEqual(second.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("same ") }.count, 6, second.stdout)
        XCTAssertEqual(try goldens(fixtures + "/regress/golden"), written)
    }

    private func goldens(_ folder: String) throws -> [String: Data] {
        var all: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".json") {
            all[name] = FileManager.default.contents(atPath: folder + "/" + name)
        }
        XCTAssertEqual(all.count, 6)
        return all
    }

    // MARK: Regressions caught and named

    func testLowerBitrateFailsBitrateAndQuality() throws {
        let (suite, _) = try oneCaseSuite()
        try write(suite, Self.suiteText(ladder: Self.twoRungs.replacingOccurrences(of: "videoBitrate: 800k", with: "videoBitrate: 480k")))
        let result = try liveladder("regress", suite)
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        let line = try XCTUnwrap(result.stdout.components(separatedBy: "\n").first { $0.hasPrefix("FAIL  one: ") })
        XCTAssertTrue(line.contains("360p/index.m3u8 average bitrate"), line)
        XCTAssertTrue(line.contains("tolerance ±5.0 %"), line)
        XCTAssertTrue(line.contains("360p/index.m3u8 PSNR dropped"), line)
        XCTAssertFalse(line.contains("240p/index.m3u8 average bitrate"), "the untouched rung still passes: \(line)")
    }

    func testSegmentDurationChangeFailsStructure() throws {
        let (suite, _) = try oneCaseSuite()
        try write(suite, Self.suiteText(ladder: Self.twoRungs, duration: "3"))
        let result = try liveladder("regress", suite)
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("360p/index.m3u8 changed: "), result.stdout)
        XCTAssertTrue(result.stdout.contains("segmentCount: 3 → 2"), result.stdout)
    }

    func testUltrafastAtTheSameBitrateFailsQualityAgainstTheGolden() throws {
        let (suite, _) = try oneCaseSuite()
        try write(suite, Self.suiteText(ladder: Self.twoRungs.replacingOccurrences(of: "videoBitrate: 800k }", with: "videoBitrate: 800k, preset: ultrafast }")))
        let result = try liveladder("regress", suite)
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("360p/index.m3u8 PSNR dropped") || result.stdout.contains("360p/index.m3u8 SSIM dropped"), result.stdout)
        // ultrafast drops CABAC and B-frames, so x264 signals Constrained Baseline: the master's CODECS
        // changes and is named too. The segments themselves (count, durations, keyframes) do not.
        XCTAssertTrue(result.stdout.contains("master changed: variants[360p/index.m3u8].codecs: \"avc1.64001e,mp4a.40.2\" → \"avc1.42c01e,mp4a.40.2\""), result.stdout)
        XCTAssertFalse(result.stdout.contains("360p/index.m3u8 changed: "), "the segments' structure is the same: \(result.stdout)")
    }

    func testFloorAboveWhatTheRungReachesFails() throws {
        let (suite, _) = try oneCaseSuite()
        try write(suite, Self.suiteText(ladder: Self.twoRungs, extra: "    renditions:\n      240p: { floors: { minPSNR: 60 } }"))
        let result = try liveladder("regress", suite, "--junit", suite + ".xml")
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("240p/index.m3u8 PSNR "), result.stdout)
        XCTAssertTrue(result.stdout.contains("is below the floor 60"), result.stdout)
        XCTAssertFalse(result.stdout.contains("360p/index.m3u8 PSNR"), "the floor is 240p's only: \(result.stdout)")
        let counts = try junitCounts(suite + ".xml")
        XCTAssertEqual(counts.failures, 1)
        XCTAssertEqual(counts.failed, ["floor: 240p/index.m3u8 psnr"])
    }

    func testRemovedRenditionFailsStructure() throws {
        let (suite, _) = try oneCaseSuite()
        try write(suite, Self.suiteText(ladder: Self.twoRungs.components(separatedBy: "\n").filter { !$0.contains("240p") }.joined(separator: "\n")))
        let result = try liveladder("regress", suite)
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("240p/index.m3u8 is missing (the golden has it)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("master changed: "), result.stdout)
    }

    func testAnotherRunAndAnotherFolderPass() throws {
        let (suite, folder) = try oneCaseSuite()
        // The same suite moved to another folder (its goldens with it), run twice.
        let moved = folder + "-moved"
        try FileManager.default.moveItem(atPath: folder, toPath: moved)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: moved) }
        _ = suite
        for _ in 0..<2 {
            let result = try liveladder("regress", moved + "/suite.yaml", "--junit", moved + "/j.xml")
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
            XCTAssertTrue(result.stdout.hasPrefix("PASS  one ("), result.stdout)
            let counts = try junitCounts(moved + "/j.xml")
            XCTAssertEqual(counts.failures, 0)
            XCTAssertEqual(counts.errors, 0)
            XCTAssertGreaterThanOrEqual(counts.tests, 12)
        }
    }

    func testAnotherFFmpegVersionIsReportedNotFailed() throws {
        let (suite, folder) = try oneCaseSuite()
        let path = folder + "/golden/one.json"
        var golden = try XCTUnwrap(String(contentsOfFile: path, encoding: .utf8))
        let ffmpeg = try XCTUnwrap(golden.components(separatedBy: "\n").first { $0.contains("\"ffmpeg\" : ") })
        golden = golden.replacingOccurrences(of: ffmpeg, with: "    \"ffmpeg\" : \"4.4.2\",")
        try write(path, golden)
        let result = try liveladder("regress", suite)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("  note: the golden was made with other tools (FFmpeg 4.4.2 → "), result.stdout)
        XCTAssertTrue(result.stdout.contains("reported, not failed"), result.stdout)
    }

    func testUpdatePrintsWhatChanged() throws {
        let (suite, folder) = try oneCaseSuite()
        try write(suite, Self.suiteText(ladder: Self.twoRungs.replacingOccurrences(of: "videoBitrate: 400k", with: "videoBitrate: 300k")))
        let result = try liveladder("regress", suite, "--update")
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("UPDATED one"), result.stdout)
        XCTAssertTrue(result.stdout.contains("  renditions[240p/index.m3u8].averageBitrate: "), result.stdout)
        XCTAssertFalse(result.stdout.contains("renditions[360p/index.m3u8].averageBitrate"), result.stdout)
        // The new golden now passes.
        XCTAssertEqual(try liveladder("regress", suite).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/golden/one.json"))
    }

    // MARK: JUnit

    private func junitCounts(_ path: String) throws -> (tests: Int, failures: Int, errors: Int, failed: [String]) {
        let script = """
        import sys, xml.etree.ElementTree as ET
        root = ET.parse(sys.argv[1]).getroot()
        assert root.tag == 'testsuites'
        cases = root.findall('./testsuite/testcase')
        failed = [c.get('name') for c in cases if c.find('failure') is not None]
        errors = [c for c in cases if c.find('error') is not None]
        assert int(root.get('tests')) == len(cases), 'tests attribute'
        assert int(root.get('failures')) == len(failed), 'failures attribute'
        assert int(root.get('errors')) == len(errors), 'errors attribute'
        for suite in root.findall('testsuite'):
            assert int(suite.get('tests')) == len(suite.findall('testcase'))
        print(len(cases)); print(len(failed)); print(len(errors)); print('\\n'.join(failed))
        """
        let result = try runProcess("/usr/bin/python3", ["-c", script, path])
        XCTAssertEqual(result.status, 0, "JUnit XML is not well formed or miscounts: \(result.stderr)")
        let lines = result.stdout.components(separatedBy: "\n")
        guard lines.count >= 3 else { return (0, 0, 0, []) }
        return (Int(lines[0]) ?? -1, Int(lines[1]) ?? -1, Int(lines[2]) ?? -1, lines.dropFirst(3).filter { !$0.isEmpty })
    }

    func testJUnitCountsACaseThatCouldNotRunAsAnError() throws {
        let folder = try temporaryFolder(self, "suite")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // A real file that is no media: the suite is valid, the run is not.
        try write(folder + "/not-media.mp4", "hello")
        try write(folder + "/suite.yaml", "cases:\n  - { name: broken, source: not-media.mp4 }\n")
        let update = try liveladder("regress", folder + "/suite.yaml", "--update", "--junit", folder + "/j.xml")
        XCTAssertEqual(update.status, 2, update.stdout + update.stderr)
        XCTAssertTrue(update.stdout.contains("ERROR broken: the run failed (exit 4)"), update.stdout)
        let counts = try junitCounts(folder + "/j.xml")
        XCTAssertEqual(counts.errors, 1)
        XCTAssertEqual(counts.tests, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/golden/broken.json"), "no golden from a failed run")
    }

    // MARK: Bad suite files: one line, exit 2

    private func assertRefused(_ suiteText: String, mentions expected: String, golden: String? = nil,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = try temporaryFolder(self, "suite")
        try FileManager.default.createDirectory(atPath: folder + "/golden", withIntermediateDirectories: true)
        try write(folder + "/suite.yaml", suiteText)
        if let golden { try write(folder + "/golden/one.json", golden) }
        let result = try liveladder("regress", folder + "/suite.yaml")
        XCTAssertEqual(result.status, 2, result.stdout + result.stderr, file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix("liveladder: error: "), result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains(expected), "\(result.stderr) should mention \(expected)", file: file, line: line)
    }

    func testBadSuiteFilesGiveOneLineAndExit2() throws {
        let source = Repo.fixture("cfr30-640x360.mp4")
        try assertRefused("cases:\n  - { name: one, source: \(source), floors: { minPNSR: 30 } }\n",
                          mentions: "cases[0] (one).floors.minPNSR: unknown key (allowed: minPSNR, minSSIM, minVMAF)")
        try assertRefused("case:\n  - { name: one, source: \(source) }\n", mentions: "suite.yaml: case: unknown key (allowed: goldens, defaults, cases)")
        try assertRefused("cases:\n  - { name: one, source: no-such.mp4 }\n", mentions: "no-such.mp4\": no such fixture file")
        try assertRefused("cases:\n  - { name: one, source: \(source), tolerance: { averageBitrate: 5 } }\n",
                          mentions: "\"5\" is not a percentage (write it like 5%")
        try assertRefused("cases:\n  - { name: one, source: \(source) }\n  - { name: one, source: \(source) }\n",
                          mentions: "\"one\" is used by another case")
        try assertRefused("cases:\n  - { name: ../one, source: \(source) }\n", mentions: "is not a case name")
        try assertRefused("cases:\n  - { name: \"a\\nb\", source: \(source) }\n", mentions: "cases[0].name: \"a\\nb\" is not a case name")
        try assertRefused("goldens:\ncases:\n  - { name: one, source: \(source) }\n", mentions: "goldens: no value given; set one or remove the key")
        try assertRefused("goldens: /tmp\ncases:\n  - { name: one, source: \(source) }\n", mentions: "goldens: \"/tmp\" is not a folder inside the suite's folder")
        try assertRefused("goldens: ../elsewhere\ncases:\n  - { name: one, source: \(source) }\n", mentions: "is not a folder inside the suite's folder")
        try assertRefused("cases:\n  - { name: one, source: \(source), ladder: { renditions: [ { name: a, width: 0, height: 10, videoBitrate: 1k } ] } }\n",
                          mentions: "cases[0].ladder: renditions[0].width: 0 is out of range")
        try assertRefused("cases:\n  - { name: one, source: \(source) }\n", mentions: "no golden for case one; run liveladder regress")
        try assertRefused("cases:\n  - { name: one, source: \(source) }\n", mentions: "one.json: the golden does not parse (not JSON)", golden: "{ nope")
        try assertRefused("cases:\n  - { name: one, source: \(source) }\n", mentions: "the golden does not parse (master is missing)",
                          golden: "{\"format\": 1, \"tools\": {\"liveladder\": \"x\", \"ffmpeg\": \"y\"}, \"renditions\": []}")
    }

    func testAGoldenThatIsAFIFOIsRefusedAtOnce() throws {
        let folder = try temporaryFolder(self, "suite")
        try FileManager.default.createDirectory(atPath: folder + "/golden", withIntermediateDirectories: true)
        try write(folder + "/suite.yaml", "cases:\n  - { name: one, source: \(Repo.fixture("cfr30-640x360.mp4")) }\n")
        XCTAssertEqual(mkfifo(folder + "/golden/one.json", 0o600), 0)
        let result = try liveladder("regress", folder + "/suite.yaml")
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("one.json: is a FIFO, not a golden; give the path of a JSON file written by regress --update"), result.stderr)
    }

    func testOnlyRunsOneCaseAndRefusesAnUnknownOne() throws {
        let (suite, _) = try oneCaseSuite()
        let result = try liveladder("regress", suite, "--only", "two")
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("no case \"two\" (the suite has one)"), result.stderr)
        XCTAssertEqual(try liveladder("regress", suite, "--only", "one").status, 0)
        let missing = try liveladder("regress", suite, "--only")
        XCTAssertEqual(missing.status, 64)
        XCTAssertTrue(missing.stderr.hasSuffix("(see liveladder regress --help)\n"), missing.stderr)
    }

    func testInterruptStopsTheSuiteExit2AndLeavesNoWorkspace() throws {
        let temporary = try temporaryFolder(self, "tmp")
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Repo.executable)
        process.arguments = ["regress", Repo.root.appendingPathComponent("fixtures/regress/suite.yaml").path, "--junit", temporary + "/../j.xml"]
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = temporary
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Into the first case or two (the suite takes several seconds), then SIGINT.
        Thread.sleep(forTimeInterval: 1.0)
        process.interrupt()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 2, text)
        XCTAssertTrue(text.contains("interrupted"), text)
        XCTAssertTrue(text.contains("regress: 6 cases, "), text)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary), [], "the workspace is removed")
        XCTAssertEqual(try junitCounts(temporary + "/../j.xml").errors, text.components(separatedBy: "\n").filter { $0.hasPrefix("ERROR ") }.count)
    }

    // MARK: summarize

    func testSummarizeCommandTableJSONAndErrors() throws {
        let output = try temporaryFolder(self)
        XCTAssertEqual(try liveladder("run", "--deterministic", "--input", Repo.fixture("noaudio-480x270.mp4"), "--output", output).status, 0)
        let table = try liveladder("summarize", output, "--source", Repo.fixture("noaudio-480x270.mp4"))
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("quality against the source (mean / harmonic mean / 5th percentile):"), table.stdout)
        XCTAssertTrue(table.stdout.contains("240p/index.m3u8 segments (ticks: video 1/90000 s):"), table.stdout)
        let json = try liveladder("summarize", output + "/master.m3u8", "--json")
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["format", "tools", "master", "renditions"])
        XCTAssertEqual((object["renditions"] as? [[String: Any]])?.first?["segmentCount"] as? Int, 3)
        let missing = try liveladder("summarize", output + "/nope")
        XCTAssertEqual(missing.status, 4)
        XCTAssertEqual(missing.stderr, "liveladder: error: \(output)/nope: no such file or folder; pass an HLS output folder or its master playlist\n")
        XCTAssertEqual(missing.stdout, "")
    }

    // MARK: run --deterministic

    func testDeterministicRefusesRealtime() throws {
        let output = try temporaryFolder(self)
        let result = try liveladder("run", "--deterministic", "--realtime", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", output)
        XCTAssertEqual(result.status, 3)
        XCTAssertTrue(result.stderr.contains("--deterministic: cannot be combined with --realtime"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    func testDeterministicEventRunHasAFixedProgramDateTime() throws {
        let output = try temporaryFolder(self)
        let result = try liveladder("run", "--deterministic", "--playlist-type", "event", "--segment-format", "fmp4",
                                    "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", output)
        XCTAssertEqual(result.status, 0, result.stderr)
        let playlist = try String(contentsOfFile: output + "/360p/index.m3u8", encoding: .utf8)
        let dates = playlist.components(separatedBy: "\n").filter { $0.hasPrefix("#EXT-X-PROGRAM-DATE-TIME:") }
        XCTAssertEqual(dates, ["#EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:00.000Z", "#EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:02.000Z",
                               "#EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:04.000Z"])
    }
}
