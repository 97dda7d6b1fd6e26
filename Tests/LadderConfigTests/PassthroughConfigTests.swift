import XCTest
@testable import LadderConfig

/// `passthrough: true` (docs/passthrough.md): read, validated, resolved to the source's size.
final class PassthroughConfigTests: XCTestCase {
    private let ladder = """
        renditions:
          - name: source
            passthrough: true
            videoBitrate: 1500k
          - name: 240p
            height: 240
            videoBitrate: 400k
        """

    func testPassThroughRungHasTheSourceSize() throws {
        let config = try LadderConfig.parse(yaml: ladder)
        XCTAssertEqual(config.renditions?.map(\.passthrough), [true, false])
        let resolved = try config.resolve(for: SourceVideo(width: 640, height: 360, sarNum: 1, sarDen: 1))
        XCTAssertEqual(resolved.map(\.passthrough), [true, false])
        XCTAssertEqual(resolved.map(\.width), [640, 426])
        XCTAssertEqual(resolved.map(\.height), [360, 240])
    }

    func testFalseIsAnOrdinaryRung() throws {
        let config = try LadderConfig.parse(yaml: singleRendition("name: a", "height: 240", "videoBitrate: 400k", "passthrough: false"))
        XCTAssertEqual(config.renditions?.first?.passthrough, false)
    }

    func testOnlyOnePassThroughRung() {
        assertParseError(
            """
            renditions:
              - name: a
                passthrough: true
                videoBitrate: 1500k
              - name: b
                passthrough: true
                videoBitrate: 900k
            """,
            "renditions[1].passthrough: only one pass-through rendition per ladder (renditions[0] is one)"
        )
    }

    func testPassThroughTakesNoSize() {
        assertParseError(
            singleRendition("name: a", "height: 720", "videoBitrate: 1500k", "passthrough: true"),
            "renditions[0].passthrough: a pass-through rendition has the source's size; remove width and height"
        )
    }

    func testGarbageIsRefusedLikeEveryBoolean() {
        XCTAssertThrowsError(try LadderConfig.parse(yaml: singleRendition("name: a", "videoBitrate: 1500k", "passthrough: maybe")))
    }
}
