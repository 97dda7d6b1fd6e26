import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// A plain HTTP request to the worker interface: status code and body (nil status: no answer).
func httpRequest(_ url: String, method: String = "GET", token: String? = nil, timeout: Double = 5) -> (status: Int?, body: String) {
    var request = URLRequest(url: URL(string: url)!, timeoutInterval: timeout)
    request.httpMethod = method
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    final class Box: @unchecked Sendable { var status: Int?; var body = "" }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    URLSession.shared.dataTask(with: request) { data, response, _ in
        box.status = (response as? HTTPURLResponse)?.statusCode
        box.body = data.map { String(decoding: $0, as: UTF8.self) } ?? ""
        done.signal()
    }.resume()
    done.wait()
    return (box.status, box.body)
}

/// One scrape of `/metrics`, read with prometheus_client's parser (tools/lib/prom-samples.py).
struct Scrape {
    struct Sample: Decodable {
        let name: String
        let labels: [String: String]
        let value: Double
    }
    struct Family: Decodable {
        let name: String
        let type: String
        let help: String
    }
    private struct Parsed: Decodable {
        let families: [Family]
        let samples: [Sample]
    }

    let time: Date
    let text: String
    let families: [Family]
    let samples: [Sample]

    init(text: String, time: Date = Date()) throws {
        let folder = NSTemporaryDirectory() + "scrape-\(UUID().uuidString.prefix(8)).txt"
        try text.write(toFile: folder, atomically: true, encoding: .utf8)
        defer { unlink(folder) }
        let parsed = try runProcess("/bin/sh", ["-c", "python3 '\(Repo.tool("lib/prom-samples.py"))' < '\(folder)'"])
        guard parsed.status == 0 else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: parsed.stderr]) }
        let decoded = try JSONDecoder().decode(Parsed.self, from: Data(parsed.stdout.utf8))
        self.time = time
        self.text = text
        families = decoded.families
        samples = decoded.samples
    }

    /// The value of the one sample named `name` with exactly these labels (nil when absent).
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }
}
