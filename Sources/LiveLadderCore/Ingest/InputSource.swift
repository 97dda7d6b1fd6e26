/// What kind of input a run reads, which decides its defaults: how its end is treated, whether it can be
/// reopened after a loss, and for how long LiveLadder waits for it to come back.
struct InputSource: Sendable {
    enum Kind: Sendable {
        /// A local file: finite, ends the stream with ENDLIST.
        case file
        /// Standard input (`-` or `pipe:0`): finite, cannot be reopened.
        case stdin
        /// LiveLadder waits for a publisher (RTMP/TCP listen, SRT listener, UDP): reopened after a loss,
        /// by default forever.
        case listen
        /// LiveLadder connects out (HTTP, HLS, SRT caller, TCP client): reopened after a loss for 30 s.
        case pull
    }

    let url: String
    let kind: Kind
    let options: [String: String]

    init(input: String, options userOptions: [String: String], listen: Bool) {
        url = input == "-" ? "pipe:0" : input
        let scheme = url.split(separator: ":", maxSplits: 1).first.map { String($0).lowercased() } ?? ""
        var options = userOptions
        if listen {
            // `--listen`: each protocol's own spelling of "wait for the other side".
            switch scheme {
            case "srt": options["mode"] = options["mode"] ?? "listener"
            case "rtmp", "tcp", "http": options["listen"] = options["listen"] ?? "1"
            default: break
            }
        }
        self.options = options
        let waits = listen || scheme == "udp" || url.contains("mode=listener") || url.contains("listen=1")
            || options["listen"] == "1" || options["mode"] == "listener"
        if url == "pipe:0" || scheme == "pipe" {
            kind = .stdin
        } else if !url.contains("://") || scheme == "file" {
            kind = .file
        } else {
            kind = waits ? .listen : .pull
        }
    }

    /// Files and stdin end; network inputs are live.
    var isFinite: Bool { kind == .file || kind == .stdin }

    /// Whether reaching the end of the input ends the stream. True for files and stdin, and for HTTP(S)
    /// pulls, whose end is the resource's end (a VOD file, a live HLS playlist that got its ENDLIST); for
    /// other network inputs the end of data means the publisher went away.
    var endsAtEndOfInput: Bool { isFinite || scheme == "http" || scheme == "https" }

    /// An RTMP server LiveLadder runs: the publisher must name the app and stream key of the URL.
    var isRTMPListener: Bool { kind == .listen && (scheme == "rtmp" || scheme == "rtmps") }

    var scheme: String { url.split(separator: ":", maxSplits: 1).first.map { String($0).lowercased() } ?? "" }

    /// How long to wait for a lost input to return when the user did not say: forever for a publisher we
    /// listen for, 30 s for a source we pull from, not at all for finite inputs.
    var defaultReconnectWindow: Double? {
        switch kind {
        case .listen: return nil
        case .pull: return 30
        case .file, .stdin: return 0
        }
    }
}
