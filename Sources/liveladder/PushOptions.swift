import ArgumentParser
import Foundation
import LiveLadderCore
import LiveLadderPush
import Logging

/// `--push` and its companions: send the output to external origins as well as the output folder.
struct PushOptions: ParsableArguments {
    @Option(name: .customLong("push"), help: ArgumentHelp(
        "Also send every file to this origin folder by HTTP PUT (repeatable: up to 4 origins), e.g. https://origin.example/live/channel1/.",
        valueName: "url"))
    var push: [String] = []

    @Option(name: .customLong("push-method"), help: ArgumentHelp("PUT (the default) or POST.", valueName: "method"))
    var pushMethod: String = "PUT"

    @Option(name: .customLong("push-header"), help: ArgumentHelp(
        "A header sent with every push request, e.g. 'Authorization: Bearer …' (repeatable).", valueName: "'name: value'"))
    var pushHeader: [String] = []

    @Flag(name: .customLong("push-delete"), help: "DELETE old segments from the origin once they left the live window and its grace ran out (405 is tolerated).")
    var pushDelete = false

    /// The parsed targets; throws a one-line message naming the flag.
    func targets() throws -> [PushTarget] {
        guard let method = PushTarget.Method(rawValue: pushMethod.uppercased()) else {
            throw ValidationError("--push-method: \"\(pushMethod)\" is not supported (use PUT or POST)")
        }
        guard push.count <= 4 else { throw ValidationError("--push: \(push.count) origins given; at most 4") }
        return try push.map { url in try PushTarget(url: url, method: method, headers: pushHeader, deleteOld: pushDelete) }
    }

    func validate() throws {
        if push.isEmpty, !pushHeader.isEmpty || pushDelete || pushMethod != "PUT" {
            throw ValidationError("--push-header, --push-method and --push-delete need --push URL")
        }
        do {
            _ = try targets()
        } catch let error as PushTargetError {
            throw ValidationError(error.description)
        }
        if Set(push.compactMap { try? PushTarget(url: $0).base }).count < push.count {
            throw ValidationError("--push: the same origin folder is given twice")
        }
    }
}

/// The push destinations of one run, and their drain at its end.
struct RunPushes {
    let destinations: [PushDestination]
    let transport: HTTPPushTransport?

    init(targets: [PushTarget], events: RunEventBus, segmentDuration: Double, logger: Logger) {
        guard !targets.isEmpty else {
            destinations = []
            transport = nil
            return
        }
        let transport = HTTPPushTransport()
        self.transport = transport
        destinations = targets.enumerated().map { offset, target in
            PushDestination(target: target, index: offset + 1, transport: transport, events: events,
                            segmentDuration: segmentDuration, logger: logger)
        }
    }

    /// Waits for every target to deliver what the run published (at most `limit`), and says what did not
    /// arrive: nil when every origin has it all.
    func drain(within limit: Duration) async -> String? {
        // Every target drains at once, so two slow origins cost one limit, not two.
        let tallies = await withTaskGroup(of: (Int, PushTally).self) { group in
            for (offset, destination) in destinations.enumerated() {
                group.addTask { (offset, await destination.drain(within: limit)) }
            }
            var tallies: [Int: PushTally] = [:]
            for await (offset, tally) in group { tallies[offset] = tally }
            return tallies
        }
        var problems: [String] = []
        for (offset, destination) in destinations.enumerated() {
            guard let tally = tallies[offset], !tally.complete else { continue }
            var parts: [String] = []
            if tally.lostMedia > 0 { parts.append("\(tally.lostMedia) segment\(tally.lostMedia == 1 ? "" : "s") never arrived (GAPs there)") }
            if tally.refused > 0 { parts.append("\(tally.refused) file\(tally.refused == 1 ? " was" : "s were") refused") }
            if tally.unsent > 0 { parts.append("\(tally.unsent) file\(tally.unsent == 1 ? " was" : "s were") not sent (still queued at the end, or a playlist whose files the origin lacks)") }
            problems.append("push to \(destination.target.redacted): " + parts.joined(separator: ", "))
        }
        await transport?.shutdown()
        guard !problems.isEmpty else { return nil }
        return problems.joined(separator: "; ") + "; the local output is complete, see the push.result events"
    }
}
