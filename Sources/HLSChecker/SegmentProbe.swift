import FFmpegKit

/// The timing of one stream within one segment, in seconds of the stream's own clock.
///
/// Presentation times use each packet's pts, falling back to dts when the demuxer gives none (libavformat's
/// mpegts demuxer may, for the first packets of a segment read on its own).
struct StreamTiming: Sendable {
    /// Smallest presentation time: where the segment's media starts.
    var start: Double
    /// Largest presentation time and that packet's own duration (0 when the demuxer does not know it).
    var lastPresentation: Double
    var lastPresentationDuration: Double
    /// Decode times of the first and last packet, and the last packet's duration (for fMP4 `tfdt`
    /// continuity, which is a decode-time timeline).
    var firstDecode: Double
    var lastDecode: Double
    var lastDecodeDuration: Double
    var packets: Int
    /// The first place where decode time went backwards: (previous, next).
    var decodeWentBackwards: (from: Double, to: Double)?
    /// A presentation time used twice (two frames shown at once: timestamps went back and repeated).
    var repeatedPresentation: Double?

    /// Shifts every time by `offset` (used to unwrap the 33-bit MPEG-TS clock).
    func shifted(by offset: Double) -> StreamTiming {
        guard offset != 0 else { return self }
        var copy = self
        copy.start += offset
        copy.lastPresentation += offset
        copy.firstDecode += offset
        copy.lastDecode += offset
        copy.decodeWentBackwards = decodeWentBackwards.map { ($0.from + offset, $0.to + offset) }
        copy.repeatedPresentation = repeatedPresentation.map { $0 + offset }
        return copy
    }
}

struct VideoFacts: Sendable {
    var timing: StreamTiming
    var codec: String
    var width: Int
    var height: Int
    /// Mean distance between consecutive presentation times, when the segment has two frames or more.
    var measuredFrameDuration: Double?
    /// `av_guess_frame_rate`, as a fallback when a segment has a single frame.
    var declaredFrameRate: Double?
    var firstPacketIsKeyframe: Bool
    /// NAL unit types of the first video packet in the file.
    var firstPacketUnitTypes: Set<Int>
    /// `avc1.PPCCLL` from the SPS the segment carries (in band for TS, in the init's avcC for fMP4).
    var codecString: String?
    /// fMP4: the init segment's avcC holds an SPS and a PPS. nil for TS.
    var configurationHasParameterSets: Bool?
}

struct AudioFacts: Sendable {
    var timing: StreamTiming
    /// The AAC frames in the stream's own ticks, for the exact join check (S7).
    var frames: AudioFrames?
    var codec: String
    /// FFmpeg profile number (1 = AAC-LC), nil when unknown.
    var profile: Int?
    var sampleRate: Int
    var channels: Int

    /// One AAC frame: 1024 samples.
    var frameDuration: Double { sampleRate > 0 ? 1024 / Double(sampleRate) : 1024.0 / 48000 }

    /// What `CODECS` must say for this audio, or nil when HLS-RULES has no string for the codec.
    var codecString: String? {
        guard codec == "aac" else { return nil }
        // The MPEG-4 audio object type is FFmpeg's AAC profile + 1 (LC 1 → 2, HE 4 → 5, HEv2 28 → 29).
        return "mp4a.40.\((profile ?? 1) + 1)"
    }
}

/// A segment's audio frames (packets) in integer ticks of the stream's time base: doubles would blur the
/// one-tick differences S7 looks at.
struct AudioFrames: Sendable, Equatable {
    /// Smallest and largest presentation time.
    var first: Int64
    var last: Int64
    var count: Int
    var timeBase: Rational
}

/// Everything the rules need to know about one media segment.
struct SegmentFacts: Sendable {
    var size: Int
    var container: SegmentContainer
    var video: VideoFacts?
    var audio: AudioFacts?
    var structureProblems: [StructureProblem]
    /// TS only: each PID's continuity counters (S6).
    var continuity: TransportStreamContinuity?

    func shifted(by offset: Double) -> SegmentFacts {
        var copy = self
        if let timing = video?.timing { copy.video?.timing = timing.shifted(by: offset) }
        if let timing = audio?.timing { copy.audio?.timing = timing.shifted(by: offset) }
        return copy
    }
}

/// What became of one playlist entry.
enum SegmentOutcome: Sendable {
    /// `#EXT-X-GAP`: not fetched, as clients must not fetch it.
    case gap
    /// The file is missing, empty, or does not open as media (MP12).
    case unusable(String)
    /// An fMP4 segment that cannot be read because the playlist names no usable init segment: S4 (no
    /// EXT-X-MAP) or MP12 (the init is missing) reports the cause once for the playlist.
    case needsInitSegment
    /// The URI leads outside the output folder or to something that is not a bounded regular file (URI1);
    /// it was not opened.
    case refused(String)
    case probed(SegmentFacts)

    var facts: SegmentFacts? {
        if case .probed(let facts) = self { return facts }
        return nil
    }
}

enum SegmentProbe {
    /// Opens one segment (fMP4: the init segment's bytes followed by the segment's) and reads every packet
    /// without decoding: cheap enough for a whole ladder, and packets are what players get.
    static func probe(segment bytes: [UInt8], initSegment: [UInt8]?, initTracks: [Int: String]?, name: String) -> SegmentOutcome {
        guard !bytes.isEmpty else { return .unusable("the file is empty") }
        let container = SegmentContainer(sniffing: bytes)
        var problems: [StructureProblem]
        let input: MediaInput
        do {
            switch container {
            case .transportStream:
                problems = TransportStreamPackets.problems(in: bytes)
                input = try MediaInput(bytes: bytes, name: name, format: "mpegts")
            case .fragmentedMP4:
                problems = FragmentedSegment.problems(in: bytes, initTracks: initTracks)
                guard let initSegment else { return .needsInitSegment }
                input = try MediaInput(bytes: initSegment + bytes, name: name, format: "mp4")
            case .unknown:
                return .unusable("is neither MPEG-TS (0x47 sync byte) nor ISO BMFF (box header)")
            }
        } catch {
            return .unusable("does not open as media: \(error)")
        }
        do {
            let continuity = container == .transportStream ? TransportStreamContinuity(scanning: bytes) : nil
            return .probed(try read(input, size: bytes.count, container: container, problems: problems,
                                    continuity: continuity))
        } catch {
            return .unusable("cannot be read to the end: \(error)")
        }
    }

    private static func read(_ input: MediaInput, size: Int, container: SegmentContainer,
                             problems: [StructureProblem], continuity: TransportStreamContinuity?) throws -> SegmentFacts {
        let videoIndex = input.streams.first { $0.kind == .video }?.index
        let audioIndex = input.streams.first { $0.kind == .audio }?.index
        var videoTimes = TimingAccumulator(timeBase: videoIndex.map { input.timeBase(ofStream: $0).doubleValue } ?? 0)
        let audioTimeBase = audioIndex.map { input.timeBase(ofStream: $0) }
        var audioTimes = TimingAccumulator(timeBase: audioTimeBase?.doubleValue ?? 0)
        var firstVideoPacket: Packet?
        while let packet = try input.read() {
            if packet.streamIndex == videoIndex {
                if firstVideoPacket == nil { firstVideoPacket = packet }
                videoTimes.add(packet)
            } else if packet.streamIndex == audioIndex {
                audioTimes.add(packet)
            }
        }
        var facts = SegmentFacts(size: size, container: container, video: nil, audio: nil, structureProblems: problems,
                                 continuity: continuity)
        if let videoIndex, let timing = videoTimes.finishedTiming {
            facts.video = videoFacts(input, stream: videoIndex, timing: timing, accumulator: videoTimes,
                                     firstPacket: firstVideoPacket, container: container)
        }
        if let audioIndex, let timing = audioTimes.finishedTiming {
            let stream = input.streams[audioIndex]
            let frames = audioTimeBase.flatMap { audioTimes.frames(timeBase: $0) }
            facts.audio = AudioFacts(timing: timing, frames: frames, codec: stream.codec,
                                     profile: input.codecProfile(ofStream: audioIndex),
                                     sampleRate: stream.sampleRate ?? 0, channels: stream.channels ?? 0)
        }
        return facts
    }

    private static func videoFacts(_ input: MediaInput, stream index: Int, timing: StreamTiming,
                                   accumulator: TimingAccumulator, firstPacket: Packet?,
                                   container: SegmentContainer) -> VideoFacts {
        let stream = input.streams[index]
        let rate = input.frameRate(ofStream: index)
        var facts = VideoFacts(timing: timing, codec: stream.codec, width: stream.width ?? 0, height: stream.height ?? 0,
                               measuredFrameDuration: accumulator.meanFrameDistance,
                               declaredFrameRate: rate.isValid ? rate.doubleValue : nil,
                               firstPacketIsKeyframe: firstPacket?.isKeyframe ?? false,
                               firstPacketUnitTypes: [], codecString: nil, configurationHasParameterSets: nil)
        guard stream.codec == "h264" else { return facts }
        let payload = firstPacket?.bytes ?? []
        switch container {
        case .transportStream:
            let units = H264Bitstream.annexBUnits(payload)
            facts.firstPacketUnitTypes = Set(units.map(H264Bitstream.type))
            facts.codecString = units.first { H264Bitstream.type(of: $0) == H264Bitstream.sequenceParameterSet }
                .flatMap(H264Bitstream.codecString)
        case .fragmentedMP4:
            let configuration = H264Bitstream.decoderConfiguration(avcC: input.extradata(ofStream: index))
            facts.configurationHasParameterSets = configuration.map {
                !$0.sequenceParameterSets.isEmpty && !$0.pictureParameterSets.isEmpty
            } ?? false
            facts.codecString = configuration?.sequenceParameterSets.first.flatMap(H264Bitstream.codecString)
            let units = H264Bitstream.lengthPrefixedUnits(payload, lengthSize: configuration?.lengthSize ?? 4)
            facts.firstPacketUnitTypes = Set(units.map(H264Bitstream.type))
        case .unknown:
            break
        }
        return facts
    }
}

/// Running timing of one stream while its packets are read.
private struct TimingAccumulator {
    let timeBase: Double
    private(set) var timing: StreamTiming?
    private var presentationTimes: [Int64] = []

    init(timeBase: Double) { self.timeBase = timeBase }

    mutating func add(_ packet: Packet) {
        guard let presentation = packet.pts ?? packet.dts else { return }
        let decode = packet.dts ?? presentation
        presentationTimes.append(presentation)
        let duration = Double(max(packet.duration, 0)) * timeBase
        let pts = Double(presentation) * timeBase
        let dts = Double(decode) * timeBase
        guard var current = timing else {
            timing = StreamTiming(start: pts, lastPresentation: pts, lastPresentationDuration: duration,
                                  firstDecode: dts, lastDecode: dts, lastDecodeDuration: duration, packets: 1)
            return
        }
        current.packets += 1
        current.start = min(current.start, pts)
        if pts >= current.lastPresentation {
            current.lastPresentation = pts
            current.lastPresentationDuration = duration
        }
        if dts < current.lastDecode, current.decodeWentBackwards == nil {
            current.decodeWentBackwards = (current.lastDecode, dts)
        }
        current.lastDecode = max(current.lastDecode, dts)
        if dts >= current.lastDecode { current.lastDecodeDuration = duration }
        timing = current
    }

    /// (last − first) / (frames − 1) over the sorted presentation times.
    var meanFrameDistance: Double? {
        guard presentationTimes.count >= 2 else { return nil }
        let sorted = presentationTimes.sorted()
        // In Double: a hostile file's timestamps may sit at both ends of Int64, whose difference overflows.
        let span = (Double(sorted.last!) - Double(sorted.first!)) * timeBase
        return span > 0 ? span / Double(sorted.count - 1) : nil
    }

    /// The packets' presentation times in ticks: for audio, one AAC frame each.
    func frames(timeBase: Rational) -> AudioFrames? {
        guard let first = presentationTimes.min(), let last = presentationTimes.max() else { return nil }
        return AudioFrames(first: first, last: last, count: presentationTimes.count, timeBase: timeBase)
    }

    /// The timing with `repeatedPresentation` filled in, once every packet was added.
    var finishedTiming: StreamTiming? {
        guard var timing else { return nil }
        let sorted = presentationTimes.sorted()
        for index in sorted.indices.dropFirst() where sorted[index] == sorted[index - 1] {
            timing.repeatedPresentation = Double(sorted[index]) * timeBase
            break
        }
        return timing
    }
}
