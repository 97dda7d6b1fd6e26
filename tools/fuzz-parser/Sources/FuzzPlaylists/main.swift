import HLSModel
#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry point: every input goes through every reader `check` and `run --resume` apply to files
/// from an output folder, as text and as bytes, and each line through the URI resolver. A trap, an
/// overflow or an AddressSanitizer report is a bug; so is a parsed playlist that its own rendering does
/// not parse back to, and a URI that resolves outside the folder.
///
/// Built with `-parse-as-library`, so this file holds no top-level code and libFuzzer provides `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlaylists(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = count > 0 && start != nil ? Array(UnsafeRawBufferPointer(start: start, count: count)) : []
    let text = String(decoding: bytes, as: UTF8.self)
    readPlaylists(text)
    readContainers(bytes)
    resolveURIs(text)
    return 0
}

/// A folder with one rendition folder, made once; `resolve` looks paths up but never opens a file.
private let folder: OutputFolder = {
    let path = "/tmp/liveladder-fuzz-folder/v0"
    _ = path.withCString { mkdir("/tmp/liveladder-fuzz-folder", 0o700); return mkdir($0, 0o700) }
    guard let folder = OutputFolder(directory: "/tmp/liveladder-fuzz-folder") else { fatalError("no fuzz folder") }
    return folder
}()

/// Every line as a URI: whatever it resolves to lies inside the folder.
private func resolveURIs(_ text: String) {
    for line in text.split(separator: "\n").prefix(16) {
        for directory in [folder.root, folder.root + "/v0"] {
            if case .file(let path) = folder.resolve(String(line), from: directory) {
                precondition(folder.contains(path), "\(line) resolved outside the folder to \(path)")
            }
        }
    }
}

private func readPlaylists(_ text: String) {
    if let playlist = try? MediaPlaylist.parse(text) {
        // Rendering may round (six decimals), so compare the second round trip with the first.
        guard let once = try? MediaPlaylist.parse(playlist.render()) else {
            fatalError("a parsed media playlist renders to text that does not parse:\n\(playlist.render())")
        }
        precondition((try? MediaPlaylist.parse(once.render())) == once, "media round trip is not stable")
        precondition(playlist.nextMediaSequence != nil, "a parsed playlist's next sequence number overflows")
    }
    if let playlist = try? MultivariantPlaylist.parse(text) {
        guard let once = try? MultivariantPlaylist.parse(playlist.render()) else {
            fatalError("a parsed multivariant playlist renders to text that does not parse:\n\(playlist.render())")
        }
        precondition((try? MultivariantPlaylist.parse(once.render())) == once, "multivariant round trip is not stable")
    }
    _ = MediaPlaylist.declaredVersion(in: text)
    if let master = MasterPlaylist(text: text) {
        for variant in master.variants {
            guard let attributes = variant.attributes else { continue }
            _ = try? attributes.decimalInteger("BANDWIDTH", in: PlaylistLimits.bandwidth)
            _ = try? attributes.decimalResolution("RESOLUTION")
            _ = try? attributes.decimalFloatingPoint("FRAME-RATE", in: PlaylistLimits.frameRate)
            _ = try? attributes.hexadecimalSequence("IV")
            _ = try? attributes.signedDecimalFloatingPoint("TIME-OFFSET")
        }
    }
}

private func readContainers(_ bytes: [UInt8]) {
    _ = SegmentContainer(sniffing: bytes)
    _ = TransportStreamPackets.problems(in: bytes)
    _ = TransportStreamContinuity(scanning: bytes)
    let facts = InitSegmentFacts(bytes: bytes)
    _ = FragmentedSegment.problems(in: bytes, initTracks: facts.tracks)
    for unit in H264Bitstream.annexBUnits(bytes) {
        _ = H264Bitstream.type(of: unit)
        _ = H264Bitstream.codecString(sps: unit)
    }
    _ = H264Bitstream.lengthPrefixedUnits(bytes, lengthSize: 4)
    if let configuration = H264Bitstream.decoderConfiguration(avcC: bytes) {
        _ = configuration.sequenceParameterSets.map(H264Bitstream.codecString)
        _ = H264Bitstream.lengthPrefixedUnits(bytes, lengthSize: configuration.lengthSize)
    }
}
