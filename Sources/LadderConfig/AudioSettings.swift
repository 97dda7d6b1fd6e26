/// How the audio track's channels are encoded.
public enum AudioChannels: String, Sendable, CaseIterable {
    /// Downmix to one channel.
    case mono
    /// Downmix (or upmix) to two channels.
    case stereo
    /// Keep the source layout, up to 5.1.
    case keep
}

/// The AAC audio encoding shared by every rendition, as written in the config's `audio:` section.
public struct AudioSettings: Sendable, Equatable {
    /// AAC bitrate in bits per second; the config accepts 32k to 512k.
    public var bitrate: Int
    /// Output sample rate in Hz: 44100 or 48000.
    public var sampleRate: Int
    /// Output channel layout.
    public var channels: AudioChannels

    /// Creates audio settings; the defaults are what an `audio:` section without keys means.
    public init(bitrate: Int = 128_000, sampleRate: Int = 48_000, channels: AudioChannels = .stereo) {
        self.bitrate = bitrate
        self.sampleRate = sampleRate
        self.channels = channels
    }
}
