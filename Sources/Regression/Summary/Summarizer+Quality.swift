import HLSChecker

extension Summarizer {
    /// PSNR and SSIM (and VMAF with libvmaf) of one video rendition against its source. The rendition's
    /// segments are read into one buffer the way a player joins them (TS back to back; fMP4 after its init
    /// segment); GAP entries have no pictures and are left out.
    static func measureQuality(of rendition: RenditionSummary, uri: String, folder: OutputFolder, source: String) throws -> QualitySummary? {
        guard let path = folder.resolve(uri, from: folder.root).path else { return nil }
        let directory = OutputFolder.directory(of: path)
        var bytes: [UInt8] = []
        if let map = rendition.initSegment { bytes += try readMedia(map, from: directory, in: folder, playlist: uri) }
        for segment in rendition.segments where !segment.gap {
            bytes += try readMedia(segment.uri, from: directory, in: folder, playlist: uri)
        }
        let measurement: QualityMeasurement
        do {
            measurement = try QualityMeter.measurement(rendition: bytes, format: rendition.initSegment == nil ? "mpegts" : "mp4", source: source)
        } catch {
            throw SummaryError("\(uri): \(error)")
        }
        let frames = measurement.frames
        guard let psnr = MetricSummary(frames.map(\.psnr)), let ssim = MetricSummary(frames.map(\.ssim)) else {
            throw SummaryError("\(uri): no picture of the rendition could be paired with a picture of \(source); is it the source this output was made from?")
        }
        let vmafScores = frames.compactMap(\.vmaf)
        return QualitySummary(psnr: psnr, ssim: ssim, vmaf: vmafScores.count == frames.count ? MetricSummary(vmafScores) : nil,
                              unmatchedFrames: measurement.skippedRenditionFrames)
    }
}
