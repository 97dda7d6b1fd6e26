import Foundation
import HLSModel

/// MV1–MV8: the multivariant playlist against the media it describes.
enum MasterRules {
    static func check(_ context: CheckContext, _ log: inout FailureLog) {
        checkStructure(context, &log)
        checkIndependentSegments(context, &log)
        for variant in context.master.variants {
            let values = VariantValues(variant, context: context, log: &log)
            guard let uri = variant.uri, let rendition = context.rendition(uri: uri) else { continue }
            let audio = values.audioGroup.map { context.audioRenditions(group: $0) } ?? []
            checkBandwidth(values, rendition, audio, context, &log)
            checkCodecs(values, rendition, audio, &log)
            checkPicture(values, rendition, &log)
        }
        checkAlternateAudio(context, &log)
    }

    // MARK: MV1

    private static func checkStructure(_ context: CheckContext, _ log: inout FailureLog) {
        let master = context.master
        let here = Location.playlist(context.masterName)
        if master.firstLine != "#EXTM3U" {
            log.add("MV1", here, "first line is \"\(master.firstLine.prefix(40))\", not #EXTM3U")
        }
        if master.variants.isEmpty { log.add("MV1", here, "no #EXT-X-STREAM-INF: the ladder has no variant") }
        for variant in master.variants where variant.uri == nil {
            log.add("MV1", here, "#EXT-X-STREAM-INF on line \(variant.line) is not followed by a URI line")
        }
        for stray in master.strayURIs {
            log.add("MV1", here, "URI line \(stray.line) \"\(stray.uri)\" has no #EXT-X-STREAM-INF before it")
        }
        var seen: [[UInt8]: Int] = [:]  // by path bytes: String keys compare canonically
        for variant in master.variants {
            guard let uri = variant.uri else { continue }
            // A refused URI (URI1) is compared as written.
            let path = context.folder.resolve(uri, from: context.folder.root).path ?? uri
            if let first = seen[Array(path.utf8)] {
                log.add("MV1", here, "variants \(first) and \(variant.number) both name \(uri): one EXT-X-STREAM-INF per video rendition")
            } else {
                seen[Array(path.utf8)] = variant.number
            }
            if let rendition = context.rendition(uri: uri), !rendition.probedEntries.isEmpty,
               rendition.probedEntries.allSatisfy({ $0.facts?.video == nil }) {
                log.add("MV1", .playlist(uri), "the variant's segments carry no video stream")
            }
        }
    }

    // MARK: MV7

    private static func checkIndependentSegments(_ context: CheckContext, _ log: inout FailureLog) {
        if !context.master.independentSegments {
            log.add("MV7", .playlist(context.masterName), "no #EXT-X-INDEPENDENT-SEGMENTS")
        }
    }

    // MARK: MV3, MV4

    private static func checkBandwidth(_ values: VariantValues, _ rendition: Rendition, _ audio: [Rendition],
                                       _ context: CheckContext, _ log: inout FailureLog) {
        guard var peak = BitrateMeasurement.peak(rendition), var average = BitrateMeasurement.average(rendition)
        else { return }
        var breakdown = ""
        // The player fetches the variant and one rendition of its audio group: budget for the largest.
        let audioPeak = audio.compactMap { BitrateMeasurement.peak($0) }.max()
        let audioAverage = audio.compactMap { BitrateMeasurement.average($0) }.max()
        if let audioPeak {
            breakdown = " (video \(bitsPerSecond(peak)) + audio \(bitsPerSecond(audioPeak)))"
            peak += audioPeak
        }
        if let audioAverage { average += audioAverage }

        if let bandwidth = values.bandwidth {
            if context.finished {
                // Rounding the measured value down forgives a producer that rounded to nearest.
                if Double(bandwidth) < peak.rounded(.down) {
                    log.add("MV3", values.location, "BANDWIDTH \(bandwidth) is below the measured peak \(bitsPerSecond(peak))\(breakdown)")
                }
            } else if peak > 1.25 * Double(bandwidth) {
                log.add("MV3", values.location, "measured peak \(bitsPerSecond(peak))\(breakdown) exceeds 125 % of BANDWIDTH \(bandwidth)")
            }
        }
        // A live window is too short to say anything about the long-run average: checked once finished.
        if let declared = values.averageBandwidth, context.finished,
           abs(Double(declared) - average) > 0.10 * average {
            log.add("MV4", values.location, "AVERAGE-BANDWIDTH \(declared) is not within 10 % of the measured average \(bitsPerSecond(average))")
        }
    }

    // MARK: MV5

    private static func checkCodecs(_ values: VariantValues, _ rendition: Rendition, _ audio: [Rendition],
                                    _ log: inout FailureLog) {
        guard let codecs = values.codecs else { return }
        let listed = codecs.map { $0.lowercased() }
        var expected: [String] = []

        let video = rendition.probedEntries.compactMap { $0.facts?.video }
        if let first = video.first {
            if first.codec != "h264" {
                log.add("MV5", values.location, "the video is \(first.codec); HLS-RULES names only H.264 (avc1)")
            } else if let sps = video.compactMap(\.codecString).first {
                expected.append(sps)
                let named = listed.filter { $0.hasPrefix("avc1.") || $0.hasPrefix("avc3.") }
                if named.isEmpty {
                    log.add("MV5", values.location, "CODECS names no H.264 codec; the segments' SPS says \(sps)")
                } else if !named.contains(sps) {
                    log.add("MV5", values.location, "CODECS says \(named.joined(separator: ",")) but the segments' SPS says \(sps)")
                }
            }
        }

        let audioFacts = (rendition.probedEntries + audio.flatMap(\.probedEntries)).compactMap { $0.facts?.audio }
        if let first = audioFacts.first {
            if let string = first.codecString {
                expected.append(string)
                if !listed.contains(string) {
                    log.add("MV5", values.location, "the variant has \(first.codec) audio but CODECS does not name \(string)")
                }
            } else {
                log.add("MV5", values.location, "the audio is \(first.codec); HLS-RULES names only AAC (mp4a.40.x)")
            }
        } else if let named = listed.first(where: { $0.hasPrefix("mp4a.") }) {
            log.add("MV5", values.location, "CODECS names \(named) but the variant carries no audio")
        }
        for codec in listed where !expected.contains(codec)
            && !codec.hasPrefix("avc1.") && !codec.hasPrefix("avc3.") && !codec.hasPrefix("mp4a.") {
            log.add("MV5", values.location, "CODECS names \(codec), which the variant does not carry")
        }
    }

    // MARK: MV6

    private static func checkPicture(_ values: VariantValues, _ rendition: Rendition, _ log: inout FailureLog) {
        if let resolution = values.resolution {
            for entry in rendition.probedEntries {
                // 0x0: no SPS in the segment to read the size from; S1 reports that.
                guard let video = entry.facts?.video, video.width > 0 else { continue }
                if video.width != resolution.width || video.height != resolution.height {
                    log.add("MV6", rendition.segmentLocation(entry),
                            "RESOLUTION \(resolution.width)x\(resolution.height) but the segment is encoded \(video.width)x\(video.height)")
                }
            }
        }
        if let declared = values.frameRate, rendition.probedEntries.contains(where: { $0.facts?.video != nil }) {
            let measured = 1 / rendition.frameDuration
            if abs(declared - measured) > 0.01 {
                log.add("MV6", values.location, "FRAME-RATE \(String(format: "%.3f", declared)) but the video runs at \(String(format: "%.3f", measured)) fps")
            }
        }
    }

    // MARK: MV8

    private static func checkAlternateAudio(_ context: CheckContext, _ log: inout FailureLog) {
        let here = Location.playlist(context.masterName)
        var groups: Set<String> = []
        for media in context.master.media {
            if let error = media.attributeError {
                log.add("MV8", here, "#EXT-X-MEDIA on line \(media.line): \(error)")
                continue
            }
            guard media.type == "AUDIO", let attributes = media.attributes else { continue }
            let label = "#EXT-X-MEDIA on line \(media.line)"
            if let group = media.groupID { groups.insert(group) } else { log.add("MV8", here, "\(label) has no quoted GROUP-ID") }
            if media.name == nil { log.add("MV8", here, "\(label) has no quoted NAME") }
            for flag in ["DEFAULT", "AUTOSELECT"] where (try? attributes.yesOrNo(flag)) != true {
                log.add("MV8", here, "\(label) does not say \(flag)=YES")
            }
            let channels = (try? attributes.quotedString("CHANNELS")) ?? nil
            if channels == nil { log.add("MV8", here, "\(label) has no quoted CHANNELS") }
            guard let uri = media.uri else {
                log.add("MV8", here, "\(label) has no quoted URI")
                continue
            }
            if let channels, let rendition = context.rendition(uri: uri),
               let measured = rendition.probedEntries.compactMap({ $0.facts?.audio }).first?.channels,
               let count = Int(channels.prefix { $0 != "/" }), count != measured {
                log.add("MV8", .playlist(uri), "CHANNELS \"\(channels)\" but the audio has \(measured) channel(s)")
            }
        }
        for variant in context.master.variants {
            guard let attributes = variant.attributes else { continue }
            let location = Location.playlist(context.masterName, "variant \(variant.number) (\(variant.uri ?? "no URI"))")
            let group = (try? attributes.quotedString("AUDIO")) ?? nil
            if let group, !groups.contains(group) {
                log.add("MV8", location, "AUDIO=\"\(group)\" names no #EXT-X-MEDIA:TYPE=AUDIO group")
            } else if group == nil, !groups.isEmpty {
                log.add("MV8", location, "the master has alternate audio but this variant names no AUDIO group")
            } else if group == nil, let uri = variant.uri, let rendition = context.rendition(uri: uri),
                      rendition.playlist.map != nil,
                      rendition.probedEntries.contains(where: { $0.facts?.audio != nil }) {
                log.add("MV8", location, "fMP4 variant carries its audio muxed: fMP4 mode uses an alternate audio rendition (EXT-X-MEDIA) named by AUDIO=")
            }
        }
    }
}

/// The attributes of one `EXT-X-STREAM-INF`, read leniently: a missing or malformed one is reported
/// (MV2) and read as nil, so the other rules still run on the rest.
struct VariantValues {
    var location: Location
    var bandwidth: Int?
    var averageBandwidth: Int?
    var codecs: [String]?
    var resolution: DecimalResolution?
    var frameRate: Double?
    var audioGroup: String?

    init(_ variant: MasterPlaylist.Variant, context: CheckContext, log: inout FailureLog) {
        location = .playlist(context.masterName, "variant \(variant.number) (\(variant.uri ?? "no URI"))")
        guard let attributes = variant.attributes else {
            log.add("MV2", location, "#EXT-X-STREAM-INF does not parse: \(variant.attributeError ?? "?")")
            return
        }
        func read<T>(_ name: String, _ reader: (String) throws(AttributeListError) -> T?) -> T? {
            do {
                guard let value = try reader(name) else {
                    log.add("MV2", location, "no \(name)")
                    return nil
                }
                return value
            } catch {
                log.add("MV2", location, error.message)
                return nil
            }
        }
        // Numbers are read within HLSModel's limits, so the rules' arithmetic on them cannot overflow.
        bandwidth = read("BANDWIDTH") { name throws(AttributeListError) in
            try attributes.decimalInteger(name, in: PlaylistLimits.bandwidth)
        }
        averageBandwidth = read("AVERAGE-BANDWIDTH") { name throws(AttributeListError) in
            try attributes.decimalInteger(name, in: PlaylistLimits.bandwidth)
        }
        codecs = read("CODECS", attributes.quotedString).map { list in
            list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        resolution = read("RESOLUTION", attributes.decimalResolution)
        frameRate = read("FRAME-RATE") { name throws(AttributeListError) in
            try attributes.decimalFloatingPoint(name, in: PlaylistLimits.frameRate)
        }
        if frameRate != nil, case .unquoted(let text)? = attributes["FRAME-RATE"],
           text.split(separator: ".", omittingEmptySubsequences: false).last?.count != 3 || !text.contains(".") {
            log.add("MV2", location, "FRAME-RATE \(text) is not written with three decimals (e.g. 29.970)")
        }
        audioGroup = (try? attributes.quotedString("AUDIO")) ?? nil
    }
}
