import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny blocking HTTP/1.1 client over a raw loopback socket, so the tests need no HTTP client package
/// and can hold idle or never-reading connections. Every call runs on its own thread (`offPool`), never
/// on the cooperative pool the server's handlers share.
struct RawResponse {
    var status: Int
    /// Lowercased names.
    var headers: [String: String]
    var body: String
}

enum RawHTTP {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// A connected socket to 127.0.0.1:port, reads timing out after `timeout` seconds.
    static func connect(port: Int, timeout: Double = 10, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw Failure(description: "connect to port \(port): errno \(errno)") }
        return fd
    }

    static func send(_ fd: Int32, _ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
            sent += n
        }
    }

    /// Reads what is there (up to 64 KiB); empty at the end of the stream; throws on a timeout.
    static func receive(_ fd: Int32) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n >= 0 else { throw Failure(description: "recv: errno \(errno) (timed out?)") }
        return Array(buffer[0..<n])
    }

    static func requestText(method: String, path: String, headers: [String: String]) -> String {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if method == "POST" { text += "Content-Length: 0\r\n" }
        return text + "\r\n"
    }

    /// One request on a fresh connection, read to the end of its Content-Length body (or the close).
    static func request(port: Int, method: String = "GET", path: String, headers: [String: String] = [:]) throws -> RawResponse {
        let fd = try connect(port: port)
        defer { close(fd) }
        try send(fd, requestText(method: method, path: path, headers: headers))
        var data: [UInt8] = []
        while true {
            if let response = parse(data), let length = response.headers["content-length"].flatMap(Int.init),
               response.body.utf8.count >= length {
                return response
            }
            let chunk = try receive(fd)
            if chunk.isEmpty { break }
            data += chunk
        }
        guard let response = parse(data) else { throw Failure(description: "no HTTP response from \(path)") }
        return response
    }

    static func parse(_ data: [UInt8]) -> RawResponse? {
        let text = String(decoding: data, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        guard let statusLine = lines.first, case let parts = statusLine.split(separator: " "), parts.count >= 2,
              let status = Int(parts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return RawResponse(status: status, headers: headers, body: String(text[end.upperBound...]))
    }
}

/// Runs blocking work on a thread of its own and awaits it.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result { try body() })
        }.start()
    }
}
