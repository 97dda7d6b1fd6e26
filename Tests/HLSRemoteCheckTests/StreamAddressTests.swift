import Foundation
import HLSChecker
@testable import HLSRemoteCheck
import XCTest

/// A URI from a served playlist becomes a URL under the stream's base, or is refused and never fetched.
final class StreamAddressTests: XCTestCase {
    private func address() throws -> StreamAddress {
        let root = NSTemporaryDirectory() + "/stream-address-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        let mirror = try XCTUnwrap(OutputFolder(directory: root))
        return StreamAddress(origin: "http://127.0.0.1:8080", basePath: "/live/a%20b/", masterName: "master.m3u8",
                             masterURL: URL(string: "http://127.0.0.1:8080/live/a%20b/master.m3u8")!, mirror: mirror)
    }

    func testRelativeURIsBecomeURLsUnderTheBase() throws {
        let address = try address()
        let playlist = address.mirror.root + "/360p"
        guard case .success(let media) = address.resolve("360p/index.m3u8", from: address.mirror.root) else { return XCTFail() }
        XCTAssertEqual(media.url.absoluteString, "http://127.0.0.1:8080/live/a%20b/360p/index.m3u8")
        XCTAssertEqual(media.path, playlist + "/index.m3u8")
        guard case .success(let sibling) = address.resolve("../audio/seg%201.m4s", from: playlist) else { return XCTFail() }
        XCTAssertEqual(sibling.url.absoluteString, "http://127.0.0.1:8080/live/a%20b/audio/seg%201.m4s")
    }

    func testURIsLeavingTheBaseAreRefused() throws {
        let address = try address()
        let playlist = address.mirror.root + "/360p"
        for uri in ["../../x.ts", "%2e%2e/x.ts", "/live/x.ts", "http://127.0.0.1:8080/live/a%20b/360p/x.ts",
                    "//evil.example/x.ts", "x.ts?token=1", "..%2fx.ts", "a\\b.ts", ""] {
            guard case .failure = address.resolve(uri, from: playlist) else { return XCTFail(uri) }
        }
    }

    func testRedirectsMayOnlyStayUnderTheBase() throws {
        let address = try address()
        XCTAssertTrue(address.contains(URL(string: "http://127.0.0.1:8080/live/a%20b/360p/segment-1.ts")!))
        XCTAssertTrue(address.contains(URL(string: "HTTP://127.0.0.1:8080/live/a%20b/x.ts")!))
        for outside in ["http://127.0.0.1:8081/live/a%20b/x.ts", "https://127.0.0.1:8080/live/a%20b/x.ts",
                        "http://127.0.0.1:8080/live/x.ts", "http://127.0.0.1:8080/live/a%20b/../x.ts",
                        "http://127.0.0.1:8080/live/a%20b/%2e%2e/x.ts", "http://evil.example/live/a%20b/x.ts",
                        "http://127.0.0.1:8080/live/a%20b/"] {
            XCTAssertFalse(address.contains(URL(string: outside)!), outside)
        }
    }
}
