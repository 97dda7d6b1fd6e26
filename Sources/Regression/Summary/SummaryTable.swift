/// `summarize` without `--json`: the same facts as a table a person reads.
public enum SummaryTable {
    public static func render(_ summary: OutputSummary) -> String {
        var lines: [String] = []
        let tools = summary.tools
        lines.append("summarized by liveladder \(tools.liveladder) (FFmpeg \(tools.ffmpeg), x264 \(tools.x264 ?? "none"))")
        lines.append("master: \(summary.master.variants.count) variants\(summary.master.audio.isEmpty ? "" : ", \(summary.master.audio.count) audio renditions")\(summary.master.independentSegments ? ", INDEPENDENT-SEGMENTS" : "")")
        lines += table(["variant", "BANDWIDTH", "AVERAGE", "CODECS", "RESOLUTION", "FRAME-RATE", "AUDIO"],
                       summary.master.variants.map { [$0.uri, $0.bandwidth.map(String.init) ?? "-", $0.averageBandwidth.map(String.init) ?? "-",
                                                      $0.codecs ?? "-", $0.resolution ?? "-", $0.frameRate ?? "-", $0.audioGroup ?? "-"] })
        lines.append("")
        lines += table(["rendition", "type", "v", "target", "seq", "segments", "gaps", "disc", "track", "frames/samples", "avg kbit/s", "peak kbit/s"],
                       summary.renditions.map { r in
                           let track = r.video.map { "\($0.codec) \($0.width)x\($0.height)" } ?? r.audio.map { "\($0.codec) \($0.sampleRate) Hz \($0.channels) ch" } ?? "-"
                           let count = r.video.map { "\($0.frames)" } ?? r.audio.map { "\($0.samples)" } ?? "-"
                           return [r.uri, r.playlistType ?? "live", r.version.map(String.init) ?? "-", "\(r.targetDuration)", "\(r.mediaSequence)",
                                   "\(r.segmentCount)", list(r.gaps), list(r.discontinuities), track, count,
                                   kilo(r.averageBitrate), kilo(r.peakBitrate)]
                       })
        let measured = summary.renditions.filter { $0.quality != nil }
        if !measured.isEmpty {
            lines.append("")
            lines.append("quality against the source (mean / harmonic mean / 5th percentile):")
            lines += table(["rendition", "PSNR dB", "SSIM", "VMAF", "frames"], measured.map { r in
                let q = r.quality!
                return [r.uri, figures(q.psnr), figures(q.ssim), q.vmaf.map(figures) ?? "n/a (no libvmaf)",
                        "\(q.psnr.frames)\(q.unmatchedFrames > 0 ? " (\(q.unmatchedFrames) unmatched)" : "")"]
            })
        }
        for rendition in summary.renditions {
            lines.append("")
            let scale = [rendition.video.map { "video 1/\($0.timescale) s" }, rendition.audio.map { "audio 1/\($0.timescale) s" }]
                .compactMap { $0 }.joined(separator: ", ")
            lines.append("\(rendition.uri) segments (ticks: \(scale.isEmpty ? "none" : scale)):")
            lines += table(["#", "uri", "EXTINF", "bytes", "video start", "duration", "frames", "IDR", "keyframes", "audio start", "samples"],
                           rendition.segments.enumerated().map { index, s in
                               [String(index), s.uri, s.extinf, s.gap ? "GAP" : s.bytes.map(String.init) ?? "-",
                                s.video.map { String($0.start) } ?? "-", s.video.map { String($0.duration) } ?? "-",
                                s.video.map { String($0.frames) } ?? "-", s.video.map { $0.idrFirst ? "yes" : "NO" } ?? "-",
                                s.video.map { list($0.keyframes) } ?? "-",
                                s.audio.map { String($0.start) } ?? "-", s.audio.map { String($0.samples) } ?? "-"]
                           })
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func list(_ values: [Int]) -> String { values.isEmpty ? "-" : values.map(String.init).joined(separator: ",") }
    private static func kilo(_ bits: Int) -> String { String((bits + 500) / 1000) }
    private static func figures(_ metric: MetricSummary) -> String { "\(metric.mean) / \(metric.harmonicMean) / \(metric.p5)" }

    /// Left-aligned columns, two spaces apart.
    static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces
        }
    }
}

private extension String {
    var trimmingTrailingSpaces: String {
        var text = Substring(self)
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
