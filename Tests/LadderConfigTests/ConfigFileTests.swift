import Foundation
import XCTest
@testable import LadderConfig

final class ConfigFileTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("ConfigFileTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: folder)
    }

    func testReadsUTF8Text() throws {
        let path = folder.appendingPathComponent("ladder.yaml").path
        try Data("segmentFormat: fmp4 # é\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try ConfigFile.text(atPath: path), "segmentFormat: fmp4 # é\n")
    }

    func testReadsFilesLargerThanOneChunk() throws {
        let path = folder.appendingPathComponent("big.yaml").path
        let text = String(repeating: "# padding line\n", count: 20_000)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try ConfigFile.text(atPath: path), text)
    }

    func testMissingFileGivesPathAndOSReason() {
        let path = folder.appendingPathComponent("missing.yaml").path
        assertConfigError("\(path): cannot read the file (No such file or directory)") { () throws(ConfigError) in
            try ConfigFile.text(atPath: path)
        }
    }

    func testDirectoryGivesPathAndOSReason() {
        assertConfigError("\(folder.path): cannot read the file (Is a directory)") { () throws(ConfigError) in
            try ConfigFile.text(atPath: folder.path)
        }
    }

    func testRefusesTextThatIsNotUTF8() throws {
        let path = folder.appendingPathComponent("latin1.yaml").path
        try Data([0x61, 0x3A, 0x20, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: path))
        assertConfigError("\(path): is not UTF-8 text") { () throws(ConfigError) in
            try ConfigFile.text(atPath: path)
        }
    }
}
