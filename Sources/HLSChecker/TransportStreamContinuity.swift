/// The 4-bit continuity_counter of every PID in one TS segment (ISO/IEC 13818-1 §2.4.3.3), read from the
/// 188-byte packets themselves: libavformat only logs a break, and a player's demuxer drops or flags the
/// data that follows one (HLS-RULES S6).
///
/// The counter goes up by one (mod 16) with each packet of a PID that carries a payload and stays put on
/// adaptation-only packets; a packet may be sent twice in a row (same counter and the same bytes, except
/// the PCR in the adaptation field, once); a packet whose
/// adaptation field sets discontinuity_indicator may start anywhere. Null packets (PID 0x1FFF) carry no
/// counter that means anything.
struct TransportStreamContinuity: Sendable {
    /// One packet's continuity fields.
    struct Packet: Sendable, Equatable {
        var counter: UInt8
        var hasPayload: Bool
        /// The adaptation field's discontinuity_indicator: a break here is announced.
        var discontinuity: Bool
        /// The bytes after the adaptation field: a duplicate packet must repeat them exactly.
        var content: ArraySlice<UInt8> = []
    }

    /// Where a PID's chain stands after some packet.
    struct State: Sendable, Equatable {
        var counter: UInt8
        /// The last packet repeated the one before (allowed once).
        var repeated: Bool
        /// That packet's bytes after its adaptation field.
        var content: ArraySlice<UInt8> = []
    }

    /// A packet whose counter does not continue its PID's chain.
    struct Break: Sendable, Equatable {
        var pid: Int
        var counter: UInt8
        var previous: UInt8
        /// 0-based packet position in the segment.
        var packet: Int
    }

    static let nullPID = 0x1FFF

    /// Each PID's first packet in the segment, which must continue the previous segment's chain.
    private(set) var heads: [Int: Packet] = [:]
    /// Each PID's state after its last packet in the segment.
    private(set) var tails: [Int: State] = [:]
    /// Breaks inside the segment, in packet order.
    private(set) var breaks: [Break] = []

    /// Reads every whole packet up to the first one without the 0x47 sync byte (a damaged file: MP12 and
    /// S1 say so).
    init(scanning bytes: [UInt8]) {
        let size = TransportStreamPackets.packetSize
        var index = 0
        while (index + 1) * size <= bytes.count {
            let base = index * size
            guard bytes[base] == 0x47 else { break }
            let pid = Int(bytes[base + 1] & 0x1F) << 8 | Int(bytes[base + 2])
            defer { index += 1 }
            guard pid != Self.nullPID else { continue }
            let control = (bytes[base + 3] >> 4) & 0x3
            let hasAdaptation = control & 0x2 != 0
            // adaptation_field_length, then the flags byte whose top bit is discontinuity_indicator.
            let discontinuity = hasAdaptation && bytes[base + 4] > 0 && bytes[base + 5] & 0x80 != 0
            let payloadStart = min(base + 4 + (hasAdaptation ? 1 + Int(bytes[base + 4]) : 0), base + size)
            let packet = Packet(counter: bytes[base + 3] & 0x0F, hasPayload: control & 0x1 != 0, discontinuity: discontinuity,
                                content: bytes[payloadStart..<base + size])
            if heads[pid] == nil { heads[pid] = packet }
            let (state, continues) = Self.step(from: tails[pid], packet)
            if !continues, let previous = tails[pid] {
                breaks.append(Break(pid: pid, counter: packet.counter, previous: previous.counter, packet: index))
            }
            tails[pid] = state
        }
        // Slices of `bytes` would keep the whole segment alive as long as the facts are kept: the few
        // packets kept get their own storage.
        heads = heads.mapValues { head in
            var copy = head
            copy.content = ArraySlice(Array(head.content))
            return copy
        }
        tails = tails.mapValues { tail in
            var copy = tail
            copy.content = ArraySlice(Array(tail.content))
            return copy
        }
    }

    /// The chain after `packet`, and whether `packet` continues `state` (nil: nothing to continue).
    static func step(from state: State?, _ packet: Packet) -> (State, continues: Bool) {
        let fresh = State(counter: packet.counter, repeated: false, content: packet.content)
        guard let state, !packet.discontinuity else { return (fresh, true) }
        if packet.hasPayload {
            if packet.counter == (state.counter + 1) & 0x0F { return (fresh, true) }
            // Same counter and the same bytes: the standard's duplicate packet, allowed once. Same counter
            // with other bytes (a muxer that restarted on the very counter it stopped at) is a break.
            if packet.counter == state.counter, !state.repeated, packet.content == state.content {
                return (State(counter: packet.counter, repeated: true, content: packet.content), true)
            }
            return (fresh, false)
        }
        // No payload: the counter must not move.
        return packet.counter == state.counter ? (state, true) : (fresh, false)
    }
}
