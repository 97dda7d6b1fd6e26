import Foundation
import Logging
import Testing
@testable import LiveLadderWorker

@Suite struct JSONLogHandlerTests {
    private func logger(_ output: Collector, level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "liveladder.test") { label in
            JSONLogHandler(label: label, write: { output.append($0) }, now: { Date(timeIntervalSince1970: 1_735_787_045.25) })
        }
        logger.logLevel = level
        return logger
    }

    @Test func oneObjectPerLineWithMergedMetadata() {
        let output = Collector()
        var log = logger(output)
        log[metadataKey: "run"] = "r1"
        log[metadataKey: "rendition"] = "720p"
        log.warning("disk full", metadata: ["rendition": "360p", "bytes": .stringConvertible(42),
                                            "where": ["folder": "out", "files": ["a", "b"]]])
        #expect(output.all == [
            #"{"label":"liveladder.test","level":"warning","message":"disk full","metadata":{"bytes":"42","rendition":"360p","run":"r1","where":{"files":["a","b"],"folder":"out"}},"source":"LiveLadderWorkerTests","time":"2025-01-02T03:04:05.250Z"}"# + "\n",
        ])
    }

    @Test func belowTheLevelNothingIsWritten() {
        let output = Collector()
        let log = logger(output, level: .warning)
        log.info("quiet")
        log.error("loud")
        #expect(output.all.count == 1)
        #expect(output.all.first?.contains(#""message":"loud""#) == true)
    }

    @Test func metadataProviderSitsBetweenHandlerAndCall() {
        let output = Collector()
        let provider = Logger.MetadataProvider { ["trace": "t1", "run": "provided"] }
        var log = Logger(label: "p") { label in
            JSONLogHandler(label: label, metadataProvider: provider, write: { output.append($0) }, now: { Date(timeIntervalSince1970: 0) })
        }
        log[metadataKey: "run"] = "handler"
        log.info("m", metadata: ["trace": "call"])
        #expect(output.all.first?.contains(#""metadata":{"run":"provided","trace":"call"}"#) == true)
    }

    @Test func logFormatParsing() throws {
        #expect(try LogFormat.parse("json") == .json)
        #expect(try LogFormat.parse("text") == .text)
        let error = #expect(throws: WorkerSetupError.self) { try LogFormat.parse("xml") }
        #expect(error?.message == #"--log-format: "xml" is not a log format (allowed: text, json)"#)
    }

    @Test func makeHandlerSetsTheLevel() {
        #expect(LoggingSetup.makeHandler(format: .json, level: .debug, label: "x").logLevel == .debug)
        #expect(LoggingSetup.makeHandler(format: .text, level: .error, label: "x").logLevel == .error)
        #expect(LoggingSetup.makeHandler(format: .json, level: .debug, label: "x") is JSONLogHandler)
        #expect(LoggingSetup.makeHandler(format: .text, level: .debug, label: "x") is StreamLogHandler)
    }
}
