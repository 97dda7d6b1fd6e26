import HLSModel
import XCTest

final class AttributeListTests: XCTestCase {
    func testParsesNamesAndValuesInOrder() throws {
        let list = try AttributeList(parsing: #"TYPE=AUDIO,GROUP-ID="aac",BANDWIDTH=3500000"#)
        XCTAssertEqual(list.attributes, [
            .init("TYPE", .unquoted("AUDIO")),
            .init("GROUP-ID", .quotedString("aac")),
            .init("BANDWIDTH", .unquoted("3500000")),
        ])
        XCTAssertEqual(list["GROUP-ID"], .quotedString("aac"))
        XCTAssertNil(list["URI"])
    }

    func testQuotedStringsMayContainCommasAndEquals() throws {
        let list = try AttributeList(parsing: #"CODECS="avc1.64001f,mp4a.40.2",URI="a=b,c.m3u8",X=1"#)
        XCTAssertEqual(try list.quotedString("CODECS"), "avc1.64001f,mp4a.40.2")
        XCTAssertEqual(try list.quotedString("URI"), "a=b,c.m3u8")
        XCTAssertEqual(try list.decimalInteger("X"), 1)
    }

    func testEmptyTextAndEmptyQuotedString() throws {
        XCTAssertEqual(try AttributeList(parsing: "").attributes, [])
        XCTAssertEqual(try AttributeList(parsing: #"NAME="""#).quotedString("NAME"), "")
    }

    func testSyntaxErrors() {
        assertAttributeListError("A=1,", "attribute name is empty")
        assertAttributeListError(",A=1", "attribute name is empty")
        assertAttributeListError("=1", "attribute name is empty")
        assertAttributeListError("A=1,,B=2", "attribute name is empty")
        assertAttributeListError("bandwidth=1", "attribute name \"bandwidth\" has characters other than A-Z, 0-9 and '-'")
        assertAttributeListError("A B=1", "attribute name \"A B\" has characters other than A-Z, 0-9 and '-'")
        assertAttributeListError("AUTOSELECT", "attribute AUTOSELECT has no '='")
        assertAttributeListError("A=1,B", "attribute B has no '='")
        assertAttributeListError("A=,B=2", "attribute A has no value")
        assertAttributeListError("A=", "attribute A has no value")
        assertAttributeListError(#"URI="a.m3u8"#, "attribute URI has an unterminated quoted string")
        assertAttributeListError(#"URI="a"b,C=1"#, "attribute URI is not followed by ','")
        assertAttributeListError("A=1,A=2", "attribute A appears more than once")
    }

    func testDecimalInteger() throws {
        let list = try AttributeList(parsing: #"A=42,B=4.2,C="42",D=-1"#)
        XCTAssertEqual(try list.decimalInteger("A"), 42)
        XCTAssertNil(try list.decimalInteger("MISSING"))
        assertAttributeError(#"B "4.2" is not a decimal integer"#) { () throws(AttributeListError) in try list.decimalInteger("B") }
        assertAttributeError(#"C must not be quoted, found "42""#) { () throws(AttributeListError) in try list.decimalInteger("C") }
        assertAttributeError(#"D "-1" is not a decimal integer"#) { () throws(AttributeListError) in try list.decimalInteger("D") }
    }

    func testDecimalFloatingPoint() throws {
        let list = try AttributeList(parsing: "A=29.970,B=30,C=-1.5,D=1e3")
        XCTAssertEqual(try list.decimalFloatingPoint("A"), 29.97)
        XCTAssertEqual(try list.decimalFloatingPoint("B"), 30)
        assertAttributeError(#"C "-1.5" is not a decimal floating-point number"#) { () throws(AttributeListError) in
            try list.decimalFloatingPoint("C")
        }
        assertAttributeError(#"D "1e3" is not a decimal floating-point number"#) { () throws(AttributeListError) in
            try list.decimalFloatingPoint("D")
        }
    }

    func testSignedDecimalFloatingPoint() throws {
        let list = try AttributeList(parsing: "TIME-OFFSET=-2.5,B=3,C=-x")
        XCTAssertEqual(try list.signedDecimalFloatingPoint("TIME-OFFSET"), -2.5)
        XCTAssertEqual(try list.signedDecimalFloatingPoint("B"), 3)
        assertAttributeError(#"C "-x" is not a signed decimal floating-point number"#) { () throws(AttributeListError) in
            try list.signedDecimalFloatingPoint("C")
        }
    }

    func testDecimalResolution() throws {
        let list = try AttributeList(parsing: "RESOLUTION=1280x720,A=1280X720,B=1280x,C=x720,D=1x2x3")
        XCTAssertEqual(try list.decimalResolution("RESOLUTION"), DecimalResolution(width: 1280, height: 720))
        for name in ["A", "B", "C", "D"] {
            XCTAssertThrowsError(try list.decimalResolution(name)) { error in
                XCTAssertTrue("\(error)".hasSuffix("is not a decimal resolution (WIDTHxHEIGHT)"), "\(error)")
            }
        }
        assertAttributeError(#"A "1280X720" is not a decimal resolution (WIDTHxHEIGHT)"#) { () throws(AttributeListError) in
            try list.decimalResolution("A")
        }
    }

    func testHexadecimalSequence() throws {
        let list = try AttributeList(parsing: "IV=0x00ff1A,ODD=0XABC,EMPTY=0x,BAD=0xZZ,NOPREFIX=1234")
        XCTAssertEqual(try list.hexadecimalSequence("IV"), [0x00, 0xFF, 0x1A])
        XCTAssertEqual(try list.hexadecimalSequence("ODD"), [0x0A, 0xBC])
        assertAttributeError(#"EMPTY "0x" is not a hexadecimal sequence"#) { () throws(AttributeListError) in
            try list.hexadecimalSequence("EMPTY")
        }
        assertAttributeError(#"BAD "0xZZ" is not a hexadecimal sequence"#) { () throws(AttributeListError) in
            try list.hexadecimalSequence("BAD")
        }
        assertAttributeError(#"NOPREFIX "1234" is not a hexadecimal sequence"#) { () throws(AttributeListError) in
            try list.hexadecimalSequence("NOPREFIX")
        }
    }

    func testEnumeratedStringAndYesOrNo() throws {
        let list = try AttributeList(parsing: #"TYPE=AUDIO,DEFAULT=YES,AUTOSELECT=NO,FORCED=yes,Q="AUDIO",S=A B"#)
        XCTAssertEqual(try list.enumeratedString("TYPE"), "AUDIO")
        XCTAssertEqual(try list.yesOrNo("DEFAULT"), true)
        XCTAssertEqual(try list.yesOrNo("AUTOSELECT"), false)
        XCTAssertNil(try list.yesOrNo("MISSING"))
        assertAttributeError(#"FORCED "yes" is not YES or NO"#) { () throws(AttributeListError) in try list.yesOrNo("FORCED") }
        assertAttributeError(#"Q must not be quoted, found "AUDIO""#) { () throws(AttributeListError) in
            try list.enumeratedString("Q")
        }
        assertAttributeError(#"S "A B" is not an enumerated string"#) { () throws(AttributeListError) in
            try list.enumeratedString("S")
        }
    }

    func testQuotedStringRejectsUnquotedValues() throws {
        let list = try AttributeList(parsing: "URI=a.m3u8")
        assertAttributeError("URI must be a quoted string, found a.m3u8") { () throws(AttributeListError) in
            try list.quotedString("URI")
        }
    }

    func testRequiredNamesTheMissingAttribute() throws {
        let list = try AttributeList(parsing: "A=1")
        XCTAssertEqual(try list.required(list.decimalInteger("A"), "A"), 1)
        assertAttributeError("URI is missing") { () throws(AttributeListError) in
            try list.required(list.quotedString("URI"), "URI")
        }
    }

    func testRendersValuesWithTheirHLSSpelling() {
        let list = AttributeList([
            .init("BANDWIDTH", .decimalInteger(3_500_000)),
            .init("CODECS", .quotedString("avc1.64001f,mp4a.40.2")),
            .init("RESOLUTION", .decimalResolution(width: 1280, height: 720)),
            .init("FRAME-RATE", .decimalFloatingPoint(29.97, decimals: 3)),
            .init("DEFAULT", .yesOrNo(true)),
            .init("AUTOSELECT", .yesOrNo(false)),
        ])
        XCTAssertEqual(
            list.render(),
            #"BANDWIDTH=3500000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970,DEFAULT=YES,AUTOSELECT=NO"#)
        XCTAssertEqual(AttributeList([]).render(), "")
    }

    func testRenderThenParseGivesTheSameList() throws {
        let list = AttributeList([
            .init("TYPE", .unquoted("AUDIO")),
            .init("NAME", .quotedString("English, stereo")),
            .init("IV", .unquoted("0x0102")),
        ])
        XCTAssertEqual(try AttributeList(parsing: list.render()), list)
    }

    func testErrorDescriptionIsItsMessage() {
        XCTAssertEqual("\(AttributeListError("URI is missing"))", "URI is missing")
    }
}
