import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the progress line needs to know about stderr.
public enum Terminal {
    /// Whether stderr is a terminal: no progress line and no banner otherwise (a log file or a pipe
    /// wants lines, not carriage returns).
    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Columns of the terminal on stderr, asked each time (the window may be resized); 80 when the
    /// ioctl fails or says 0.
    public static func stderrWidth() -> Int {
        var size = winsize()
        #if canImport(Glibc)
        let result = ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size)
        #else
        let result = ioctl(STDERR_FILENO, TIOCGWINSZ, &size)
        #endif
        return result == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    }
}
