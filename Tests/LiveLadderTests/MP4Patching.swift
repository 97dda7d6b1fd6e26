import Foundation

/// Byte-level edits of an MP4's codec configuration, for inputs a decoder refuses to open.
enum MP4Patching {
    /// Returns `bytes` with the audio object type of the first AAC AudioSpecificConfig (in `esds`) set to
    /// `objectType` (5 bits), the rest of the file untouched.
    static func settingAACObjectType(_ objectType: UInt8, in bytes: [UInt8]) -> [UInt8]? {
        guard let esds = find(Array("esds".utf8), in: bytes) else { return nil }
        var index = esds + 4 + 4 // box type, then the full box's version and flags
        // ES_Descriptor (3) → DecoderConfigDescriptor (4) → DecoderSpecificInfo (5), whose payload is the ASC.
        for (tag, skip) in [(UInt8(3), 3), (4, 13), (5, 0)] {
            guard index < bytes.count, bytes[index] == tag else { return nil }
            index += 1
            // Descriptor lengths are 7 bits a byte, high bit set on every byte but the last.
            while index < bytes.count, bytes[index] & 0x80 != 0 { index += 1 }
            index += 1 + skip
        }
        guard index < bytes.count else { return nil }
        var patched = bytes
        patched[index] = objectType << 3 | (bytes[index] & 0x07)
        return patched
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
