import Foundation

/// Differences between two summaries (or parts of one) as key paths a reviewer reads:
/// `renditions[360p/index.m3u8].segments[1].video.duration: 180000 → 90000`.
///
/// Walks the JSON form, so every field of the model is covered without a comparison per field; arrays of
/// renditions and variants are matched by URI, not position, so removing a rendition reads as one missing
/// rendition rather than every later one changing.
enum SummaryDiff {
    struct Change: Equatable {
        var path: String
        var expected: String
        var actual: String
        var line: String { "\(path): \(expected) → \(actual)" }
    }

    static func changes<T: Encodable>(from golden: T, to actual: T) -> [Change] {
        var changes: [Change] = []
        walk(json(golden), json(actual), path: "", into: &changes)
        return changes
    }

    private static func json<T: Encodable>(_ value: T) -> JSONValue {
        guard let data = try? JSONEncoder().encode(value), let tree = try? JSONDecoder().decode(JSONValue.self, from: data) else { return .null }
        return tree
    }

    private static func walk(_ expected: JSONValue?, _ actual: JSONValue?, path: String, into changes: inout [Change]) {
        switch (expected, actual) {
        case let (.object(left)?, .object(right)?):
            for key in Set(left.keys).union(right.keys).sorted() {
                walk(left[key], right[key], path: path.isEmpty ? key : "\(path).\(key)", into: &changes)
            }
        case let (.array(left)?, .array(right)?):
            if let leftKeyed = keyed(left), let rightKeyed = keyed(right) {
                let order = leftKeyed.map(\.0) + rightKeyed.map(\.0).filter { key in !leftKeyed.contains { $0.0 == key } }
                for key in order {
                    walk(leftKeyed.first { $0.0 == key }?.1, rightKeyed.first { $0.0 == key }?.1, path: "\(path)[\(key)]", into: &changes)
                }
            } else if left.allSatisfy(\.isScalar) && right.allSatisfy(\.isScalar) {
                let (l, r) = (JSONValue.array(left).text, JSONValue.array(right).text)
                if l != r { changes.append(Change(path: path, expected: l, actual: r)) }
            } else {
                for index in 0..<max(left.count, right.count) {
                    walk(index < left.count ? left[index] : nil, index < right.count ? right[index] : nil,
                         path: "\(path)[\(index)]", into: &changes)
                }
            }
        default:
            let left = expected?.text ?? "(none)", right = actual?.text ?? "(none)"
            if left != right { changes.append(Change(path: path, expected: left, actual: right)) }
        }
    }

    /// Objects that all carry a distinct `uri` (renditions, variants), keyed by it. Segments are compared
    /// by position: their URIs (segment-N) say nothing more.
    private static func keyed(_ items: [JSONValue]) -> [(String, JSONValue)]? {
        let pairs = items.compactMap { item -> (String, JSONValue)? in
            guard case .object(let object) = item, case .string(let uri)? = object["uri"], object["extinf"] == nil else { return nil }
            return (uri, item)
        }
        guard !items.isEmpty, pairs.count == items.count, Set(pairs.map(\.0)).count == pairs.count else { return nil }
        return pairs
    }
}

/// A JSON tree, decoded strictly (a number never reads as a Bool), for `SummaryDiff`.
indirect enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    var text: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .string(let value): return "\"\(value)\""
        case .array(let values): return "[" + values.map(\.text).joined(separator: ",") + "]"
        case .object(let object): return "{" + object.keys.sorted().map { "\($0): \(object[$0]!.text)" }.joined(separator: ", ") + "}"
        }
    }
}
