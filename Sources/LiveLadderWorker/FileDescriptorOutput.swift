import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error that the CLI prints as its one line (and maps to exit 3 for a bad `--events` path).
public struct WorkerSetupError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A file descriptor written with plain `write(2)`: no buffer in between, so each line is in the file
/// (and visible to `tail -f`) as soon as it is written.
///
/// `@unchecked Sendable`: `fd` is immutable; `failed` is touched only by the one task that writes.
final class FileDescriptorOutput: @unchecked Sendable {
    let fd: Int32
    private let owned: Bool
    private(set) var failed: String?

    /// Standard output (`--events -`), not closed at the end.
    static func standardOutput() -> FileDescriptorOutput { FileDescriptorOutput(fd: STDOUT_FILENO, owned: false) }

    /// Creates or truncates `path`. `O_APPEND`, so lines from a writer that shares the file (a shell's
    /// `>>`, a second opener) never overwrite each other, and every write lands at the current end.
    static func create(path: String, flag: String) throws -> FileDescriptorOutput {
        var info = stat()
        if stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            throw WorkerSetupError("\(flag) \(path): is a folder, not a file")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw WorkerSetupError("\(flag) \(path): cannot create the file: \(String(cString: strerror(errno)))")
        }
        return FileDescriptorOutput(fd: fd, owned: true)
    }

    private init(fd: Int32, owned: Bool) {
        self.fd = fd
        self.owned = owned
    }

    deinit {
        if owned { close(fd) }
    }

    /// Writes all of `text`; returns the error text the first time a write fails (later writes are
    /// skipped: a full disk would otherwise fail once per event).
    func write(_ text: String) -> String? {
        guard failed == nil else { return nil }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { buffer in
                #if canImport(Glibc)
                Glibc.write(fd, buffer.baseAddress, buffer.count)
                #else
                Darwin.write(fd, buffer.baseAddress, buffer.count)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                failed = String(cString: strerror(errno))
                return failed
            }
            bytes = bytes.dropFirst(written)
        }
        return nil
    }
}
