internal import CFFmpeg

/// Owns one `AVPacket`. One encoded audio packet reaches every rendition as its own `Packet` made with
/// `reference()` (`av_packet_ref`): the payload is shared, the timestamps and stream index are each
/// rendition's own.
///
/// `@unchecked Sendable`: a packet is handed between threads through queues and touched by one thread at a
/// time; shared payload buffers are never written after encoding.
public final class Packet: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<AVPacket>

    public init() throws(FFmpegError) {
        pointer = try allocated(av_packet_alloc(), "av_packet_alloc")
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }

    /// A new packet sharing this one's payload (`av_packet_ref`).
    public func reference() throws(FFmpegError) -> Packet {
        let copy = try Packet()
        try check(av_packet_ref(copy.pointer, pointer), "av_packet_ref")
        return copy
    }

    public var pts: Int64? {
        get { optionalTimestamp(pointer.pointee.pts) }
        set { pointer.pointee.pts = newValue ?? noTimestamp }
    }
    public var dts: Int64? {
        get { optionalTimestamp(pointer.pointee.dts) }
        set { pointer.pointee.dts = newValue ?? noTimestamp }
    }
    public var duration: Int64 {
        get { pointer.pointee.duration }
        set { pointer.pointee.duration = newValue }
    }
    public var streamIndex: Int {
        get { Int(pointer.pointee.stream_index) }
        set { pointer.pointee.stream_index = Int32(newValue) }
    }
    public var isKeyframe: Bool { pointer.pointee.flags & AV_PKT_FLAG_KEY != 0 }
    /// The demuxer flagged the payload as damaged (`AV_PKT_FLAG_CORRUPT`).
    public var isCorrupt: Bool { pointer.pointee.flags & AV_PKT_FLAG_CORRUPT != 0 }
    public var size: Int { Int(pointer.pointee.size) }

    /// A copy of the payload, for inspection (SPS lookup, IDR checks).
    public var bytes: [UInt8] {
        guard let data = pointer.pointee.data, pointer.pointee.size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(pointer.pointee.size)))
    }

    /// Converts pts, dts and duration from one time base to another (`av_packet_rescale_ts`).
    public func rescale(from source: Rational, to target: Rational) {
        av_packet_rescale_ts(pointer, source.av, target.av)
    }
}
