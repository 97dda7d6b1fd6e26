import Foundation
import XCTest

/// The exposition as a real Prometheus parser reads it (`prometheus_client.parser`, PyPI
/// `prometheus-client`), so a malformed line fails the test rather than passing a hand-written check.
struct ParsedFamily: Decodable {
    struct Sample: Decodable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    let name: String
    let type: String
    let help: String
    let samples: [Sample]
}

struct ParsedExposition {
    let families: [ParsedFamily]
    let text: String

    /// The value of the sample `name` with exactly `labels`, nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        families.lazy.flatMap(\.samples).first { $0.name == name && $0.labels == labels }?.value
    }

    static func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> ParsedExposition {
        let script = """
        import sys, json
        from prometheus_client.parser import text_string_to_metric_families
        out = []
        for f in text_string_to_metric_families(sys.stdin.read()):
            out.append({"name": f.name, "type": f.type, "help": f.documentation,
                        "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]})
        print(json.dumps(out))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            XCTFail("the Prometheus parser refused the exposition (python3 -m pip install prometheus-client?): \(problem)", file: file, line: line)
            throw CocoaError(.coderReadCorrupt)
        }
        return ParsedExposition(families: try JSONDecoder().decode([ParsedFamily].self, from: data), text: text)
    }
}
