import HLSModel

/// What a published file is, for destinations that treat them differently (the origin answers blocking
/// playlist reloads from `mediaPlaylist`'s value; a pusher orders init → segment → playlist).
public enum PublishedFile: Sendable {
    case initSegment
    /// A media segment, or the stand-in written at a GAP entry's URI.
    case segment(number: Int)
    /// An LL-HLS part of segment `number`.
    case part(number: Int, index: Int)
    case mediaPlaylist(MediaPlaylist)
    case master
}

/// The publish seam: every file a rendition (or the master) writes goes to the local output folder first,
/// and then, once complete there, to each destination, in the order it was written (so a destination
/// never gets a playlist before the segment it names). Paths are relative to the output folder
/// (`360p/segment-3.ts`, `master.m3u8`).
///
/// Called on the pipeline's threads: a destination must not block or throw. What it cannot take now it
/// queues or drops under its own policy; a slow or failing destination never holds up the encoder, the
/// local output or another destination.
public protocol PublishDestination: AnyObject, Sendable {
    func published(_ path: String, bytes: [UInt8], as file: PublishedFile)
    /// The local file was deleted (it left a live window and its grace ran out).
    func removed(_ path: String)
}
