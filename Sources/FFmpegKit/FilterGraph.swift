internal import CFFmpeg

/// Owns an `AVFilterGraph` built from a filter description with named `buffer` sources and named
/// `buffersink` outputs. Frames go in by source name and come out by sink name.
///
/// The graph owns every filter context in it (sources and sinks included): `avfilter_graph_free` frees
/// them all, so the contexts are borrowed pointers here and only the graph has an owner.
public final class FilterGraph {
    /// One video input of the graph: a `buffer` filter whose output is the label `name` in the description.
    public struct VideoSource: Sendable {
        public var name: String
        public var width: Int
        public var height: Int
        public var pixelFormat: PixelFormat
        public var timeBase: Rational
        public var sampleAspectRatio: Rational

        public init(name: String, width: Int, height: Int, pixelFormat: PixelFormat, timeBase: Rational,
                    sampleAspectRatio: Rational = Rational(1, 1)) {
            self.name = name
            self.width = width
            self.height = height
            self.pixelFormat = pixelFormat
            self.timeBase = timeBase
            self.sampleAspectRatio = sampleAspectRatio
        }
    }

    private let owner: GraphOwner
    private var sources: [String: UnsafeMutablePointer<AVFilterContext>] = [:]
    private var sinks: [String: UnsafeMutablePointer<AVFilterContext>] = [:]

    /// True when this FFmpeg build has the filter (e.g. `libvmaf`, which Debian's build lacks). A run-time
    /// check: the same binary may run against another libavfilter.
    public static func isAvailable(_ filter: String) -> Bool { avfilter_get_by_name(filter) != nil }

    /// Parses `description` (filtergraph syntax, e.g. `[in]scale=320:180[out]`), wiring the label of each
    /// source in `videoSources` to a `buffer` filter and each label in `sinks` to a `buffersink`, then
    /// configures the graph. `threads` 0 lets FFmpeg choose.
    public init(description: String, videoSources: [VideoSource], sinks sinkNames: [String],
                threads: Int = 0) throws(FFmpegError) {
        owner = try GraphOwner()
        // From here on `owner` frees the graph and every filter in it, whether or not the rest throws.
        let graph = owner.pointer
        graph.pointee.nb_threads = Int32(clamping: threads)
        guard let buffer = avfilter_get_by_name("buffer"), let buffersink = avfilter_get_by_name("buffersink") else {
            throw FFmpegError(operation: "avfilter_get_by_name(buffer)", message: "this FFmpeg build has no buffer/buffersink filters")
        }
        for source in videoSources {
            guard source.width > 0, source.height > 0, source.timeBase.isValid else {
                throw FFmpegError(operation: "FilterGraph(source \(source.name))",
                                  message: "invalid video parameters \(source.width)x\(source.height) time base \(source.timeBase)")
            }
            let sar = source.sampleAspectRatio.isValid ? source.sampleAspectRatio : Rational(1, 1)
            let arguments = "video_size=\(source.width)x\(source.height):pix_fmt=\(source.pixelFormat.rawValue)"
                + ":time_base=\(source.timeBase.num)/\(source.timeBase.den):pixel_aspect=\(sar.num)/\(sar.den)"
            var context: UnsafeMutablePointer<AVFilterContext>? = nil
            try check(avfilter_graph_create_filter(&context, buffer, source.name, arguments, nil, graph),
                      "avfilter_graph_create_filter(buffer \(source.name): \(arguments))")
            sources[source.name] = context!
        }
        for name in sinkNames {
            var context: UnsafeMutablePointer<AVFilterContext>? = nil
            try check(avfilter_graph_create_filter(&context, buffersink, name, nil, nil, graph),
                      "avfilter_graph_create_filter(buffersink \(name))")
            sinks[name] = context!
        }
        try parse(description, sourceNames: videoSources.map(\.name), sinkNames: sinkNames)
        try check(avfilter_graph_config(graph, nil), "avfilter_graph_config(\(description))")
    }

    /// Links the labels of `description` to the sources and sinks. The in/out lists are ours until parsing
    /// and whatever parsing leaves in them is freed here, on every path.
    private func parse(_ description: String, sourceNames: [String], sinkNames: [String]) throws(FFmpegError) {
        // Seen from the description, a source's output is an open *output* label, a sink an open *input*.
        var outputs: UnsafeMutablePointer<AVFilterInOut>? = nil
        var inputs: UnsafeMutablePointer<AVFilterInOut>? = nil
        defer {
            avfilter_inout_free(&outputs)
            avfilter_inout_free(&inputs)
        }
        for name in sourceNames.reversed() {
            outputs = try Self.link(name, sources[name]!, next: outputs)
        }
        for name in sinkNames.reversed() {
            inputs = try Self.link(name, sinks[name]!, next: inputs)
        }
        try check(avfilter_graph_parse_ptr(owner.pointer, description, &inputs, &outputs, nil),
                  "avfilter_graph_parse_ptr(\(description))")
    }

    private static func link(_ name: String, _ context: UnsafeMutablePointer<AVFilterContext>,
                             next: UnsafeMutablePointer<AVFilterInOut>?) throws(FFmpegError) -> UnsafeMutablePointer<AVFilterInOut> {
        let entry = try allocated(avfilter_inout_alloc(), "avfilter_inout_alloc")
        entry.pointee.name = av_strdup(name)
        entry.pointee.filter_ctx = context
        entry.pointee.pad_idx = 0
        entry.pointee.next = next
        if entry.pointee.name == nil {
            // Free only this entry: `next` is still the head of the caller's list, which frees it.
            var lost: UnsafeMutablePointer<AVFilterInOut>? = entry
            entry.pointee.next = nil
            avfilter_inout_free(&lost)
            throw FFmpegError(operation: "av_strdup", code: ll_averror(ENOMEM))
        }
        return entry
    }

    /// Sends a frame into source `name`; nil ends that source. The graph takes its own reference
    /// (`AV_BUFFERSRC_FLAG_KEEP_REF`), so the caller's frame stays valid and unchanged.
    public func push(_ frame: Frame?, to name: String) throws(FFmpegError) {
        guard let source = sources[name] else {
            throw FFmpegError(operation: "FilterGraph.push(\(name))", message: "no source named \(name)")
        }
        try check(av_buffersrc_add_frame_flags(source, frame?.pointer, Int32(AV_BUFFERSRC_FLAG_KEEP_REF)),
                  "av_buffersrc_add_frame_flags(\(name))")
    }

    /// The next frame of sink `name`: `.needsInput` (EAGAIN) when the graph needs more input first,
    /// `.endOfStream` once every source feeding it has ended and it is drained.
    public func pull(from name: String) throws(FFmpegError) -> CodecOutput<Frame> {
        guard let sink = sinks[name] else {
            throw FFmpegError(operation: "FilterGraph.pull(\(name))", message: "no sink named \(name)")
        }
        let frame = try Frame()
        switch try SendReceiveStatus(av_buffersink_get_frame(sink, frame.pointer), "av_buffersink_get_frame(\(name))") {
        case .ok: return .item(frame)
        case .needsInput: return .needsInput
        case .endOfStream: return .endOfStream
        }
    }
}

/// The one owner of an `AVFilterGraph`, so a `FilterGraph` initializer that throws halfway frees it once.
private final class GraphOwner {
    let pointer: UnsafeMutablePointer<AVFilterGraph>

    init() throws(FFmpegError) {
        pointer = try allocated(avfilter_graph_alloc(), "avfilter_graph_alloc")
    }

    deinit {
        var graph: UnsafeMutablePointer<AVFilterGraph>? = pointer
        avfilter_graph_free(&graph)
    }
}
