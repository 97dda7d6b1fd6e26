#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a config file's text with plain POSIX calls, because only `errno` gives the
/// OS's own reason ("Permission denied", "Is a directory") for the error message.
enum ConfigFile {
    /// The file's contents as UTF-8 text.
    static func text(atPath path: String) throws(ConfigError) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw cannotRead(path, errno)
        }
        defer { close(descriptor) }

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
