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
}
