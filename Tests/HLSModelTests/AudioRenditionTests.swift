@testable import HLSModel
import XCTest

final class AudioRenditionTests: XCTestCase {
    func testRendersTheMV8AttributesInOrder() {
        let rendition = AudioRendition(
            groupID: "aac", name: "audio", language: "und", channels: "2", uri: "audio/index.m3u8")
        XCTAssertEqual(
            rendition.attributeList.render(),
            #"TYPE=AUDIO,GROUP-ID="aac",NAME="audio",LANGUAGE="und",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/index.m3u8""#)
    }

    func testOmitsLanguageWhenNilAndWritesNO() {
        let rendition = AudioRendition(
            groupID: "aac", name: "audio", isDefault: false, autoselect: false, channels: "6", uri: "a.m3u8")
        XCTAssertEqual(
            rendition.attributeList.render(),
            #"TYPE=AUDIO,GROUP-ID="aac",NAME="audio",DEFAULT=NO,AUTOSELECT=NO,CHANNELS="6",URI="a.m3u8""#)
    }

    func testDefaultsToDefaultAndAutoselect() {
        let rendition = AudioRendition(groupID: "g", name: "n", channels: "2", uri: "u")
        XCTAssertTrue(rendition.isDefault)
        XCTAssertTrue(rendition.autoselect)
        XCTAssertNil(rendition.language)
    }

    func testReadsItsOwnAttributes() throws {
        let rendition = AudioRendition(
            groupID: "aac", name: "English, stereo", language: "en", isDefault: false, channels: "2", uri: "a.m3u8")
        XCTAssertEqual(try AudioRendition(attributeList: rendition.attributeList), rendition)
    }

    func testDefaultAndAutoselectAreNOWhenAbsent() throws {
        let attributes = try AttributeList(parsing: #"TYPE=AUDIO,GROUP-ID="g",NAME="n",CHANNELS="2",URI="u""#)
        let rendition = try AudioRendition(attributeList: attributes)
        XCTAssertFalse(rendition.isDefault)
        XCTAssertFalse(rendition.autoselect)
    }

    func testNamesTheMissingOrMalformedAttribute() throws {
        let complete = #"GROUP-ID="g",NAME="n",CHANNELS="2",URI="u""#
        for name in ["GROUP-ID", "NAME", "CHANNELS", "URI"] {
            let attributes = AttributeList(try AttributeList(parsing: complete).attributes.filter { $0.name != name })
            assertAttributeError("\(name) is missing") { () throws(AttributeListError) in
                try AudioRendition(attributeList: attributes)
            }
        }
        let badDefault = try AttributeList(parsing: complete + ",DEFAULT=MAYBE")
        assertAttributeError(#"DEFAULT "MAYBE" is not YES or NO"#) { () throws(AttributeListError) in
            try AudioRendition(attributeList: badDefault)
        }
    }
}
