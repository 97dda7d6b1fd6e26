import Foundation
import HLSChecker
import HLSModel
import XCTest

/// MV9 (docs/check.md): backup variants (RFC 8216 §6.2.4) repeat one primary's attributes, with an audio
/// group of their own; a backup outside the folder is never read.
final class RedundancyRulesTests: XCTestCase {
    /// A known-good ladder whose master has a backup of every variant under `base`.
    private func ladder(_ kind: LadderFixture.Kind, backupsAt base: String,
                        adjust: (inout MultivariantPlaylist) -> Void = { _ in }) throws -> URL {
        let directory = try ladderCopy(kind)
        try LadderFixture.writeMaster(kind, in: directory) { master in
            master = master.addingBackups(base: base)
            adjust(&master)
        }
        return directory
    }

    func testBackupsOutsideTheFolderPassAndAreNotRead() throws {
        for base in ["https://b.example/live", "../b", "/live/b"] {
            for kind in [LadderFixture.Kind.transportStream, .fragmentedMP4] {
                let report = try check(ladder(kind, backupsAt: base))
                assertPasses(report)
                // Only the primaries' playlists: 2 video (+ 1 audio in fMP4).
                XCTAssertEqual(report.checkedPlaylists, kind == .transportStream ? 2 : 3, base)
            }
        }
    }

    func testABackupInsideTheFolderIsCheckedAsARendition() throws {
        let directory = try ladder(.fragmentedMP4, backupsAt: "b")
        let backup = directory.appendingPathComponent("b")
        try FileManager.default.createDirectory(at: backup, withIntermediateDirectories: true)
        for name in ["v0", "v1", "v2"] {
            try FileManager.default.copyItem(at: directory.appendingPathComponent(name), to: backup.appendingPathComponent(name))
        }
        let report = try check(directory)
        assertPasses(report)
        XCTAssertEqual(report.checkedPlaylists, 6)
    }

    func testABackupWithAnotherBandwidthFailsMV9NamingTheAttribute() throws {
        let directory = try ladder(.transportStream, backupsAt: "https://b.example/live") { master in
            master.variants[3].bandwidth += 1
        }
        let report = try check(directory)
        assertFailsOnly(report, ["MV9"])
        let line = try XCTUnwrap(report.failures.first { $0.rule == "MV9" })
        XCTAssertTrue(line.location.contains("https://b.example/live/v1/index.m3u8"), line.description)
        XCTAssertTrue(line.message.contains("variant 2 (v1/index.m3u8), differs in BANDWIDTH"), line.description)
    }

    func testABackupWithoutPrimaryFailsMV9() throws {
        let directory = try ladder(.transportStream, backupsAt: "https://b.example/live") { master in
            master.variants.remove(at: 0)  // v0's primary: its backup is an orphan
        }
        let report = try check(directory)
        assertFailsOnly(report, ["MV9"])
        XCTAssertEqual(report.failures.filter { $0.rule == "MV9" }.count, 1)
        assertFails(report, "MV9", at: "master.m3u8 variant 2 (https://b.example/live/v0/index.m3u8)")
    }

    func testABackupSharingThePrimarysAudioGroupFailsMV9() throws {
        let directory = try ladder(.fragmentedMP4, backupsAt: "https://b.example/live") { master in
            for index in 2..<4 { master.variants[index].audioGroup = "aud" }
            master.audioRenditions.removeLast()
        }
        let report = try check(directory)
        assertFailsOnly(report, ["MV9"])
        XCTAssertTrue(report.failures.allSatisfy { $0.message.contains("its own copy of the group") }, "\(report.failures)")
    }

    func testABackupAudioGroupThatIsNoCopyFailsMV9() throws {
        let directory = try ladder(.fragmentedMP4, backupsAt: "https://b.example/live") { master in
            master.audioRenditions[1].channels = "6"
        }
        let report = try check(directory)
        assertFailsOnly(report, ["MV9"])
        XCTAssertTrue(report.failures.contains { $0.message.contains("in CHANNELS") }, "\(report.failures)")
    }

    func testOtherSchemesAndEscapedClimbsStayURI1() throws {
        for base in ["ftp://b.example/live", "%2e%2e/b"] {
            let report = try check(ladder(.transportStream, backupsAt: base))
            assertFails(report, "URI1")
        }
    }

    func testLeavesFolderIsLexical() {
        XCTAssertTrue(Redundancy.leavesFolder("HTTPS://b.example/x"))
        XCTAssertTrue(Redundancy.leavesFolder("../b/720p/index.m3u8"))
        XCTAssertTrue(Redundancy.leavesFolder("a/../../b"))
        XCTAssertTrue(Redundancy.leavesFolder("/live/b"))
        XCTAssertFalse(Redundancy.leavesFolder("b/../720p/index.m3u8"))
        XCTAssertFalse(Redundancy.leavesFolder("%2e%2e/b"))
        XCTAssertFalse(Redundancy.leavesFolder("ftp://b.example/x"))
    }
}
