import Foundation
import HLSModel
import LiveLadderCore
import XCTest

/// `run --backup-base-url` (docs/redundancy.md): the flag's validation, and a real run's master with a
/// backup of every variant.
final class BackupVariantTests: XCTestCase {
    // MARK: The value

    func testAcceptedValuesAreNormalised() throws {
        let cases: [(String, String)] = [
            ("https://b.example/live/", "https://b.example/live"),
            ("HTTP://127.0.0.1:8080/B///", "http://127.0.0.1:8080/B"),
            ("http://[::1]:8080/b", "http://[::1]:8080/b"),
            ("http://b.example", "http://b.example"),
            ("../b/", "../b"),
            ("/live/b", "/live/b"),
            ("b%20c", "b%20c"),
        ]
        for (value, text) in cases {
            XCTAssertEqual(try BackupBaseURL(value).text, text, value)
        }
        XCTAssertEqual(try BackupBaseURL("../b/").uri(of: "720p/index.m3u8"), "../b/720p/index.m3u8")
    }

    /// Every refused value: exit 64, one line naming the flag, and a credential never repeated.
    func testRefusedValuesExit64WithOneLineAndNoCredential() throws {
        let out = try temporaryFolder(self)
        let refused: [(value: String, says: String)] = [
            ("ftp://b.example/live", "is a ftp: URL"),
            ("http://user:s3cret-pw@b.example/live", "carries credentials"),
            ("https://s3cret-pw@b.example/live", "carries credentials"),
            ("http://b.example/live?token=s3cret-pw", "query or fragment"),
            ("http://b.example/live#s3cret-pw", "query or fragment"),
            ("http://b.example/li\nve", "control character"),
            ("", "is empty"),
            ("//b.example/live", "scheme-relative"),
            ("javascript:alert(1)", "names a URL scheme"),
            ("http:///live", "has no host"),
            ("http://b.example:99999/live", "port"),
            ("../b c", "a space"),
            ("./", "own folder"),
            ("b\"c", "the character \""),
            ("http://bé.example/b", "non-ASCII"),
            ("../b//c", "empty path segment"),
            ("%zz/b", "two hexadecimal digits"),
            ("http://" + String(repeating: "b", count: 2000), "at most 1024"),
        ]
        for (value, says) in refused {
            let result = try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", out,
                                        "--backup-base-url", value)
            XCTAssertEqual(result.status, 64, "\(value): \(result.stderr)")
            let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
            XCTAssertEqual(lines.count, 1, "\(value): one line, got \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("liveladder: error: --backup-base-url: "), result.stderr)
            XCTAssertTrue(result.stderr.contains(says), "\(value): \"\(says)\" not in \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("s3cret-pw"), "credential echoed: \(result.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/master.m3u8"))
        }
    }

    // MARK: A run

    /// A VOD run's master: the primaries, then one backup each with identical attributes (fMP4: naming its
    /// own copy of the audio group), and `check` passes on the folder.
    func testRunWritesOneIdenticalBackupPerVariantAndChecks() throws {
        for format in ["ts", "fmp4"] {
            let out = try temporaryFolder(self, "out-\(format)")
            let result = try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", out,
                                        "--segment-format", format, "--backup-base-url", "https://b.example/live/")
            XCTAssertEqual(result.status, 0, result.stderr)
            let master = try MultivariantPlaylist.parse(String(contentsOfFile: out + "/master.m3u8", encoding: .utf8))
            XCTAssertEqual(master.variants.count % 2, 0)
            let half = master.variants.count / 2
            XCTAssertGreaterThan(half, 0)
            for (primary, backup) in zip(master.variants.prefix(half), master.variants.suffix(half)) {
                XCTAssertEqual(backup.uri, "https://b.example/live/" + primary.uri)
                var same = backup
                same.uri = primary.uri
                if format == "fmp4" {
                    XCTAssertEqual(primary.audioGroup, "aac")
                    XCTAssertEqual(backup.audioGroup, "aac-backup")
                    same.audioGroup = primary.audioGroup
                } else {
                    XCTAssertNil(backup.audioGroup)
                }
                XCTAssertEqual(same, primary, "a backup repeats its primary's attributes")
            }
            if format == "fmp4" {
                XCTAssertEqual(master.audioRenditions.map(\.groupID), ["aac", "aac-backup"])
                XCTAssertEqual(master.audioRenditions[1].uri, "https://b.example/live/audio/index.m3u8")
                var copy = master.audioRenditions[1]
                copy.groupID = "aac"
                copy.uri = master.audioRenditions[0].uri
                XCTAssertEqual(copy, master.audioRenditions[0])
            } else {
                XCTAssertTrue(master.audioRenditions.isEmpty)
            }
            let check = try liveladder("check", out)
            XCTAssertEqual(check.status, 0, "check: \(check.stdout)\(check.stderr)")
            // summarize (regress's reader) lists the backups in the master and reads only this folder's copies.
            let summary = try liveladder("summarize", out, "--json")
            XCTAssertEqual(summary.status, 0, summary.stderr)
            let json = try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any]
            let variants = (json?["master"] as? [String: Any])?["variants"] as? [Any]
            XCTAssertEqual(variants?.count, master.variants.count, "primaries and backups in the master's summary")
            XCTAssertEqual((json?["renditions"] as? [Any])?.count, master.variants.count / 2 + (format == "fmp4" ? 1 : 0),
                           "only the primaries (and the audio) are read")
        }
    }
}
