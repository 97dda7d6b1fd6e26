import Foundation
import XCTest

/// The deployment artifacts under deploy/: the Kubernetes manifests and the systemd unit pass
/// tools/validate-deploy.py (the ladder loaded by the real binary), a broken manifest fails naming its
/// file, and the unit's restart policy matches the exit codes. Needs python3 with the packages
/// tools/setup.sh installs.
final class DeployTests: XCTestCase {
    private var python: String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/python3" }
            .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/python3"
    }

    private func validate(_ arguments: [String] = []) throws -> ProcessResult {
        try runProcess(python, [Repo.tool("validate-deploy.py"), "--binary", Repo.executable] + arguments)
    }

    private var kubernetes: String { Repo.root.appendingPathComponent("deploy/kubernetes").path }
    private var unit: String { Repo.root.appendingPathComponent("deploy/systemd/liveladder@.service").path }

    /// A copy of deploy/kubernetes in a temporary folder, with `file`'s text changed by `edit`.
    private func brokenCopy(_ file: String, _ edit: (String) -> String) throws -> (folder: String, file: String) {
        let folder = try temporaryFolder(self, "kubernetes")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: kubernetes) {
            try FileManager.default.copyItem(atPath: kubernetes + "/" + name, toPath: folder + "/" + name)
        }
        let path = folder + "/" + file
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let changed = edit(original)
        XCTAssertNotEqual(changed, original, "the edit changed nothing in \(file)")
        try changed.write(toFile: path, atomically: true, encoding: .utf8)
        return (folder, path)
    }

    func testDeployArtifactsValidate() throws {
        let result = try validate()
        XCTAssertEqual(result.status, 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
        XCTAssertTrue(result.stdout.contains("validate-deploy: ok"), result.stdout)
    }

    func testReplicasThatIsNotANumberFailsNamingTheFile() throws {
        let copy = try brokenCopy("deployment.yaml") { $0.replacingOccurrences(of: "replicas: 1", with: "replicas: \"one\"") }
        let result = try validate([copy.folder])
        XCTAssertEqual(result.status, 1, "stderr: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains(copy.file), result.stderr)
        XCTAssertTrue(result.stderr.contains("spec.replicas"), result.stderr)
    }

    func testProbePortThatIsAListFails() throws {
        let copy = try brokenCopy("deployment.yaml") {
            $0.replacingOccurrences(of: "path: /readyz\n              port: http", with: "path: /readyz\n              port: [9090]")
        }
        let result = try validate([copy.folder])
        XCTAssertEqual(result.status, 1, "stderr: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains(copy.file) && result.stderr.contains("readinessProbe"), result.stderr)
    }

    func testPodMonitorPortThatIsNotAContainerPortFails() throws {
        let copy = try brokenCopy("podmonitor.yaml") { $0.replacingOccurrences(of: "- port: http", with: "- port: metrics") }
        let result = try validate([copy.folder])
        XCTAssertEqual(result.status, 1, "stderr: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains(copy.file) && result.stderr.contains("'metrics'"), result.stderr)
    }

    /// The ladder in the ConfigMap is judged by the binary: a bitrate it refuses fails with its message.
    func testLadderTheBinaryRefusesFails() throws {
        let copy = try brokenCopy("configmap.yaml") { $0.replacingOccurrences(of: "videoBitrate: 1400k", with: "videoBitrate: 1.4 Mbps") }
        let result = try validate([copy.folder])
        XCTAssertEqual(result.status, 1, "stderr: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains(copy.file), result.stderr)
        XCTAssertTrue(result.stderr.contains("renditions[1].videoBitrate"), result.stderr)
    }

    func testBrokenUnitFails() throws {
        let folder = try temporaryFolder(self, "systemd")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let broken = folder + "/liveladder@.service"
        let text = try String(contentsOfFile: unit, encoding: .utf8)
            .replacingOccurrences(of: "RestartPreventExitStatus=3 5 6 7 64", with: "RestartPreventExitStatus=3 5 6 9")
        try text.write(toFile: broken, atomically: true, encoding: .utf8)
        let result = try validate(["--systemd", broken])
        XCTAssertEqual(result.status, 1, "stderr: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("RestartPreventExitStatus: missing 7 64"), result.stderr)
        XCTAssertTrue(result.stderr.contains("9 must be restarted"), result.stderr)
    }

    /// Read here directly, not through the script, so a bug in the script cannot hide a wrong unit.
    func testUnitRestartPolicyMatchesTheExitCodes() throws {
        var service: [String: [String]] = [:]
        var section = ""
        for raw in try String(contentsOfFile: unit, encoding: .utf8).split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { section = line; continue }
            guard section == "[Service]", !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            service[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        XCTAssertEqual(service["Type"]?.last, "notify")
        XCTAssertEqual(service["NotifyAccess"]?.last, "main")
        XCTAssertEqual(service["Restart"]?.last, "on-failure")
        let watchdog = try XCTUnwrap(service["WatchdogSec"]?.last)
        XCTAssertGreaterThan(Int(watchdog) ?? 0, 0, "WatchdogSec=\(watchdog)")
        let prevent = Set((service["RestartPreventExitStatus"] ?? []).joined(separator: " ").split(separator: " ").compactMap { Int($0) })
        XCTAssertTrue(prevent.isSuperset(of: [3, 5, 6, 7, 64]), "RestartPreventExitStatus: \(prevent.sorted())")
        XCTAssertTrue(prevent.isDisjoint(with: [4, 8, 9, 10]), "RestartPreventExitStatus: \(prevent.sorted())")
        // The stop timeout must outlast the longest segment the config allows (30 s) plus the drain.
        let stop = try XCTUnwrap(service["TimeoutStopSec"]?.last.flatMap { Int($0) })
        XCTAssertGreaterThan(stop, 30)
        XCTAssertNotNil(service["User"]?.last, "a dedicated user")
    }

    /// tools/dashboard-metrics.py on a hand-made exposition: this tests the tool (a missing metric is
    /// named, a histogram's buckets count from its TYPE line), not what the server exposes.
    func testDashboardMetricsToolNamesAMissingMetric() throws {
        let dashboard = Repo.root.appendingPathComponent("deploy/grafana/liveladder.json").path
        let folder = try temporaryFolder(self, "metrics")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let exposition = folder + "/metrics.txt"
        try "# TYPE liveladder_segment_ready_latency_seconds histogram\n# TYPE liveladder_rendition_up gauge\nliveladder_rendition_up{rendition=\"720p\"} 1\n"
            .write(toFile: exposition, atomically: true, encoding: .utf8)
        let result = try runProcess(python, [Repo.tool("dashboard-metrics.py"), dashboard, exposition])
        XCTAssertEqual(result.status, 1, "stderr: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("missing liveladder_encode_speed_ratio"), result.stderr)
        XCTAssertFalse(result.stderr.contains("missing liveladder_segment_ready_latency_seconds_bucket"), result.stderr)
        XCTAssertFalse(result.stderr.contains("missing liveladder_rendition_up "), result.stderr)
    }
}
