import Foundation

/// Byte edits of the MPEG-TS fixture segments for the S6 and S7 tests: what a muxer that restarts, or
/// one that repeats or drops an AAC frame at a join, really writes. Works on whole 188-byte packets.
enum TransportStreamEditor {
    static let packetSize = 188

    static func read(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }
    static func write(_ bytes: [UInt8], to url: URL) throws { try Data(bytes).write(to: url) }

    static func packets(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        stride(from: 0, to: bytes.count - packetSize + 1, by: packetSize).map { bytes[$0..<$0 + packetSize] }
    }

    static func pid(_ packet: ArraySlice<UInt8>) -> Int {
        Int(packet[packet.startIndex + 1] & 0x1F) << 8 | Int(packet[packet.startIndex + 2])
    }

    static func hasPayload(_ packet: ArraySlice<UInt8>) -> Bool { packet[packet.startIndex + 3] & 0x10 != 0 }
    static func startsUnit(_ packet: ArraySlice<UInt8>) -> Bool { packet[packet.startIndex + 1] & 0x40 != 0 }
    static func counter(_ packet: ArraySlice<UInt8>) -> UInt8 { packet[packet.startIndex + 3] & 0x0F }

    /// Each PID's last continuity counter in the file.
    static func lastCounters(_ url: URL) throws -> [Int: UInt8] {
        var counters: [Int: UInt8] = [:]
        for packet in packets(try read(url)) { counters[pid(packet)] = counter(packet) }
        return counters
    }

    /// Rewrites the counters of every PID in `files`, in order, as one muxer would: on from `start` (a PID's
    /// last counter before the first file), and for a PID not in `start` from 0, as a fresh muxer does.
    static func renumber(_ files: [URL], continuingFrom start: [Int: UInt8]) throws {
        var last = start
        for url in files {
            var bytes = try read(url)
            for offset in stride(from: 0, to: bytes.count - packetSize + 1, by: packetSize) {
                let packet = bytes[offset..<offset + packetSize]
                let id = pid(packet)
                guard id != 0x1FFF else { continue }
                let previous = last[id] ?? 15
                let next = hasPayload(packet) ? (previous + 1) & 0x0F : previous
                bytes[offset + 3] = bytes[offset + 3] & 0xF0 | next
                last[id] = next
            }
            try write(bytes, to: url)
        }
    }

    /// Sets packet `index`'s counter to `counter`, leaving everything else as it is.
    static func setCounter(_ url: URL, packet index: Int, to counter: UInt8) throws {
        var bytes = try read(url)
        bytes[index * packetSize + 3] = bytes[index * packetSize + 3] & 0xF0 | counter
        try write(bytes, to: url)
    }

    /// The position of the `n`th (0-based) packet of `pid` that carries a payload.
    static func payloadPacket(_ bytes: [UInt8], pid wanted: Int, _ n: Int) -> Int? {
        let all = packets(bytes)
        return all.indices.filter { pid(all[$0]) == wanted && hasPayload(all[$0]) }.dropFirst(n).first
    }

    /// The PID of the first ADTS AAC stream (stream_type 0x0F) the PMT lists.
    static func audioPID(_ bytes: [UInt8]) -> Int? {
        let all = packets(bytes)
        guard let pmtPID = pmtPID(bytes), let pmt = all.first(where: { pid($0) == pmtPID }) else { return nil }
        let section = Array(payload(pmt).dropFirst(1 + Int(payload(pmt).first ?? 0)))
        let sectionEnd = 3 + (Int(section[1] & 0x0F) << 8 | Int(section[2])) - 4
        var entry = 12 + (Int(section[10] & 0x0F) << 8 | Int(section[11]))
        while entry + 5 <= sectionEnd {
            let elementary = Int(section[entry + 1] & 0x1F) << 8 | Int(section[entry + 2])
            if section[entry] == 0x0F { return elementary }
            entry += 5 + (Int(section[entry + 3] & 0x0F) << 8 | Int(section[entry + 4]))
        }
        return nil
    }

    /// The PMT PID of the first program in the PAT.
    static func pmtPID(_ bytes: [UInt8]) -> Int? {
        guard let pat = packets(bytes).first(where: { pid($0) == 0 }) else { return nil }
        let section = payload(pat).dropFirst(1 + Int(payload(pat).first ?? 0))  // pointer_field
        let entry = section.startIndex + 8
        return Int(section[entry + 2] & 0x1F) << 8 | Int(section[entry + 3])
    }

    /// The packet's payload, after the header and any adaptation field.
    static func payload(_ packet: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let base = packet.startIndex
        var offset = base + 4
        if packet[base + 3] & 0x20 != 0 { offset += 1 + Int(packet[base + 4]) }
        return packet[min(offset, packet.endIndex)...]
    }

    /// The last AAC frame (ADTS header included) of `audio` in `bytes`, with its PTS on the 90 kHz clock,
    /// assuming 48 kHz audio (1920 ticks a frame), as the fixture has.
    static func lastAudioFrame(_ bytes: [UInt8], pid audio: Int) -> (pts: Int64, frame: [UInt8])? {
        let mine = packets(bytes).filter { pid($0) == audio && hasPayload($0) }
        guard let start = mine.lastIndex(where: startsUnit) else { return nil }
        let pes = mine[start...].flatMap(payload)
        guard pes.count > 14, pes[0] == 0, pes[1] == 0, pes[2] == 1, pes[7] & 0x80 != 0 else { return nil }
        let p = Array(pes[9..<14])
        let pesPTS = Int64(p[0] >> 1 & 0x07) << 30 | Int64(p[1]) << 22 | Int64(p[2] >> 1) << 15 | Int64(p[3]) << 7
            | Int64(p[4] >> 1)
        var frames: [[UInt8]] = []
        var offset = 9 + Int(pes[8])
        while offset + 7 <= pes.count, pes[offset] == 0xFF, pes[offset + 1] & 0xF0 == 0xF0 {
            let length = Int(pes[offset + 3] & 0x03) << 11 | Int(pes[offset + 4]) << 3 | Int(pes[offset + 5]) >> 5
            guard length >= 7, offset + length <= pes.count else { break }
            frames.append(Array(pes[offset..<offset + length]))
            offset += length
        }
        guard let last = frames.last else { return nil }
        return (pesPTS + Int64(frames.count - 1) * 1920, last)
    }

    /// TS packets carrying one audio PES (stream id 0xC0) with `payload` at `pts`; counters are left at 0
    /// for `renumber` to set.
    static func audioPES(pid: Int, pts: Int64, payload: [UInt8]) -> [UInt8] {
        let ptsBytes: [UInt8] = [
            0x21 | UInt8((pts >> 29) & 0x0E), UInt8((pts >> 22) & 0xFF), UInt8((pts >> 14) & 0xFE) | 1,
            UInt8((pts >> 7) & 0xFF), UInt8((pts << 1) & 0xFE) | 1,
        ]
        let length = 3 + ptsBytes.count + payload.count
        var pes: [UInt8] = [0, 0, 1, 0xC0, UInt8(length >> 8), UInt8(length & 0xFF), 0x80, 0x80, 5] + ptsBytes + payload
        var output: [UInt8] = []
        var first = true
        while !pes.isEmpty {
            let chunk = Array(pes.prefix(184))
            pes.removeFirst(chunk.count)
            var header: [UInt8] = [0x47, (first ? 0x40 : 0) | UInt8(pid >> 8 & 0x1F), UInt8(pid & 0xFF)]
            if chunk.count == 184 {
                header.append(0x10)
            } else {
                // Stuffing in an adaptation field fills the last packet.
                let fill = 184 - chunk.count
                header.append(0x30)
                header.append(UInt8(fill - 1))
                if fill > 1 { header += [0x00] + Array(repeating: 0xFF, count: fill - 2) }
            }
            output += header + chunk
            first = false
        }
        return output
    }

    /// `bytes` with `inserted` (whole packets) before the first media packet: after the PAT, PMT and service
    /// information that start a segment.
    static func insertBeforeMedia(_ inserted: [UInt8], into bytes: [UInt8]) -> [UInt8] {
        let all = packets(bytes)
        let tables = Set([0, pmtPID(bytes) ?? 0] + Array(0x10...0x1F))
        guard let first = all.firstIndex(where: { !tables.contains(pid($0)) }) else { return bytes }
        return Array(bytes[..<(first * packetSize)]) + inserted + Array(bytes[(first * packetSize)...])
    }

    /// `bytes` without the packets of `audio`'s first PES (from its first unit start to the next).
    static func removingFirstPES(_ bytes: [UInt8], pid audio: Int) -> [UInt8] {
        var output: [UInt8] = []
        var state = 0  // 0 before the PES, 1 inside it, 2 after it
        for packet in packets(bytes) {
            if pid(packet) == audio, startsUnit(packet) { state += 1 }
            if pid(packet) == audio, state == 1 { continue }
            output += packet
        }
        return output
    }
}
