/// Byte-level checks of the two segment containers, done on the file itself because libavformat hides
/// exactly what they look at: where the first TS packet points (S1), whether a file stops mid-packet or
/// mid-box (MP12), and which boxes an fMP4 segment is made of (S4).
enum SegmentContainer: Sendable, Equatable {
    case transportStream
    case fragmentedMP4
    case unknown

    /// Sniffs the first bytes: a TS sync byte, or an ISO BMFF box header.
    init(sniffing bytes: [UInt8]) {
        if bytes.first == 0x47 {
            self = .transportStream
        } else if bytes.count >= 8, ISOBoxes.isBoxType(Array(bytes[4..<8])) {
            self = .fragmentedMP4
        } else {
            self = .unknown
        }
    }
}

/// A finding about a file's structure, with the rule it breaks.
struct StructureProblem: Sendable, Equatable {
    var rule: String
    var message: String
}

enum TransportStreamPackets {
    static let packetSize = 188

    /// DVB service information PIDs (NIT, SDT, EIT, …). libavformat's mpegts muxer writes an SDT just
    /// before the PAT at every segment start; it carries no media and does not delay decoding, so it may
    /// precede the PAT/PMT.
    static let serviceInformationPIDs = 0x10...0x1F

    /// S1: a TS segment starts with the PAT and then the PMT it points to (after optional service
    /// information), so a player can start decoding at any segment. MP12: a file whose size is not a whole
    /// number of packets was cut short.
    static func problems(in bytes: [UInt8]) -> [StructureProblem] {
        var problems: [StructureProblem] = []
        if bytes.count % packetSize != 0 {
            problems.append(StructureProblem(
                rule: "MP12", message: "\(bytes.count) bytes is not a whole number of 188-byte TS packets (half-written?)"))
        }
        guard bytes.count >= packetSize, bytes[0] == 0x47 else {
            problems.append(StructureProblem(rule: "S1", message: "does not start with the TS sync byte 0x47"))
            return problems
        }
        let packets = bytes.count / packetSize
        var index = 0
        while index < packets, serviceInformationPIDs.contains(pid(bytes, packet: index)) { index += 1 }
        guard index < packets, pid(bytes, packet: index) == 0 else {
            let found = index < packets ? "PID \(pid(bytes, packet: index))" : "nothing"
            problems.append(StructureProblem(rule: "S1", message: "does not start with the PAT (PID 0): found \(found)"))
            return problems
        }
        guard let pmtPID = programMapPID(bytes, packet: index) else {
            problems.append(StructureProblem(rule: "S1", message: "the PAT at the start names no program"))
            return problems
        }
        let next = index + 1
        if next < packets, bytes[next * packetSize] != 0x47 || pid(bytes, packet: next) != pmtPID {
            problems.append(StructureProblem(
                rule: "S1", message: "the PAT is followed by PID \(pid(bytes, packet: next)), not the PMT (PID \(pmtPID))"))
        }
        return problems
    }

    private static func pid(_ bytes: [UInt8], packet: Int) -> Int {
        let base = packet * packetSize
        return Int(bytes[base + 1] & 0x1F) << 8 | Int(bytes[base + 2])
    }

    /// The PMT PID of the first program in the PAT carried by packet `packet`.
    private static func programMapPID(_ whole: [UInt8], packet: Int) -> Int? {
        let bytes = Array(whole[packet * packetSize..<(packet + 1) * packetSize])
        guard bytes[1] & 0x40 != 0 else { return nil }  // payload_unit_start: the section starts here
        var offset = 4
        let adaptation = (bytes[3] >> 4) & 0x3
        if adaptation == 2 { return nil }  // no payload
        if adaptation == 3 { offset += 1 + Int(bytes[4]) }
        guard offset < packetSize else { return nil }
        offset += 1 + Int(bytes[offset])  // pointer_field
        guard offset + 8 <= packetSize, bytes[offset] == 0 else { return nil }  // table_id 0: PAT
        let sectionLength = Int(bytes[offset + 1] & 0x0F) << 8 | Int(bytes[offset + 2])
        // Programs follow the 8-byte header; the section ends with a 4-byte CRC.
        var entry = offset + 8
        let end = min(offset + 3 + sectionLength - 4, packetSize)
        while entry + 4 <= end {
            let program = Int(bytes[entry]) << 8 | Int(bytes[entry + 1])
            let pid = Int(bytes[entry + 2] & 0x1F) << 8 | Int(bytes[entry + 3])
            if program != 0 { return pid }  // program 0 is the network PID
            entry += 4
        }
        return nil
    }
}

/// ISO BMFF box walking for fMP4 init and media segments.
enum ISOBoxes {
    struct Box {
        var type: String
        /// Offset of the box header and of its payload, and the end of the box, in the whole buffer.
        var start: Int
        var payload: Int
        var end: Int
    }

    static func isBoxType(_ bytes: [UInt8]) -> Bool {
        bytes.count == 4 && bytes.allSatisfy { (0x20...0x7E).contains($0) }
    }

    /// The boxes in `bytes[range]`, and whether they tile the range exactly (false: the last box claims
    /// more bytes than there are, or junk follows).
    static func boxes(_ bytes: [UInt8], in range: Range<Int>) -> (boxes: [Box], complete: Bool) {
        var boxes: [Box] = []
        var offset = range.lowerBound
        while offset < range.upperBound {
            guard offset + 8 <= range.upperBound else { return (boxes, false) }
            var size = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
                | Int(bytes[offset + 3])
            let typeBytes = Array(bytes[offset + 4..<offset + 8])
            guard isBoxType(typeBytes) else { return (boxes, false) }
            var payload = offset + 8
            if size == 1 {
                guard offset + 16 <= range.upperBound else { return (boxes, false) }
                size = 0
                for byte in bytes[offset + 8..<offset + 16] { size = size << 8 | Int(byte) }
                payload = offset + 16
            } else if size == 0 {
                size = range.upperBound - offset  // "extends to the end of the file"
            }
            // `size` comes from the file (a 64-bit largesize may even read as negative): compared with
            // what is left rather than added to `offset`, which could overflow.
            guard size >= payload - offset, size <= range.upperBound - offset else { return (boxes, false) }
            boxes.append(Box(type: String(decoding: typeBytes, as: UTF8.self), start: offset, payload: payload,
                             end: offset + size))
            offset += size
        }
        return (boxes, true)
    }

    static func children(_ bytes: [UInt8], of box: Box) -> [Box] {
        boxes(bytes, in: box.payload..<box.end).boxes
    }

    static func uint32(_ bytes: [UInt8], at offset: Int) -> Int? {
        guard offset + 4 <= bytes.count else { return nil }
        return Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
            | Int(bytes[offset + 3])
    }
}

/// What an fMP4 init segment declares: its tracks by id and handler (`vide`, `soun`).
struct InitSegmentFacts: Sendable {
    var tracks: [Int: String]
    var problems: [StructureProblem]

    init(bytes: [UInt8]) {
        tracks = [:]
        problems = []
        let (top, complete) = ISOBoxes.boxes(bytes, in: 0..<bytes.count)
        if !complete {
            problems.append(StructureProblem(rule: "MP12", message: "init segment ends inside a box (half-written?)"))
        }
        if top.first?.type != "ftyp" {
            problems.append(StructureProblem(rule: "S4", message: "init segment does not start with ftyp"))
        }
        guard let moov = top.first(where: { $0.type == "moov" }) else {
            problems.append(StructureProblem(rule: "S4", message: "init segment has no moov"))
            return
        }
        for trak in ISOBoxes.children(bytes, of: moov) where trak.type == "trak" {
            let parts = ISOBoxes.children(bytes, of: trak)
            guard let tkhd = parts.first(where: { $0.type == "tkhd" }), tkhd.payload < tkhd.end else { continue }
            // tkhd: version(1) flags(3), then creation/modification times (4 or 8 bytes each), then track_ID.
            let idOffset = tkhd.payload + 4 + (bytes[tkhd.payload] == 1 ? 16 : 8)
            guard let id = ISOBoxes.uint32(bytes, at: idOffset) else { continue }
            var handler = "?"
            if let mdia = parts.first(where: { $0.type == "mdia" }),
               let hdlr = ISOBoxes.children(bytes, of: mdia).first(where: { $0.type == "hdlr" }),
               hdlr.payload + 12 <= hdlr.end {
                handler = String(decoding: bytes[hdlr.payload + 8..<hdlr.payload + 12], as: UTF8.self)
            }
            tracks[id] = handler
        }
        if tracks.isEmpty {
            problems.append(StructureProblem(rule: "S4", message: "init segment's moov has no track"))
        }
    }
}

enum FragmentedSegment {
    /// Boxes that may precede the first `moof` of a media segment (ISO/IEC 23009-1 / CMAF: segment type,
    /// index, producer reference time, event messages).
    static let allowedBeforeMovieFragment: Set<String> = ["styp", "sidx", "ssix", "prft", "emsg"]

    /// MP12: the boxes must tile the file. S4: the segment is (styp …) moof mdat [moof mdat …], and each
    /// `traf` names a track the init segment declares.
    static func problems(in bytes: [UInt8], initTracks: [Int: String]?) -> [StructureProblem] {
        var problems: [StructureProblem] = []
        let (top, complete) = ISOBoxes.boxes(bytes, in: 0..<bytes.count)
        if !complete {
            problems.append(StructureProblem(rule: "MP12", message: "ends inside a box (half-written?)"))
        }
        let leading = top.prefix { allowedBeforeMovieFragment.contains($0.type) }
        let rest = top[leading.endIndex...]
        guard rest.first?.type == "moof" else {
            let found = rest.first?.type ?? "nothing"
            problems.append(StructureProblem(rule: "S4", message: "starts with \(top.map(\.type).prefix(3).joined(separator: "+")): expected moof (or styp then moof), found \(found)"))
            return problems
        }
        var expectMediaData = false
        for box in rest {
            if box.type == "moof" {
                if expectMediaData { problems.append(StructureProblem(rule: "S4", message: "moof not followed by mdat")) }
                expectMediaData = true
                if let initTracks { problems += unknownTracks(bytes, moof: box, initTracks: initTracks) }
            } else if box.type == "mdat" {
                expectMediaData = false
            }
        }
        // A cut-off file loses its last mdat; MP12 above already says why.
        if expectMediaData, complete { problems.append(StructureProblem(rule: "S4", message: "last moof has no mdat")) }
        return problems
    }

    private static func unknownTracks(_ bytes: [UInt8], moof: ISOBoxes.Box, initTracks: [Int: String]) -> [StructureProblem] {
        var problems: [StructureProblem] = []
        for traf in ISOBoxes.children(bytes, of: moof) where traf.type == "traf" {
            guard let tfhd = ISOBoxes.children(bytes, of: traf).first(where: { $0.type == "tfhd" }),
                  let id = ISOBoxes.uint32(bytes, at: tfhd.payload + 4) else {
                problems.append(StructureProblem(rule: "S4", message: "traf without a readable tfhd"))
                continue
            }
            if initTracks[id] == nil {
                problems.append(StructureProblem(rule: "S4", message: "carries track \(id), which the init segment does not declare"))
            }
        }
        return problems
    }
}
