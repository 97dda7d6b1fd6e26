/// H.264 bitstream helpers for checking what the encoder really produced (HLS-RULES MV5, S1).
///
/// Everything here reads untrusted bytes: malformed, truncated or empty input yields an empty result or
/// `nil`, never a trap.
public enum H264 {
    /// `nal_unit_type` 5: a coded slice of an IDR picture.
    static let idrSliceType = 5
    /// `nal_unit_type` 7: a sequence parameter set.
    static let sequenceParameterSetType = 7

    /// The `nal_unit_type` in a NAL header byte (its low five bits, ITU-T H.264 §7.3.1).
    public static func nalType(_ headerByte: UInt8) -> Int {
        Int(headerByte & 0x1F)
    }

    /// Whether a NAL header byte starts a slice of an IDR picture (type 5).
    public static func isIDR(_ headerByte: UInt8) -> Bool {
        nalType(headerByte) == idrSliceType
    }

    /// The NAL units of an Annex B byte stream (as in MPEG-TS and FFmpeg's `h264` output), split on
    /// `00 00 01` and `00 00 00 01` start codes.
    ///
    /// Each slice starts at its NAL header byte and keeps the indices of `bytes`. Bytes before the first
    /// start code are not a NAL unit and are skipped; trailing zero bytes before the next start code are
    /// `trailing_zero_8bits` (§B.1) and are dropped, as are empty units.
    public static func annexBNALUnits(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var units: [ArraySlice<UInt8>] = []
        var unitStart: Int?
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == 0, bytes[index + 1] == 0, bytes[index + 2] == 1 {
                if let start = unitStart { appendTrimmed(bytes[start..<index], to: &units) }
                index += 3
                unitStart = index
            } else {
                index += 1
            }
        }
        if let start = unitStart { appendTrimmed(bytes[start...], to: &units) }
        return units
    }

    /// The NAL units of a length-prefixed sample (as in MP4/fMP4 `mdat`), each preceded by a big-endian
    /// length of `lengthSize` bytes (1, 2 or 4, from the avcC `lengthSizeMinusOne`; 3 is accepted too).
    ///
    /// Stops at the first length that runs past the end, returning the complete units before it. Zero-length
    /// units are skipped. An unsupported `lengthSize` returns no units.
    public static func lengthPrefixedNALUnits(_ bytes: [UInt8], lengthSize: Int = 4) -> [ArraySlice<UInt8>] {
        guard (1...4).contains(lengthSize) else { return [] }
        var units: [ArraySlice<UInt8>] = []
        var offset = 0
        while bytes.count - offset >= lengthSize {
            var length = 0
            for byte in bytes[offset..<offset + lengthSize] { length = length << 8 | Int(byte) }
            offset += lengthSize
            guard length <= bytes.count - offset else { break }
            if length > 0 { units.append(bytes[offset..<offset + length]) }
            offset += length
        }
        return units
    }

    /// Whether an Annex B access unit holds an IDR slice: the segment-start check of HLS-RULES S1.
    public static func containsIDR(annexB bytes: [UInt8]) -> Bool {
        annexBNALUnits(bytes).contains { $0.first.map(isIDR) ?? false }
    }

    /// Whether a length-prefixed (MP4) sample holds an IDR slice.
    public static func containsIDR(lengthPrefixed bytes: [UInt8], lengthSize: Int = 4) -> Bool {
        lengthPrefixedNALUnits(bytes, lengthSize: lengthSize).contains { $0.first.map(isIDR) ?? false }
    }

    private static func appendTrimmed(_ unit: ArraySlice<UInt8>, to units: inout [ArraySlice<UInt8>]) {
        var end = unit.endIndex
        while end > unit.startIndex, unit[end - 1] == 0 { end -= 1 }
        if end > unit.startIndex { units.append(unit[unit.startIndex..<end]) }
    }
}
