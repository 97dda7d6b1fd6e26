/// Just enough H.264 syntax to check what a segment really carries: NAL unit types and the SPS bytes
/// that make up the `avc1.PPCCLL` CODECS string (HLS-RULES MV5, S1).
///
/// The checker reads these itself rather than through the code that wrote the output, so a bug in the
/// writer's CODECS computation cannot hide behind the same bug in the checker.
enum H264Bitstream {
    static let idrSlice = 5
    static let sequenceParameterSet = 7
    static let pictureParameterSet = 8

    /// NAL units of an Annex B byte stream (MPEG-TS packets): the bytes between start codes.
    static func annexBUnits(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var units: [ArraySlice<UInt8>] = []
        var start: Int?
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == 0, bytes[index + 1] == 0, bytes[index + 2] == 1 {
                if let start {
                    // A four-byte start code leaves one zero before it that belongs to no unit.
                    var end = index
                    while end > start, bytes[end - 1] == 0 { end -= 1 }
                    units.append(bytes[start..<end])
                }
                index += 3
                start = index
            } else {
                index += 1
            }
        }
        if let start, start < bytes.count { units.append(bytes[start...]) }
        return units.filter { !$0.isEmpty }
    }

    /// NAL units of an MP4 sample: each preceded by its length in `lengthSize` bytes (from `avcC`).
    static func lengthPrefixedUnits(_ bytes: [UInt8], lengthSize: Int) -> [ArraySlice<UInt8>] {
        var units: [ArraySlice<UInt8>] = []
        var offset = 0
        while offset + lengthSize <= bytes.count {
            var length = 0
            for byte in bytes[offset..<offset + lengthSize] { length = length << 8 | Int(byte) }
            offset += lengthSize
            guard length > 0, offset + length <= bytes.count else { break }
            units.append(bytes[offset..<offset + length])
            offset += length
        }
        return units
    }

    static func type(of unit: ArraySlice<UInt8>) -> Int {
        Int(unit[unit.startIndex] & 0x1F)
    }

    /// `avc1.PPCCLL` from an SPS NAL unit: profile_idc, the constraint flags and level_idc, the three
    /// bytes after the NAL header (emulation-prevention bytes removed first).
    static func codecString(sps unit: ArraySlice<UInt8>) -> String? {
        let payload = removingEmulationPrevention(unit.prefix(8))
        guard payload.count >= 4, type(of: payload[...]) == sequenceParameterSet else { return nil }
        return "avc1." + payload[1...3].map(hex).joined()
    }

    /// The parameter sets of an `avcC` record (ISO/IEC 14496-15 §5.3.3), and its NAL length size.
    struct DecoderConfiguration {
        var lengthSize: Int
        var sequenceParameterSets: [ArraySlice<UInt8>]
        var pictureParameterSets: [ArraySlice<UInt8>]
    }

    static func decoderConfiguration(avcC bytes: [UInt8]) -> DecoderConfiguration? {
        guard bytes.count >= 7, bytes[0] == 1 else { return nil }
        var offset = 0
        func readSets(count: Int) -> [ArraySlice<UInt8>]? {
            var sets: [ArraySlice<UInt8>] = []
            for _ in 0..<count {
                guard offset + 2 <= bytes.count else { return nil }
                let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
                offset += 2
                guard length > 0, offset + length <= bytes.count else { return nil }
                sets.append(bytes[offset..<offset + length])
                offset += length
            }
            return sets
        }
        let spsCount = Int(bytes[5] & 0x1F)
        offset = 6
        guard let sps = readSets(count: spsCount), offset < bytes.count else { return nil }
        let ppsCount = Int(bytes[offset])
        offset += 1
        guard let pps = readSets(count: ppsCount) else { return nil }
        return DecoderConfiguration(lengthSize: Int(bytes[4] & 0x03) + 1,
                                    sequenceParameterSets: sps, pictureParameterSets: pps)
    }

    private static func removingEmulationPrevention(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        var zeros = 0
        for byte in bytes {
            if zeros >= 2, byte == 3 { zeros = 0; continue }
            zeros = byte == 0 ? zeros + 1 : 0
            output.append(byte)
        }
        return output
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
