import Foundation

/// Many HTTP clients in one thread: `count` connections each send one GET and are read with poll(2),
/// so a test can hold a thousand requests open without a thousand threads.
struct BlockedClients {
    struct Answer {
        var status: Int?
        var body: String
        /// When the first byte of the answer came.
        var at: Date?
    }

    /// Opens the connections and sends all of each request but its last line break, so the server has
    /// nothing to answer yet; throws if one cannot connect.
    static func open(port: UInt16, count: Int) throws -> [Int32] {
        var sockets: [Int32] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(port.bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                close(fd)
                for other in sockets { close(other) }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECONNREFUSED)
            }
            sockets.append(fd)
        }
        return sockets
    }

    /// Sends every connection its request at once (one write each).
    static func send(_ sockets: [Int32], path: String) {
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        for fd in sockets { _ = request.withCString { Glibc.send(fd, $0, strlen($0), 0) } }
    }

    /// Reads every connection to its end (or `timeout`), then closes them all.
    static func read(_ sockets: [Int32], timeout: Double) -> [Answer] {
        var buffers = [[UInt8]](repeating: [], count: sockets.count)
        var firstByte = [Date?](repeating: nil, count: sockets.count)
        var open = Set(sockets.indices)
        let deadline = Date().addingTimeInterval(timeout)
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while !open.isEmpty, Date() < deadline {
            var polled = open.map { pollfd(fd: sockets[$0], events: Int16(POLLIN), revents: 0) }
            let indices = Array(open)
            let ready = poll(&polled, nfds_t(polled.count), 100)
            guard ready > 0 else { continue }
            for (slot, entry) in polled.enumerated() where entry.revents != 0 {
                let index = indices[slot]
                let got = recv(entry.fd, &chunk, chunk.count, 0)
                if got > 0 {
                    if firstByte[index] == nil { firstByte[index] = Date() }
                    buffers[index] += chunk[0..<got]
                } else {
                    open.remove(index)
                }
            }
        }
        for fd in sockets { close(fd) }
        return sockets.indices.map { index in
            let text = String(decoding: buffers[index], as: UTF8.self)
            let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) }
            let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
            return Answer(status: status, body: body, at: firstByte[index])
        }
    }
}
