@testable import HLSChecker
import Foundation
import XCTest

/// `OutputFolder` resolves playlist URIs to files inside the folder only, and reads only bounded regular files.
final class OutputFolderTests: XCTestCase {
    private var root = ""
    private var folder: OutputFolder!

    override func setUpWithError() throws {
        let directory = scratchDirectory("folder")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("v0"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: directory.appendingPathComponent("v0/seg 1.ts"))
        try Data("y".utf8).write(to: directory.appendingPathComponent("top.ts"))
        folder = try XCTUnwrap(OutputFolder(directory: directory.path))
        root = folder.root
    }

    func testRelativePathsInsideResolve() {
        let v0 = root + "/v0"
        XCTAssertEqual(folder.resolve("seg%201.ts", from: v0), .file(v0 + "/seg 1.ts"))
        XCTAssertEqual(folder.resolve("./seg%201.ts", from: v0), .file(v0 + "/seg 1.ts"))
        XCTAssertEqual(folder.resolve("../top.ts", from: v0), .file(root + "/top.ts"))
        XCTAssertEqual(folder.resolve("v0/../top.ts", from: root), .file(root + "/top.ts"))
        // Missing, but inside: `read` reports it missing.
        XCTAssertEqual(folder.resolve("seg9.ts", from: v0), .file(v0 + "/seg9.ts"))
        guard case .missing = folder.read(v0 + "/seg9.ts", limit: 10) else { return XCTFail("not missing") }
    }

    func testEverythingElseIsRefused() {
        let v0 = root + "/v0"
        let cases: [(String, String)] = [
            ("../../etc/passwd", "climbs out of the output folder"),
            ("../..", "climbs out of the output folder"),
            ("/etc/passwd", "is an absolute path"),
            ("/dev/stdin", "is an absolute path"),
            ("file:///etc/passwd", "names a URL scheme"),
            ("http://example.com/seg.ts", "names a URL scheme"),
            ("c:seg.ts", "names a URL scheme"),
            ("%2e%2e/%2e%2e/etc/passwd", "percent-encodes a dot segment"),
            ("..%2f..%2fetc%2fpasswd", "percent-encodes a separator"),
            ("..%2F..%2Fetc%2Fpasswd", "percent-encodes a separator"),
            ("..%5c..%5cetc", "percent-encodes a separator"),
            ("seg.ts%00.m3u8", "percent-encodes a separator or NUL"),
            ("..\\..\\etc\\passwd", "has a backslash"),
            ("seg.ts\u{0}", "has a NUL or control character"),
            ("seg%zz.ts", "has malformed percent-encoding"),
            ("seg.ts?token=1", "has a query or fragment"),
            ("a//b.ts", "has an empty path segment"),
            ("", "is empty"),
        ]
        for (uri, reason) in cases {
            guard case .refused(let message) = folder.resolve(uri, from: v0) else {
                XCTFail("followed \(uri)")
                continue
            }
            XCTAssertTrue(message.hasPrefix(reason), "\(uri): \(message)")
        }
    }

    func testSymbolicLinksOutOfTheFolderAreRefusedAndInsideOnesFollowed() throws {
        let outside = scratchDirectory("outside")
        try Data("secret".utf8).write(to: outside.appendingPathComponent("secret.ts"))
        let manager = FileManager.default
        try manager.createSymbolicLink(atPath: root + "/v0/out.ts", withDestinationPath: outside.path + "/secret.ts")
        try manager.createSymbolicLink(atPath: root + "/v1", withDestinationPath: outside.path)
        try manager.createSymbolicLink(atPath: root + "/v0/in.ts", withDestinationPath: "../top.ts")
        try manager.createSymbolicLink(atPath: root + "/v0/tty.ts", withDestinationPath: "/dev/tty")
        for uri in ["out.ts", "../v1/secret.ts", "tty.ts"] {
            XCTAssertEqual(folder.resolve(uri, from: root + "/v0"),
                           .refused("leads outside the output folder through a symbolic link"), uri)
        }
        XCTAssertEqual(folder.resolve("in.ts", from: root + "/v0"), .file(root + "/top.ts"))
        // `read` checks again, whoever calls it.
        guard case .refused = folder.read(root + "/v0/out.ts", limit: 100) else { return XCTFail("read through a link") }
        guard case .refused = folder.read(outside.path + "/secret.ts", limit: 100) else { return XCTFail("read outside") }
    }

    func testReadsOnlyBoundedRegularFiles() throws {
        guard case .bytes(let bytes) = folder.read(root + "/top.ts", limit: 1) else { return XCTFail("not read") }
        XCTAssertEqual(bytes, Array("y".utf8))
        guard case .refused(let big) = folder.read(root + "/top.ts", limit: 0) else { return XCTFail("over the limit") }
        XCTAssertTrue(big.hasPrefix("holds 1 bytes, more than"), big)
        guard case .refused(let directory) = folder.read(root + "/v0", limit: 100) else { return XCTFail("read a folder") }
        XCTAssertTrue(directory.hasPrefix("is not a regular file"), directory)
        // A FIFO would block a plain open forever; it is refused without being opened.
        XCTAssertEqual(mkfifo(root + "/v0/fifo.ts", 0o600), 0)
        guard case .refused(let fifo) = folder.read(root + "/v0/fifo.ts", limit: 100) else { return XCTFail("read a FIFO") }
        XCTAssertTrue(fifo.hasPrefix("is not a regular file"), fifo)
    }

    // Found by tools/fuzz-parser: Swift's String comparisons are by Unicode canonical equivalence and
    // grapheme clusters, file names are bytes.

    func testAFileNameStartingWithACombiningMarkIsInside() throws {
        // "/" followed by U+05BA is one Character, so a Character-wise prefix test said "outside".
        let name = "\u{5BA}x.ts"
        XCTAssertEqual(mkdir(root + "/v0/" + name, 0o700), 0)
        XCTAssertTrue(folder.contains(root + "/" + name))
        XCTAssertEqual(folder.resolve(name, from: root + "/v0"), .file(root + "/v0/" + name))
    }

    func testACanonicallyEquivalentSiblingFolderIsOutside() throws {
        // "café" precomposed and decomposed are equal Strings but two folders: the sibling is outside.
        let parent = scratchDirectory("unicode").path
        let inside = parent + "/caf\u{E9}", sibling = parent + "/cafe\u{301}"
        XCTAssertEqual(mkdir(inside, 0o700), 0)
        XCTAssertEqual(mkdir(sibling, 0o700), 0)
        try Data("secret".utf8).write(to: URL(fileURLWithPath: sibling + "/secret.ts"))
        try FileManager.default.createSymbolicLink(atPath: inside + "/link.ts", withDestinationPath: sibling + "/secret.ts")
        let folder = try XCTUnwrap(OutputFolder(directory: inside))
        XCTAssertFalse(folder.contains(sibling + "/secret.ts"))
        XCTAssertEqual(folder.resolve("link.ts", from: folder.root),
                       .refused("leads outside the output folder through a symbolic link"))
        guard case .refused = folder.read(sibling + "/secret.ts", limit: 100) else { return XCTFail("read the sibling") }
    }

    func testPercentEncodingThatIsNotUTF8IsRefused() {
        guard case .refused(let message) = folder.resolve("seg%FF.ts", from: root) else { return XCTFail("followed") }
        XCTAssertTrue(message.hasPrefix("has malformed percent-encoding"), message)
    }
}
