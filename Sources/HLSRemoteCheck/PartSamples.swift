/// HLS-RULES LL4 for one completed segment: its parts hold exactly its samples.
///
/// Parts cut from the segment itself (LiveLadder's: each part one moof+mdat, the segment their
/// concatenation) have the same bytes. A packager that writes the segment separately has other `moof`
/// boxes but must carry the same samples, so when the bytes differ the `mdat` payloads are compared:
/// concatenated over the parts, they must equal the segment's. Sample timing inside the `moof`s is not
/// compared (the folder rules check the segment's own timing).
enum PartSamples {
    static func problem(parts: [[UInt8]], segment: [UInt8]) -> String? {
        let joined = parts.reduce(into: [UInt8]()) { $0 += $1 }
        if joined == segment { return nil }
        if let partPayload = mediaData(joined), let segmentPayload = mediaData(segment), !segmentPayload.isEmpty {
            if partPayload == segmentPayload { return nil }
            return "its \(parts.count) parts carry \(partPayload.count) bytes of samples (mdat), the segment \(segmentPayload.count), or other ones"
        }
        return "its \(parts.count) parts concatenated (\(joined.count) bytes) are not the segment's \(segment.count) bytes"
    }

    /// The concatenated payloads of the top-level `mdat` boxes, or nil when `bytes` is not a sequence of
    /// ISO BMFF boxes (a TS segment, or a box whose size runs past the end). Sizes are compared with what
    /// is left rather than added to the offset, so no size from the network can overflow.
    static func mediaData(_ bytes: [UInt8]) -> [UInt8]? {
        var payload: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let left = bytes.count - offset
            guard left >= 8 else { return nil }
            let size32 = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let isMediaData = bytes[offset + 4..<offset + 8].elementsEqual("mdat".utf8)
            var header = 8
            var size = size32
            if size32 == 1 {
                guard left >= 16 else { return nil }
                let high = bytes[offset + 8..<offset + 12].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                let low = bytes[offset + 12..<offset + 16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                guard high == 0, low <= UInt64(left) else { return nil }
                size = Int(low)
                header = 16
            } else if size32 == 0 {
                size = left  // the box runs to the end
            }
            guard size >= header, size <= left else { return nil }
            if isMediaData { payload += bytes[offset + header..<offset + size] }
            offset += size
        }
        return payload
    }
}
