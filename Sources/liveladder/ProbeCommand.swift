import ArgumentParser
import Foundation
import LiveLadderCore

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "probe", abstract: "Print an input's streams as JSON.")

    @Argument(help: "Input file path or URL.")
    var input: String

    func run() throws {
        do {
            let info = try Probe.inspect(input)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(info), as: UTF8.self))
        } catch let error as LiveLadderError {
            fail(error.message, code: error.exitCode)
        }
    }
}
