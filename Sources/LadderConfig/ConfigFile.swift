#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a config file's text with plain POSIX calls, because only `errno` gives the
/// OS's own reason ("Permission denied", "Is a directory") for the error message.
package enum ConfigFile {
    /// A ladder config is a few hundred bytes; anything past this is not one, and reading it all
    /// (`/dev/zero`, a log file given by mistake) would only fill memory.
    static let maximumSize = 1024 * 1024

    /// The file's contents as UTF-8 text. Only a regular file is read: a FIFO with no writer would block
    /// the run forever and a device never ends, so both are refused before any read.
    /// `what` and `expected` name the file in messages; `limit` bounds it (regress reads suites and golden
    /// summaries through here too).
    package static func text(atPath path: String, limit: Int = maximumSize, what: String = "a ladder config",
                             fileKind: String = "a config file", expected: String = "a YAML file") throws(ConfigError) -> String {
        // O_NONBLOCK: opening a FIFO otherwise waits for a writer. It does not change reads of a regular file.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw cannotRead(path, errno)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw cannotRead(path, errno) }
        let type = status.st_mode & S_IFMT
        guard type == S_IFREG else {
            let kind = type == S_IFDIR ? "a folder" : type == S_IFIFO ? "a FIFO" : type == S_IFCHR || type == S_IFBLK ? "a device" : type == S_IFSOCK ? "a socket" : "a special file"
            throw ConfigError(at: path, "is \(kind), not \(fileKind); give the path of \(expected)")
        }
        guard status.st_size <= limit else {
            throw ConfigError(at: path, "is \(status.st_size) bytes; \(what) is at most \(limit) bytes (\(limit >> 20) MiB)")
        }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw cannotRead(path, errno)
            }
            bytes.append(contentsOf: chunk[..<count])
            // The file may grow while it is read.
            guard bytes.count <= limit else {
                throw ConfigError(at: path, "is over \(limit) bytes; \(what) is at most \(limit >> 20) MiB")
            }
        }
        // `String(decoding:)` would quietly replace bad bytes; a config in Latin-1 should say so.
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(at: path, "is not UTF-8 text")
        }
        return text
    }

    private static func cannotRead(_ path: String, _ code: Int32) -> ConfigError {
        ConfigError(at: path, "cannot read the file (\(String(cString: strerror(code))))")
    }
}
