import XCTest
@testable import LadderConfig

final class ConfigOverridesTests: XCTestCase {
    func testNilKeepsTheConfigValues() throws {
        let config = LadderConfig(segmentDuration: 4, segmentFormat: .fmp4)
        XCTAssertEqual(try config.with(segmentDuration: nil, segmentFormat: nil), config)
    }

    func testOverridesReplaceOnlyWhatIsGiven() throws {
        let config = LadderConfig(segmentDuration: 4, segmentFormat: .ts, allowUpscale: true)
        let overridden = try config.with(segmentDuration: 6, segmentFormat: .fmp4)
        XCTAssertEqual(overridden, LadderConfig(segmentDuration: 6, segmentFormat: .fmp4, allowUpscale: true))
        XCTAssertEqual(try config.with(segmentDuration: nil, segmentFormat: .fmp4).segmentDuration, 4)
    }

    func testDurationIsCheckedAndTheFlagIsNamed() {
        assertConfigError("--segment-duration: 45 is out of range (allowed 0.5 to 30 seconds)") { () throws(ConfigError) in
            try LadderConfig.defaults.with(segmentDuration: 45, segmentFormat: nil)
        }
        assertConfigError("--segment-duration: 0.1 is out of range (allowed 0.5 to 30 seconds)") { () throws(ConfigError) in
            try LadderConfig.defaults.with(segmentDuration: 0.1, segmentFormat: .fmp4)
        }
        assertConfigError("--segment-duration: nan is out of range (allowed 0.5 to 30 seconds)") { () throws(ConfigError) in
            try LadderConfig.defaults.with(segmentDuration: .nan, segmentFormat: nil)
        }
    }

    func testDurationBoundsAreInclusive() throws {
        XCTAssertEqual(try LadderConfig.defaults.with(segmentDuration: 0.5, segmentFormat: nil).segmentDuration, 0.5)
        XCTAssertEqual(try LadderConfig.defaults.with(segmentDuration: 30, segmentFormat: nil).segmentDuration, 30)
    }

    func testEpochLockFromTheConfigAndTheFlags() throws {
        let config = try LadderConfig.parse(yaml: "epochLock: true\nepoch: 2026-01-01T00:00:00Z\n")
        XCTAssertTrue(config.epochLock)
        XCTAssertEqual(config.epochMilliseconds, 1_767_225_600_000)
        let flagged = try LadderConfig.defaults.with(epochLock: true, epoch: "2026-01-01T01:00:00+01:00")
        XCTAssertEqual(flagged.epochMilliseconds, 1_767_225_600_000)
        XCTAssertFalse(try LadderConfig.defaults.with(epochLock: false, epoch: nil).epochLock)
    }

    func testABadOrLonelyEpochIsRefusedNamingWhere() {
        assertConfigError("--epoch: an epoch needs epoch lock: add epochLock: true (or --epoch-lock)") { () throws(ConfigError) in
            try LadderConfig.defaults.with(epochLock: false, epoch: "2026-01-01T00:00:00Z")
        }
        assertConfigError("--epoch: \"yesterday\" is not a date and time with a zone (e.g. 2026-01-01T00:00:00Z)") { () throws(ConfigError) in
            try LadderConfig.defaults.with(epochLock: true, epoch: "yesterday")
        }
        assertConfigError("--epoch: 1969-12-31T23:59:59Z is before 1970-01-01T00:00:00Z; the epoch must be 1970 or later") { () throws(ConfigError) in
            try LadderConfig.defaults.with(epochLock: true, epoch: "1969-12-31T23:59:59Z")
        }
        XCTAssertThrowsError(try LadderConfig.parse(yaml: "epoch: 2026-01-01T00:00:00Z\n")) { error in
            XCTAssertTrue("\(error)".contains("an epoch needs epoch lock"), "\(error)")
        }
        XCTAssertThrowsError(try LadderConfig.parse(yaml: "epochLock: yes\n")) { error in
            XCTAssertTrue("\(error)".contains("epochLock"), "\(error)")
        }
    }
}
