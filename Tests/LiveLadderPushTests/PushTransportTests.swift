import Foundation
import XCTest
@testable import LiveLadderPush

#if canImport(Glibc)
import Glibc
#endif

/// HTTPPushTransport against a hostile origin on loopback (a raw socket, one connection at a time) that
/// answers every request with a 2xx head and then a body that never ends. Found by the fuzz harness's push
/// kind (tools/fuzz/pushfuzz.py, `drip` and `chunked-endless`, e.g. push-3-121): async-http-client's
/// deadline ends with the response head, so the body read held the lane until the run's drain cut it off.
final class PushTransportTests: XCTestCase {
    func testABodyThatNeverEndsCostsOneRequestTimeout() async throws {
        for head in ["HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n",
                     "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"] {
            let origin = try DrippingOrigin(head: head, drip: head.contains("chunked") ? "1\r\nx\r\n" : "x")
            defer { origin.stop() }
            let transport = HTTPPushTransport()
            let url = URL(string: "http://127.0.0.1:\(origin.port)/live/360p/segment-0.ts")!
            let started = ContinuousClock.now
            // Raced against 6 s so that the old behaviour (no bound at all) fails the test instead of hanging it.
            let response: PushResponse? = await withTaskGroup(of: PushResponse?.self) { group in
                group.addTask {
                    await transport.send(method: "PUT", url: url, headers: [("Content-Type", "video/mp2t")],
                                         body: Array(repeating: 7, count: 1000), timeout: .seconds(1))
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(6))
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            let took = ContinuousClock.now - started
            await transport.shutdown()
            guard let response else { return XCTFail("\(head.prefix(20)): no result within 6 s (the request timeout is 1 s)") }
            guard case .failed = response else { return XCTFail("\(head.prefix(20)): \(response), expected no answer") }
            XCTAssertLessThan(took, .milliseconds(2500), "\(head.prefix(20)): the request took \(took)")
            XCTAssertTrue(origin.waitUntilClientLeft(within: 2), "\(head.prefix(20)): the connection was not closed")
        }
    }

    func testAWholeAnswerIsStillTheStatus() async throws {
        let origin = try DrippingOrigin(head: "HTTP/1.1 204 No Content\r\n\r\n", drip: nil)
        defer { origin.stop() }
        let transport = HTTPPushTransport()
        let url = URL(string: "http://127.0.0.1:\(origin.port)/live/360p/index.m3u8")!
        let response = await transport.send(method: "PUT", url: url, headers: [], body: Array("#EXTM3U\n".utf8),
                                            timeout: .seconds(1))
        await transport.shutdown()
        XCTAssertEqual(response, .status(204))
    }
}

/// Reads one request (head and Content-Length body) per connection, sends `head`, then `drip` every
/// 100 ms until the client goes (or nothing more when `drip` is nil, keeping the connection).
private final class DrippingOrigin: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var stopped = false
    private var clientLeft = false

    init(head: String, drip: String?) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let listener = fd
        Thread.detachNewThread { [self] in
            while !isStopped {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                serve(connection, head: head, drip: drip)
            }
        }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func serve(_ connection: Int32, head: String, drip: String?) {
        defer { close(connection) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        // The head, then Content-Length bytes of body.
        while true {
            let n = recv(connection, &buffer, buffer.count, 0)
            guard n > 0 else { return }
            received += buffer[0..<n]
            let text = String(decoding: received, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let headText = text[..<end.lowerBound].lowercased()
                let bodyLength = headText.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count - text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound) >= bodyLength { break }
            }
        }
        _ = head.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        guard let drip else {
            // Keep the connection open until the client closes it.
            while recv(connection, &buffer, buffer.count, 0) > 0 {}
            return
        }
        while !isStopped {
            usleep(100_000)
            var poll = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            if Glibc.poll(&poll, 1, 0) > 0, recv(connection, &buffer, buffer.count, 0) <= 0 { break }
            let sent = drip.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            if sent < 0 { break }
        }
        lock.withLock { clientLeft = true }
    }

    func waitUntilClientLeft(within seconds: Double) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if lock.withLock({ clientLeft }) { return true }
            usleep(20_000)
        }
        return false
    }

    func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
