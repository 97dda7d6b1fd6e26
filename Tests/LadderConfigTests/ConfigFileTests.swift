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

    func testDirectoryIsRefusedBeforeAnyRead() {
        assertConfigError("\(folder.path): is a folder, not a config file; give the path of a YAML file") { () throws(ConfigError) in
            try ConfigFile.text(atPath: folder.path)
        }
    }

    /// A FIFO with no writer would block `open` and `read` forever: refused at once instead.
    func testFIFOWithNoWriterIsRefusedWithoutBlocking() throws {
        let path = folder.appendingPathComponent("fifo.yaml").path
        XCTAssertEqual(mkfifo(path, 0o600), 0)
        assertConfigError("\(path): is a FIFO, not a config file; give the path of a YAML file") { () throws(ConfigError) in
            try ConfigFile.text(atPath: path)
        }
    }

    /// `/dev/zero` never ends: refused as a device rather than read until memory runs out.
    func testDeviceIsRefused() {
        assertConfigError("/dev/zero: is a device, not a config file; give the path of a YAML file") { () throws(ConfigError) in
            try ConfigFile.text(atPath: "/dev/zero")
        }
    }

    func testFileOverTheSizeLimitIsRefused() throws {
        let path = folder.appendingPathComponent("huge.yaml").path
        try Data(repeating: UInt8(ascii: "#"), count: ConfigFile.maximumSize + 1).write(to: URL(fileURLWithPath: path))
        assertConfigError("\(path): is \(ConfigFile.maximumSize + 1) bytes; a ladder config is at most \(ConfigFile.maximumSize) bytes (1 MiB)") { () throws(ConfigError) in
            try ConfigFile.text(atPath: path)
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
