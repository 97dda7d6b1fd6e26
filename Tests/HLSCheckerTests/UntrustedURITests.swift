import Foundation
import HLSChecker
import XCTest

/// URI1: `check` opens nothing outside the output folder, whatever the playlists name, and never prints what
/// such a file holds. Each case used to open the file and put its first line in the report.
final class UntrustedURITests: XCTestCase {
    private static let secret = "SECRET-FIRST-LINE-4711"

    /// A TS ladder and, beside it, a folder with a file whose first line must never reach a report.
    private func ladderAndSecret() throws -> (ladder: URL, secret: URL) {
        let ladder = try ladderCopy(.transportStream)
        let outside = scratchDirectory("outside")
        let secret = outside.appendingPathComponent("secret.m3u8")
        try "\(Self.secret)\nmore\n".write(to: secret, atomically: true, encoding: .utf8)
        return (ladder, secret)
    }

    private func assertNoSecret(_ report: CheckReport, file: StaticString = #filePath, line: UInt = #line) {
        let leaked = report.failures.filter { $0.description.contains(Self.secret) }
        XCTAssertTrue(leaked.isEmpty, "the report shows the outside file: \(leaked)", file: file, line: line)
    }

    private func assertURI1(_ report: CheckReport, at location: String, _ reason: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        let found = report.failures.contains { $0.rule == "URI1" && $0.location.hasPrefix(location) && $0.message.contains(reason) }
        XCTAssertTrue(found, "expected URI1 at \(location) (\(reason)), got:\n" + report.failures.map(\.description).joined(separator: "\n"),
                      file: file, line: line)
        assertNoSecret(report, file: file, line: line)
    }

    func testVariantURIsOutsideTheFolderAreRefused() throws {
        let (ladder, secret) = try ladderAndSecret()
        let relative = "../" + secret.deletingLastPathComponent().lastPathComponent + "/secret.m3u8"
        let variants: [(String, String)] = [
            (secret.path, "is an absolute path"),
            ("file://" + secret.path, "names a URL scheme"),
            (relative, "climbs out of the output folder"),
            (relative.replacingOccurrences(of: "../", with: "%2e%2e%2f"), "percent-encodes a separator"),
            (relative.replacingOccurrences(of: "/", with: "\\"), "has a backslash"),
        ]
        for (uri, reason) in variants {
            try ladder.editText("master.m3u8") { text in
                text.replacingOccurrences(of: #"(?m)^.*v1/index\.m3u8$"#, with: NSRegularExpression.escapedTemplate(for: uri),
                                         options: .regularExpression)
            }
            assertURI1(try check(ladder), at: uri, reason)
            try LadderFixture.writeMaster(.transportStream, in: ladder)
        }
    }

    func testSegmentURIsOutsideTheFolderAreRefused() throws {
        let (_, secret) = try ladderAndSecret()
        let relative = "../../" + secret.deletingLastPathComponent().lastPathComponent + "/secret.m3u8"
        for (uri, reason) in [(relative, "climbs out of the output folder"), ("/dev/stdin", "is an absolute path"),
                              ("/dev/tty", "is an absolute path"), ("file:///etc/passwd", "names a URL scheme")] {
            let ladder = try ladderCopy(.transportStream)
            try ladder.replaceFirst("v0/index.m3u8", "seg1.ts", with: uri)
            assertURI1(try check(ladder), at: "v0/index.m3u8 #1", reason)
        }
    }

    func testSymbolicLinksLeadingOutAreRefused() throws {
        let (ladder, secret) = try ladderAndSecret()
        let manager = FileManager.default
        // A segment file that is a link to a file outside, and one to a device.
        try manager.removeItem(at: ladder.appendingPathComponent("v0/seg1.ts"))
        try manager.createSymbolicLink(at: ladder.appendingPathComponent("v0/seg1.ts"), withDestinationURL: secret)
        try manager.removeItem(at: ladder.appendingPathComponent("v0/seg2.ts"))
        try manager.createSymbolicLink(atPath: ladder.appendingPathComponent("v0/seg2.ts").path, withDestinationPath: "/dev/zero")
        // A rendition folder that is a link to a folder outside (whose playlist is the secret).
        let outsideRendition = secret.deletingLastPathComponent().appendingPathComponent("v1")
        try manager.moveItem(at: ladder.appendingPathComponent("v1"), to: outsideRendition)
        try "\(Self.secret)\n".write(to: outsideRendition.appendingPathComponent("index.m3u8"), atomically: true, encoding: .utf8)
        try manager.createSymbolicLink(at: ladder.appendingPathComponent("v1"), withDestinationURL: outsideRendition)

        let report = try check(ladder)
        assertURI1(report, at: "v0/index.m3u8 #1 (seg1.ts)", "leads outside the output folder through a symbolic link")
        assertURI1(report, at: "v0/index.m3u8 #2 (seg2.ts)", "leads outside the output folder through a symbolic link")
        assertURI1(report, at: "v1/index.m3u8", "leads outside the output folder through a symbolic link")
    }

    func testAFIFOAndAnOversizedSegmentAreNotRead() throws {
        let ladder = try ladderCopy(.transportStream)
        let fifo = ladder.appendingPathComponent("v0/seg1.ts")
        try FileManager.default.removeItem(at: fifo)
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        // Sparse: 300 MiB on paper, nothing on disk.
        let big = ladder.appendingPathComponent("v1/seg2.ts")
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: 300 << 20)
        try handle.close()
        let report = try check(ladder)
        assertURI1(report, at: "v0/index.m3u8 #1 (seg1.ts)", "is not a regular file")
        assertURI1(report, at: "v1/index.m3u8 #2 (seg2.ts)", "more than the 256 MiB")
    }

    func testInitSegmentOutsideTheFolderIsRefused() throws {
        let ladder = try ladderCopy(.fragmentedMP4)
        try ladder.editText("v0/index.m3u8") {
            $0.replacingOccurrences(of: #"URI="init_0.mp4""#, with: #"URI="../../../../../../../etc/passwd""#)
        }
        assertURI1(try check(ladder), at: "v0/index.m3u8", "EXT-X-MAP URI")
    }

    func testAControlCharacterInAURIIsEscapedInTheReport() throws {
        let ladder = try ladderCopy(.transportStream)
        try ladder.replaceFirst("v0/index.m3u8", "seg1.ts", with: "seg1.ts\u{1B}[2J")
        let report = try check(ladder)
        assertURI1(report, at: "v0/index.m3u8 #1 (seg1.ts\\u{1b}[2J)", "has a NUL or control character")
        XCTAssertFalse(report.failures.contains { $0.description.contains("\u{1B}") })
    }

    func testPathsThatStayInsideAreStillFollowed() throws {
        let ladder = try ladderCopy(.transportStream)
        try ladder.replaceFirst("v1/index.m3u8", "seg0.ts", with: "../v1/./seg0.ts")
        try FileManager.default.createSymbolicLink(atPath: ladder.appendingPathComponent("v0/link.ts").path,
                                                   withDestinationPath: "seg1.ts")
        try ladder.replaceFirst("v0/index.m3u8", "seg1.ts", with: "link.ts")
        assertPasses(try check(ladder))
    }
}
