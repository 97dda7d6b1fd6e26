import LadderConfig
import LiveLadderCore

/// A regression suite (`liveladder regress suite.yaml`, docs/regress.md): cases, each a source fixture
/// run through a ladder, compared with a golden summary committed beside the suite.
public struct RegressionSuite: Sendable {
    public var path: String
    /// The folder of `<case>.json` goldens (absolute).
    public var goldens: String
    public var cases: [RegressionCase]
}

public struct RegressionCase: Sendable {
    public var name: String
    /// Absolute path of the source fixture.
    public var source: String
    /// The ladder, with the case's segment format and duration applied.
    public var ladder: LadderConfig
    public var playlistKind: PlaylistKind
    public var listSize: Int
    public var limits: CaseLimits
    /// Per rendition name (the ladder's `name`, or `audio`): what overrides the case's limits.
    public var renditionLimits: [String: CaseLimits.Override]

    public var goldenName: String { "\(name).json" }

    public func limits(for rendition: String) -> CaseLimits {
        renditionLimits[rendition].map { limits.applying($0) } ?? limits
    }
}

/// What a case tolerates and requires. Bitrates are relative to the golden; quality drops are in the
/// metric's unit on the mean, twice that on the 5th percentile; floors are absolute, on the mean.
public struct CaseLimits: Sendable, Equatable {
    public var averageBitrate = 0.05
    public var peakBitrate = 0.10
    public var psnrDrop = 0.3
    public var ssimDrop = 0.005
    public var vmafDrop = 1.0
    public var minPSNR: Double?
    public var minSSIM: Double?
    public var minVMAF: Double?

    /// The keys a suite's `tolerance:`/`floors:` blocks set, each optional.
    public struct Override: Sendable, Equatable {
        public var averageBitrate: Double?
        public var peakBitrate: Double?
        public var psnrDrop: Double?
        public var ssimDrop: Double?
        public var vmafDrop: Double?
        public var minPSNR: Double?
        public var minSSIM: Double?
        public var minVMAF: Double?

        func then(_ later: Override) -> Override {
            Override(averageBitrate: later.averageBitrate ?? averageBitrate, peakBitrate: later.peakBitrate ?? peakBitrate,
                     psnrDrop: later.psnrDrop ?? psnrDrop, ssimDrop: later.ssimDrop ?? ssimDrop, vmafDrop: later.vmafDrop ?? vmafDrop,
                     minPSNR: later.minPSNR ?? minPSNR, minSSIM: later.minSSIM ?? minSSIM, minVMAF: later.minVMAF ?? minVMAF)
        }
    }

    func applying(_ override: Override) -> CaseLimits {
        var limits = self
        limits.averageBitrate = override.averageBitrate ?? averageBitrate
        limits.peakBitrate = override.peakBitrate ?? peakBitrate
        limits.psnrDrop = override.psnrDrop ?? psnrDrop
        limits.ssimDrop = override.ssimDrop ?? ssimDrop
        limits.vmafDrop = override.vmafDrop ?? vmafDrop
        limits.minPSNR = override.minPSNR ?? minPSNR
        limits.minSSIM = override.minSSIM ?? minSSIM
        limits.minVMAF = override.minVMAF ?? minVMAF
        return limits
    }
}
