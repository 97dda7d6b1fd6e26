import XCTest
@testable import LiveLadderServer

final class HTTPServerConfigurationTests: XCTestCase {
    func testAddresses() throws {
        XCTAssertEqual(try HTTPServerConfiguration.parse(listen: "9090", token: nil), HTTPServerConfiguration(host: "127.0.0.1", port: 9090))
        XCTAssertEqual(try HTTPServerConfiguration.parse(listen: "127.0.0.1:8080", token: nil), HTTPServerConfiguration(host: "127.0.0.1", port: 8080))
        XCTAssertEqual(try HTTPServerConfiguration.parse(listen: "localhost:1", token: nil), HTTPServerConfiguration(host: "localhost", port: 1))
        XCTAssertEqual(try HTTPServerConfiguration.parse(listen: "[::1]:9090", token: nil), HTTPServerConfiguration(host: "::1", port: 9090))
        XCTAssertEqual(try HTTPServerConfiguration.parse(listen: "0.0.0.0:65535", token: "abc"),
                       HTTPServerConfiguration(host: "0.0.0.0", port: 65535, token: "abc"))
        XCTAssertEqual(try HTTPServerConfiguration.parse(listen: "[::]:9090", token: "abc").host, "::")
    }

    func testRefusals() {
        for listen in ["0", "65536", "99999", "-1", "host:", "host:port", ":9090", "::1:9090", "[::1]9090", "[::1", "a b:80", "127.0.0.1:80x"] {
            XCTAssertThrowsError(try HTTPServerConfiguration.parse(listen: listen, token: "t"), listen) { error in
                let message = String(describing: error)
                XCTAssertTrue(message.hasPrefix("--http \(listen):"), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
    }

    func testBeyondLoopbackNeedsAToken() {
        for listen in ["0.0.0.0:9090", "[::]:9090", "192.0.2.7:9090", "example.org:9090"] {
            XCTAssertThrowsError(try HTTPServerConfiguration.parse(listen: listen, token: nil), listen) { error in
                XCTAssertEqual(String(describing: error),
                               "--http \(listen): listening beyond loopback needs a token: pass --http-token TOKEN or set LIVELADDER_HTTP_TOKEN")
            }
        }
        XCTAssertThrowsError(try HTTPServerConfiguration.parse(listen: "9090", token: "")) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("--http-token"), String(describing: error))
        }
        XCTAssertThrowsError(try HTTPServerConfiguration.parse(listen: "9090", token: "two words"))
        XCTAssertTrue(HTTPServerConfiguration(host: "127.3.2.1", port: 1).isLoopback)
        XCTAssertFalse(HTTPServerConfiguration(host: "127.example.org", port: 1).isLoopback)
    }

    func testBearerComparison() {
        let token = BearerToken("s3cret")
        XCTAssertTrue(token.accepts(authorization: "Bearer s3cret"))
        XCTAssertTrue(token.accepts(authorization: "bearer s3cret"))
        XCTAssertFalse(token.accepts(authorization: "Bearer s3cre"))
        XCTAssertFalse(token.accepts(authorization: "Bearer s3cret2"))
        XCTAssertFalse(token.accepts(authorization: "Basic s3cret"))
        XCTAssertFalse(token.accepts(authorization: "s3cret"))
        XCTAssertFalse(token.accepts(authorization: nil))
    }
}
