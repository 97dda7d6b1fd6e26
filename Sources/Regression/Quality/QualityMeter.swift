import FFmpegKit
import Foundation

/// One rendition picture's scores against the source picture it was paired with.
public struct FrameScores: Sendable, Equatable {
    /// PSNR in dB over Y, U and V weighted by plane size (`lavfi.psnr.psnr_avg`), capped at 100.
    public var psnr: Double
    /// SSIM over all planes (`lavfi.ssim.All`).
    public var ssim: Double
    /// VMAF (0...100), when this FFmpeg build has libvmaf; nil otherwise.
    public var vmaf: Double?

    public init(psnr: Double, ssim: Double, vmaf: Double?) {
        self.psnr = psnr
        self.ssim = ssim
        self.vmaf = vmaf
    }
}

/// The scores of a rendition and what could not be scored.
public struct QualityMeasurement: Sendable, Equatable {
    /// One per paired picture, in presentation order.
    public var frames: [FrameScores]
    /// Rendition pictures not scored: no source picture within half a frame of them, or no usable time.
    public var skippedRenditionFrames: Int
    /// Rendition packets the decoder rejected (skipped).
    public var damagedRenditionPackets: Int
}

/// PSNR, SSIM and (when available) VMAF of an HLS rendition against its source, with libavfilter.
///
/// Pictures are paired by presentation time relative to each stream's first picture (a rendition's
/// timeline is shifted: LiveLadder's starts at 10 s, ffmpeg's hls muxer's at about 1.4 s): each rendition
/// picture with the nearest source picture within half a source frame. Both videos are decoded picture by
/// picture, so memory stays bounded whatever their length.
public enum QualityMeter {
    /// Whether this FFmpeg build has the `libvmaf` filter; checked at run time, not build time.
    public static var vmafAvailable: Bool { FilterGraph.isAvailable("libvmaf") }

    /// The formats a rendition buffer may be in: TS segments concatenated, or an fMP4 init segment
    /// followed by its media segments.
    public static let renditionFormats: Set<String> = ["mpegts", "mp4"]

    /// The scores of every paired picture of `rendition` (a whole rendition's video as one buffer, in
    /// `format` "mpegts" or "mp4") against the video of the file at `source`.
    public static func measure(rendition: [UInt8], format: String, source: String) throws -> [FrameScores] {
        try measurement(rendition: rendition, format: format, source: source).frames
    }

    /// `measure`, with the counts of what was skipped.
    public static func measurement(rendition: [UInt8], format: String, source: String) throws -> QualityMeasurement {
        let sourceStream = try openSource(source)
        let renditionStream = try openRendition(rendition, format: format)
        let halfFrame = try halfFrameMicroseconds(sourceStream)
        let vmafLog = vmafAvailable
            ? FileManager.default.temporaryDirectory.appendingPathComponent("liveladder-vmaf-\(UUID().uuidString).json")
            : nil
        defer { if let vmafLog { try? FileManager.default.removeItem(at: vmafLog) } }

        var graph: MetricGraph?
        var window = SourceWindow(stream: sourceStream, halfFrame: halfFrame)
        var unpaired = 0
        var decodedRendition = 0
        while let picture = try renditionStream.next() {
            decodedRendition += 1
            guard let reference = try window.nearest(to: picture.time) else { unpaired += 1; continue }
            if graph == nil {
                graph = try makeGraph(picture.frame, renditionStream, reference, sourceStream, vmafLog)
            }
            do {
                try graph!.add(distorted: picture.frame, reference: reference)
            } catch let error as FFmpegError {
                throw QualityError("quality: scoring \(renditionStream.label) against \(sourceStream.label) failed: \(error)")
            }
        }
        guard decodedRendition > 0 else {
            throw QualityError("quality: \(renditionStream.label) has no decodable video pictures (\(renditionStream.damagedPackets) damaged packets)")
        }
        guard let graph else {
            throw QualityError("quality: none of the \(decodedRendition) pictures of \(renditionStream.label) lies within half a frame of a picture of \(sourceStream.label)")
        }
        let frames: [FrameScores]
        do {
            frames = try graph.finish()
        } catch let error as FFmpegError {
            throw QualityError("quality: scoring \(renditionStream.label) against \(sourceStream.label) failed: \(error)")
        }
        return QualityMeasurement(frames: frames, skippedRenditionFrames: unpaired + renditionStream.untimedFrames,
                                  damagedRenditionPackets: renditionStream.damagedPackets)
    }

    private static func openSource(_ path: String) throws -> VideoFrameStream {
        let label = "source \(path)"
        let input: MediaInput
        do {
            input = try MediaInput(url: path)
        } catch {
            throw QualityError("quality: \(label) does not open: \(error)")
        }
        return try VideoFrameStream(input: input, label: label)
    }

    private static func openRendition(_ bytes: [UInt8], format: String) throws -> VideoFrameStream {
        let label = "rendition (\(format), \(bytes.count) bytes)"
        guard renditionFormats.contains(format) else {
            throw QualityError("quality: \(label): the format must be mpegts or mp4")
        }
        let input: MediaInput
        do {
            input = try MediaInput(bytes: bytes, name: "rendition.\(format == "mp4" ? "mp4" : "ts")", format: format)
        } catch {
            throw QualityError("quality: \(label) does not open as \(format): \(error)")
        }
        return try VideoFrameStream(input: input, label: label)
    }

    /// Half the source's frame duration, in microseconds. The frame rate comes from the file, so it is
    /// checked first: 1 to 1000 frames per second.
    private static func halfFrameMicroseconds(_ stream: VideoFrameStream) throws -> Int64 {
        let rate = stream.frameRate
        guard rate.isValid, (1.0...1000.0).contains(rate.doubleValue) else {
            throw QualityError("quality: \(stream.label): its video has no usable frame rate (\(rate))")
        }
        return Int64((500_000 / rate.doubleValue).rounded())
    }

    private static func makeGraph(_ distorted: Frame, _ renditionStream: VideoFrameStream, _ reference: Frame,
                                  _ sourceStream: VideoFrameStream, _ vmafLog: URL?) throws -> MetricGraph {
        do {
            return try MetricGraph(distorted: distorted, distortedAspect: renditionStream.sampleAspectRatio,
                                   reference: reference, referenceAspect: sourceStream.sampleAspectRatio,
                                   vmafLog: vmafLog)
        } catch let error as FFmpegError {
            throw QualityError("quality: the filter graph for \(renditionStream.label) against \(sourceStream.label) does not build: \(error)")
        }
    }
}

/// The source pictures near the rendition picture being paired: read ahead to half a frame past it, and
/// dropped once more than half a frame behind, so it holds two or three pictures at a time.
struct SourceWindow {
    let stream: VideoFrameStream
    let halfFrame: Int64
    private var pictures: [TimedFrame] = []
    private var ended = false

    init(stream: VideoFrameStream, halfFrame: Int64) {
        self.stream = stream
        self.halfFrame = halfFrame
    }

    /// The source picture nearest `time` within half a frame (the earlier one on a tie), or nil.
    mutating func nearest(to time: Int64) throws -> Frame? {
        while !ended, (pictures.last?.time ?? .min) <= time + halfFrame {
            if let next = try stream.next() {
                pictures.append(next)
                dropOld(before: time)
            } else {
                ended = true
            }
        }
        dropOld(before: time)
        let candidates = pictures.filter { abs($0.time - time) <= halfFrame }
        return candidates.min { abs($0.time - time) < abs($1.time - time) }?.frame
    }

    private mutating func dropOld(before time: Int64) {
        while let first = pictures.first, first.time < time - halfFrame { pictures.removeFirst() }
    }
}
