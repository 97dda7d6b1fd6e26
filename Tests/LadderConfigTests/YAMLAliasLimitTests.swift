import XCTest
@testable import LadderConfig

final class YAMLAliasLimitTests: XCTestCase {
    /// The 620-byte shape that took exponential time: each anchor aliases the previous one nine times,
    /// and the last is used as a mapping key, so Yams' duplicate-key check hashes 9^9 nodes.
    private func aliasBomb(levels: Int = 9) -> String {
        var text = "l0: &l0 [a, a, a, a, a, a, a, a, a]\n"
        for level in 1..<levels {
            text += "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        return text + "? *l\(levels - 1)\n: x\n"
    }

    func testAliasBombAsMappingKeyIsRefusedWithTheLineOfTheSeventeenthAlias() {
        // Line 2 holds aliases 1–9, line 3 holds 10–18: the 17th is on line 3.
        assertConfigError("line 3: more than 16 YAML aliases (*name); write the values out instead") { () throws(ConfigError) in
            try LadderConfig.parse(yaml: aliasBomb())
        }
    }

    func testAFewAliasesStillWork() throws {
        let config = try LadderConfig.parse(yaml: """
            renditions:
              - name: hd
                height: 360
                videoBitrate: &rate 800k
                preset: &preset veryfast
              - name: sd
                height: 240
                videoBitrate: *rate
                preset: *preset
            """)
        XCTAssertEqual(config.renditions?.map(\.videoBitrate), [800_000, 800_000])
    }

    func testAsterisksInQuotesCommentsAndPlainTextAreNotAliases() throws {
        let text = "# *a *b *c *d *e *f *g *h *i *j *k *l *m *n *o *p *q\n"
            + (0..<20).map { "k\($0): \"*x\" # *y\n" }.joined()
            + (0..<20).map { "p\($0): a*b\n" }.joined()
        XCTAssertNoThrow(try YAMLAliasLimit.check(text))
    }
}
