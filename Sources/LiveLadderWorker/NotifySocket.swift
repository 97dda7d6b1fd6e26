import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `NOTIFY_SOCKET` datagram socket of the sd_notify protocol, spoken directly (no libsystemd): an
/// unbound AF_UNIX SOCK_DGRAM socket, one `sendto` per message.
///
/// `@unchecked Sendable`: `fd` and `address` are immutable after init; `sendto` is thread-safe.
final class NotifySocket: @unchecked Sendable {
    private let fd: Int32
    private let address: sockaddr_un
    private let length: socklen_t

    /// `path` is a file system path, or `@name` for a name in the abstract namespace (Linux).
    init(path: String) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        // A path needs room for its NUL; an abstract name is exactly its bytes (the leading NUL included).
        guard !bytes.isEmpty, bytes.count < capacity || (abstract && bytes.count == capacity) else {
            throw WorkerSetupError("NOTIFY_SOCKET \(path): not a usable socket address")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path) ?? 2
        length = socklen_t(pathOffset + bytes.count + (abstract ? 0 : 1))
        self.address = address
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else {
            throw WorkerSetupError("NOTIFY_SOCKET \(path): cannot make a socket: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends one message without waiting (a systemd that does not read must not stall us); returns the
    /// error text when it was not sent.
    func send(_ message: String) -> String? {
        var address = self.address
        let bytes = Array(message.utf8)
        #if canImport(Glibc)
        let flags = Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL)
        #else
        let flags = Int32(MSG_DONTWAIT)
        #endif
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    sendto(fd, buffer.baseAddress, buffer.count, flags, socketAddress, length)
                }
            }
        }
        return sent < 0 ? String(cString: strerror(errno)) : nil
    }
}
