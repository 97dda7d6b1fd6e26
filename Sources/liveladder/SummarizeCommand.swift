import ArgumentParser
import Foundation
import Regression

struct SummarizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summarize",
        abstract: "A canonical summary of an HLS output (any tool's): master, renditions, segments, keyframes, bitrates; with --source, quality.")

    @Argument(help: "Output folder or master playlist.")
    var path: String

    @Option(name: .long, help: "The source file the output was made from: adds PSNR and SSIM (and VMAF when FFmpeg has libvmaf) per video rendition.")
    var source: String?

    @Flag(name: .long, help: "Print the summary as JSON (sorted keys; what regress goldens hold).")
    var json = false

    func run() throws {
        let summary: OutputSummary
        do {
            summary = try Summarizer.summarize(path: path, source: source)
        } catch {
            fail("\(error)", code: 4)
        }
        if json {
            do {
                print(try SummaryJSON.encode(summary), terminator: "")
            } catch {
                fail("cannot encode the summary: \(error)", code: 8)
            }
        } else {
            print(SummaryTable.render(summary), terminator: "")
        }
    }
}
