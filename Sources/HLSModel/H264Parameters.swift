extension H264 {
    /// The first SPS in an `AVCDecoderConfigurationRecord` (the `avcC` box body, ISO/IEC 14496-15 §5.3.3.1),
    /// which is what FFmpeg puts in `extradata` for MP4 output.
    ///
    /// Layout: `configurationVersion` (1), profile, compatibility, level, `lengthSizeMinusOne`, then
    /// `numOfSequenceParameterSets` in the low 5 bits and each SPS as a 16-bit length and its bytes.
    /// Returns `nil` unless the version is 1 and a complete SPS NAL unit is there.
    public static func spsFromAVCDecoderConfiguration(_ avcC: [UInt8]) -> [UInt8]? {
        let firstSPSOffset = 8
        guard avcC.count > firstSPSOffset, avcC[0] == 1, avcC[5] & 0x1F > 0 else { return nil }
        let length = Int(avcC[6]) << 8 | Int(avcC[7])
        guard length > 0, length <= avcC.count - firstSPSOffset else { return nil }
        let sps = Array(avcC[firstSPSOffset..<firstSPSOffset + length])
        return isSPSHeader(sps[0]) ? sps : nil
    }

    /// The first SPS in codec extradata or a packet, whichever form it has: Annex B (starts with a
    /// `00 00 01` or `00 00 00 01` start code, as libx264 writes for MPEG-TS) or an avcC record (first
    /// byte 1). Anything else — including a length-prefixed sample — returns `nil`.
    public static func findSPS(in extradataOrPacket: [UInt8]) -> [UInt8]? {
        if startsWithStartCode(extradataOrPacket) {
            let sps = annexBNALUnits(extradataOrPacket).first { $0.first.map(isSPSHeader) ?? false }
            return sps.map(Array.init)
        }
        if extradataOrPacket.first == 1 {
            return spsFromAVCDecoderConfiguration(extradataOrPacket)
        }
        return nil
    }

    /// The RFC 6381 codec string for an SPS, `avc1.PPCCLL`: lowercase hex of `profile_idc`, the constraint
    /// flags byte and `level_idc`, the three bytes after the NAL header (HLS-RULES MV5). x264 High@3.1
    /// gives `avc1.64001f`.
    ///
    /// Returns `nil` if `sps` is shorter than four bytes or its header is not an SPS (type 7 with the
    /// forbidden bit clear). Emulation-prevention bytes cannot occur in these three bytes because
    /// `profile_idc` is never zero.
    public static func codecString(sps: [UInt8]) -> String? {
        guard sps.count >= 4, isSPSHeader(sps[0]) else { return nil }
        return "avc1." + sps[1...3].map(twoDigitHex).joined()
    }

    private static func isSPSHeader(_ headerByte: UInt8) -> Bool {
        headerByte & 0x80 == 0 && nalType(headerByte) == sequenceParameterSetType
    }

    /// Any number of zero bytes (at least two) followed by `01`: Annex B's leading zeros and start code.
    private static func startsWithStartCode(_ bytes: [UInt8]) -> Bool {
        guard let firstNonZero = bytes.firstIndex(where: { $0 != 0 }) else { return false }
        return firstNonZero >= 2 && bytes[firstNonZero] == 1
    }

    private static func twoDigitHex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return byte < 0x10 ? "0" + digits : digits
    }
}
