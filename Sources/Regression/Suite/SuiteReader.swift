import Foundation
import LadderConfig
import LiveLadderCore
import Yams

/// Reads a suite file the way ladder configs are read (LadderConfig's node reader): a bounded regular
/// file, a limited number of aliases, and every unknown key refused with its key path, so a typo such as
/// `minPNSR` is an error instead of a floor that silently never applies.
public enum SuiteReader {
    static let suiteKeys = ["goldens", "defaults", "cases"]
    static let caseKeys = ["name", "source", "ladder", "segmentFormat", "options", "tolerance", "floors", "renditions"]
    static let defaultsKeys = ["segmentFormat", "options", "tolerance", "floors"]
    static let optionKeys = ["segmentDuration", "playlistType", "listSize"]
    static let toleranceKeys = ["averageBitrate", "peakBitrate", "psnrDrop", "ssimDrop", "vmafDrop"]
    static let floorKeys = ["minPSNR", "minSSIM", "minVMAF"]
    static let renditionKeys = ["tolerance", "floors"]

    /// Every problem is one line starting with the suite's path.
    public static func load(path: String) throws(ConfigError) -> RegressionSuite {
        do throws(ConfigError) {
            let text = try ConfigFile.text(atPath: path, what: "a regression suite", fileKind: "a suite file", expected: "a YAML file")
            guard let root = try YAMLDocument.root(of: text) else { throw ConfigError("the suite is empty; list its cases under cases:") }
            return try suite(root, directory: URL(fileURLWithPath: path).deletingLastPathComponent().path, path: path)
        } catch {
            throw error.message.hasPrefix(path) ? error : ConfigError("\(path): \(error.message)")
        }
    }

    private static func suite(_ root: Node, directory: String, path: String) throws(ConfigError) -> RegressionSuite {
        let top = try KeyedNodes(root, at: nil, allowed: suiteKeys)
        let goldens = try top.read("goldens") { (node, at) throws(ConfigError) -> String in
            let text = try string(node, at: at)
            // --update writes here: a relative folder inside the suite's own, never anywhere else.
            let parts = text.split(separator: "/", omittingEmptySubsequences: true)
            guard !text.hasPrefix("/"), !parts.isEmpty, !parts.contains(".."), !text.contains("\0"), text.count <= 1000 else {
                throw ConfigError(at: at, "\(MessageText.quoted(text)) is not a folder inside the suite's folder (write a relative path such as golden)")
            }
            return text
        } ?? "golden"
        let defaults = try top.read("defaults") { (node, at) throws(ConfigError) in try caseSettings(node, at: at, allowed: defaultsKeys) }
            ?? CaseSettings()
        guard let list = try top.read("cases", with: { (node, at) throws(ConfigError) -> [Node] in
            guard case .sequence(let items) = node, !items.isEmpty else { throw ConfigError(at: at, "expected a list of at least one case") }
            return items.map { $0 }
        }) else { throw ConfigError("no cases: list the suite's cases under cases:") }
        var cases: [RegressionCase] = []
        for (index, node) in list.enumerated() {
            let regressionCase = try readCase(node, at: "cases[\(index)]", defaults: defaults, directory: directory)
            guard !cases.contains(where: { $0.name == regressionCase.name }) else {
                throw ConfigError(at: "cases[\(index)].name", "\(MessageText.quoted(regressionCase.name)) is used by another case; names must be unique (they name the goldens)")
            }
            cases.append(regressionCase)
        }
        return RegressionSuite(path: path, goldens: resolve(goldens, in: directory), cases: cases)
    }

    /// What a case and the suite's `defaults:` share.
    private struct CaseSettings {
        var segmentFormat: SegmentFormat?
        var segmentDuration: Double?
        var playlistKind: PlaylistKind?
        var listSize: Int?
        var limits = CaseLimits.Override()
    }

    private static func caseSettings(_ node: Node, at location: String, allowed: [String]) throws(ConfigError) -> CaseSettings {
        let fields = try KeyedNodes(node, at: location, allowed: allowed)
        var settings = CaseSettings()
        settings.segmentFormat = try fields.read("segmentFormat") { (node, at) throws(ConfigError) in
            let text = try string(node, at: at)
            guard let format = SegmentFormat(rawValue: text) else { throw ConfigError(at: at, "\(MessageText.quoted(text)) is not a segment format (use ts or fmp4)") }
            return format
        }
        if let options = try fields.read("options", with: { (node, at) throws(ConfigError) in try KeyedNodes(node, at: at, allowed: optionKeys) }) {
            settings.segmentDuration = try options.read("segmentDuration") { (node, at) throws(ConfigError) in try number(node, at: at, in: 0.1...60) }
            settings.playlistKind = try options.read("playlistType") { (node, at) throws(ConfigError) in
                let text = try string(node, at: at)
                guard let kind = PlaylistKind(rawValue: text) else { throw ConfigError(at: at, "\(MessageText.quoted(text)) is not a playlist type (use vod, event or live)") }
                return kind
            }
            settings.listSize = try options.read("listSize") { (node, at) throws(ConfigError) in Int(try number(node, at: at, in: 3...100_000, whole: true)) }
        }
        settings.limits = try limits(fields, at: location)
        return settings
    }

    private static func limits(_ fields: KeyedNodes, at location: String) throws(ConfigError) -> CaseLimits.Override {
        var limits = CaseLimits.Override()
        if let tolerance = try fields.read("tolerance", with: { (node, at) throws(ConfigError) in try KeyedNodes(node, at: at, allowed: toleranceKeys) }) {
            limits.averageBitrate = try tolerance.read("averageBitrate", with: percent)
            limits.peakBitrate = try tolerance.read("peakBitrate", with: percent)
            limits.psnrDrop = try tolerance.read("psnrDrop") { (node, at) throws(ConfigError) in try number(node, at: at, in: 0...100) }
            limits.ssimDrop = try tolerance.read("ssimDrop") { (node, at) throws(ConfigError) in try number(node, at: at, in: 0...1) }
            limits.vmafDrop = try tolerance.read("vmafDrop") { (node, at) throws(ConfigError) in try number(node, at: at, in: 0...100) }
        }
        if let floors = try fields.read("floors", with: { (node, at) throws(ConfigError) in try KeyedNodes(node, at: at, allowed: floorKeys) }) {
            limits.minPSNR = try floors.read("minPSNR") { (node, at) throws(ConfigError) in try number(node, at: at, in: 0...100) }
            limits.minSSIM = try floors.read("minSSIM") { (node, at) throws(ConfigError) in try number(node, at: at, in: 0...1) }
            limits.minVMAF = try floors.read("minVMAF") { (node, at) throws(ConfigError) in try number(node, at: at, in: 0...100) }
        }
        return limits
    }

    private static func readCase(_ node: Node, at location: String, defaults: CaseSettings, directory: String) throws(ConfigError) -> RegressionCase {
        let fields = try KeyedNodes(node, at: location, allowed: caseKeys)
        guard let name = try fields.read("name", with: string) else { throw ConfigError(at: location, "a case needs a name:") }
        guard !name.isEmpty, name.count <= 100, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }),
              !name.hasPrefix(".") else {
            throw ConfigError(at: "\(location).name", "\(MessageText.quoted(name)) is not a case name (letters, digits, - _ . only; it names the golden file)")
        }
        let here = "\(location) (\(name))"  // a valid name by now: nothing to escape
        guard let sourceText = try fields.read("source", with: string) else { throw ConfigError(at: here, "a case needs a source: fixture") }
        let source = resolve(sourceText, in: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ConfigError(at: "\(here).source", "\(MessageText.quoted(source)): no such fixture file")
        }
        let own = try caseSettings(node, at: here, allowed: caseKeys)
        var ladder = try fields.read("ladder") { (node, at) throws(ConfigError) -> LadderConfig in
            if case .scalar(let scalar) = node { return try LadderConfig.load(path: resolve(scalar.string, in: directory)) }
            // Inline: the mapping is a ladder config; LadderConfig reads it, so it accepts exactly what a file does.
            let text: String
            do { text = try Yams.serialize(node: node) } catch { throw ConfigError(at: at, "cannot be read as a ladder (\(error))") }
            do throws(ConfigError) { return try LadderConfig.parse(yaml: text) } catch { throw ConfigError(at: at, error.message) }
        } ?? LadderConfig.defaults
        do throws(ConfigError) {
            ladder = try ladder.with(segmentDuration: own.segmentDuration ?? defaults.segmentDuration,
                                     segmentFormat: own.segmentFormat ?? defaults.segmentFormat)
        } catch {
            throw ConfigError(at: here, error.message)
        }
        var renditionLimits: [String: CaseLimits.Override] = [:]
        if let renditions = try fields.read("renditions", with: { (node, at) throws(ConfigError) -> [(String, Node)] in
            guard case .mapping(let mapping) = node else { throw ConfigError(at: at, "expected a mapping of rendition names to tolerance:/floors:") }
            return try mapping.map { (key, value) throws(ConfigError) in
                guard case .scalar(let scalar) = key else { throw ConfigError(at: at, "rendition names must be plain names") }
                return (scalar.string, value)
            }
        }) {
            let names = (ladder.renditions?.map(\.name) ?? []) + ["audio"]
            for (rendition, node) in renditions {
                let at = "\(here).renditions.\(rendition)"
                if ladder.renditions != nil, !names.contains(rendition) {
                    throw ConfigError(at: at, "the ladder has no rendition \(MessageText.quoted(rendition)) (it has \(names.joined(separator: ", ")))")
                }
                renditionLimits[rendition] = try limits(try KeyedNodes(node, at: at, allowed: renditionKeys), at: at)
            }
        }
        return RegressionCase(name: name, source: source, ladder: ladder,
                              playlistKind: own.playlistKind ?? defaults.playlistKind ?? .vod,
                              listSize: own.listSize ?? defaults.listSize ?? 6,
                              limits: CaseLimits().applying(defaults.limits.then(own.limits)),
                              renditionLimits: renditionLimits)
    }

    // MARK: Values

    private static func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).standardizedFileURL.path
    }

    private static func string(_ node: Node, at location: String) throws(ConfigError) -> String {
        if node.isNull { throw ConfigError(at: location, "no value given; set one or remove the key") }
        guard case .scalar(let scalar) = node else { throw ConfigError(at: location, "expected a single value, found \(node.kindDescription)") }
        return scalar.string
    }

    private static func number(_ node: Node, at location: String, in range: ClosedRange<Double>, whole: Bool = false) throws(ConfigError) -> Double {
        let text = try string(node, at: location)
        guard let value = Double(text), value.isFinite, range.contains(value), !whole || value == value.rounded() else {
            throw ConfigError(at: location, "\(MessageText.quoted(text)) is not a \(whole ? "whole number" : "number") from \(plain(range.lowerBound)) to \(plain(range.upperBound))")
        }
        return value
    }

    /// `5%`: a fraction of the golden's value, 0 % to 100 %.
    private static func percent(_ node: Node, at location: String) throws(ConfigError) -> Double {
        let text = try string(node, at: location)
        guard text.hasSuffix("%"), let value = Double(text.dropLast()), value.isFinite, (0...100).contains(value) else {
            throw ConfigError(at: location, "\(MessageText.quoted(text)) is not a percentage (write it like 5%, from 0% to 100%)")
        }
        return value / 100
    }

    private static func plain(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
}
