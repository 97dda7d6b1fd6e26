import Foundation

/// A documented test hook, read only from the environment variable `LIVELADDER_FAULTS`:
/// `<rendition>:<kind>@<seconds>[,…]`, kind one of `encoder-error`, `stall`, `write-error`, `overload`. The named
/// rendition fails that many seconds into the output timeline, through the same code that handles a real
/// failure: an encoder error is thrown where `avcodec_send_frame` would throw it, a write error where the
/// segment file is written, and a stall blocks the rendition's thread the way a hung encoder would.
struct Fault: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        case encoderError = "encoder-error"
        case stall
        case writeError = "write-error"
        /// The rendition's pictures take three frame times longer for 5 s of media (a loaded host).
        case overload
    }

    let rendition: String
    let kind: Kind
    /// Seconds into the output timeline.
    let seconds: Double

    static let variable = "LIVELADDER_FAULTS"

    /// Parses the variable; a malformed entry is refused with one line naming it.
    static func parse(_ text: String) throws -> [Fault] {
        try text.split(separator: ",").map { entry in
            let parts = entry.split(separator: ":", maxSplits: 1)
            let timed = parts.count == 2 ? parts[1].split(separator: "@") : []
            guard parts.count == 2, timed.count == 2, let kind = Kind(rawValue: String(timed[0])),
                  let seconds = Double(timed[1]), seconds >= 0 else {
                throw LiveLadderError(.badConfig, "\(variable): \"\(entry)\" is not <rendition>:<kind>@<seconds> with kind one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return Fault(rendition: String(parts[0]), kind: kind, seconds: seconds)
        }
    }

    static func fromEnvironment() throws -> [Fault] {
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return [] }
        return try parse(text)
    }
}
