import HLSChecker

extension Summarizer {
    /// Pending the quality engine.
    static func measureQuality(of rendition: RenditionSummary, uri: String, folder: OutputFolder, source: String) throws -> QualitySummary? {
        nil
    }
}
