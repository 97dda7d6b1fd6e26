import XCTest
@testable import LadderConfig

final class AudioSettingsTests: XCTestCase {
    func testDefaultsAre128kStereoAt48kHz() {
        let audio = AudioSettings()
        XCTAssertEqual(audio.bitrate, 128_000)
        XCTAssertEqual(audio.sampleRate, 48_000)
        XCTAssertEqual(audio.channels, .stereo)
    }

    func testChannelRawValuesAreTheConfigSpellings() {
        XCTAssertEqual(AudioChannels.allCases.map(\.rawValue), ["mono", "stereo", "keep"])
    }
}
