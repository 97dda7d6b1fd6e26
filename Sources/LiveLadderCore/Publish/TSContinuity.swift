/// Keeps MPEG-TS continuity counters running across a rendition's segments (rule S6).
///
/// Each segment's bytes come from a muxer of its own generation: a restarted rendition gets a fresh muxer,
/// and every stand-in at a GAP URI is muxed alone, so their counters start again at 0. A player reading the
/// rendition straight through sees that as packet loss (FFmpeg flags the packets corrupt, and with
/// `discardcorrupt` drops the frames; VLC and GStreamer log TS discontinuities). The publisher therefore
/// renumbers every TS packet it writes, in playlist order, from one counter per PID: the 4-bit
/// `continuity_counter` goes up by one for each packet that carries a payload and stays put for one that
/// carries only an adaptation field (ISO/IEC 13818-1 §2.4.3.3).
///
/// A value type: the publisher commits the new state only once the segment is on disk, so a segment that
/// failed to write does not leave a hole in the count.
struct TSContinuity {
    static let packetSize = 188
    private var next: [UInt16: UInt8] = [:]

    init() {}

    /// The state after `bytes`, a segment some earlier writer renumbered (a resumed run's last file): each
    /// PID goes on from the counter its last packet carried. Bytes that are not TS packets give a fresh state.
    static func continuing(after bytes: [UInt8]) -> TSContinuity {
        var state = TSContinuity()
        guard bytes.count % packetSize == 0 else { return state }
        for offset in stride(from: 0, to: bytes.count, by: packetSize) {
            guard bytes[offset] == 0x47 else { return TSContinuity() }
            let pid = UInt16(bytes[offset + 1] & 0x1F) << 8 | UInt16(bytes[offset + 2])
            // A packet without payload repeats its predecessor's counter, so "one more" holds for both.
            if pid != 0x1FFF { state.next[pid] = (bytes[offset + 3] & 0x0F &+ 1) & 0x0F }
        }
        return state
    }

    /// `bytes` with every packet's counter renumbered, and the state after them. Bytes that are not whole
    /// TS packets are returned as they are (they cannot be renumbered safely).
    func renumbered(_ bytes: [UInt8]) -> (bytes: [UInt8], state: TSContinuity) {
        guard bytes.count % Self.packetSize == 0 else { return (bytes, self) }
        var state = self
        var output = bytes
        var offset = 0
        while offset < output.count {
            guard output[offset] == 0x47 else { return (bytes, self) }
            let pid = UInt16(output[offset + 1] & 0x1F) << 8 | UInt16(output[offset + 2])
            let control = output[offset + 3]
            let hasPayload = control & 0x10 != 0
            // The null packet's counter is undefined; leave it.
            if pid != 0x1FFF {
                let counter: UInt8
                if hasPayload {
                    counter = state.next[pid] ?? 0
                    state.next[pid] = (counter + 1) & 0x0F
                } else {
                    // No payload: the counter repeats the previous packet's.
                    counter = ((state.next[pid] ?? 0) &+ 15) & 0x0F
                }
                output[offset + 3] = control & 0xF0 | counter
            }
            offset += Self.packetSize
        }
        return (output, state)
    }
}
