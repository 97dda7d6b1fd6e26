import Foundation
import FFmpegKit

/// While a live input is lost (on by default; `--no-slate` turns it off), a steady stream of pictures and
/// silence keeps every rendition producing segments in real time, on the same encoders, the same segment
/// grid and the same timeline, so players see no discontinuity at all: first the last real picture, frozen
/// for `freezeSeconds`, then the slate (black, or `--slate-image`). The outage is noticed only after the
/// input timeout, so the frames of that wait are made at once, and the output's latency does not grow by
/// it. When the publisher returns, its first frame simply follows the slate's last.
///
/// `@unchecked Sendable`: `running` and `thread` are guarded by `lock`; the picture is read-only once made.
final class Slate: @unchecked Sendable {
    private let feed: LadderFeed
    private let image: Frame?
    private let frameSeconds: Double
    private let lock = NSLock()
    private var running = false
    private var stopped: DispatchSemaphore?

    init(feed: LadderFeed, image: Frame?, frameTicks: Int64) {
        self.feed = feed
        self.frameSeconds = Double(frameTicks) / 90_000
        self.image = image
    }

    /// How long the last real picture is repeated before the slate shows: a short drop looks like a freeze.
    static let freezeSeconds = 1.0
    /// At most this much of the outage is made up at once (a longer wait is not worth a burst).
    static let maximumCatchUp = 30.0

    /// Starts producing pictures of `size` (the last real picture's), if not already: `freeze` (the last
    /// real picture) first, and `behind` seconds of them at once, the time the input was silent before its
    /// loss was noticed.
    func start(size: (width: Int, height: Int)?, freeze: Frame? = nil, behind: Double = 0) {
        let picture: Frame
        do {
            if let image {
                picture = image
            } else {
                picture = try Frame.video(width: size?.width ?? 1280, height: size?.height ?? 720, format: .yuv420p)
                try picture.fillBlack()
            }
        } catch {
            return
        }
        lock.withLock {
            guard !running else { return }
            running = true
            let done = DispatchSemaphore(value: 0)
            stopped = done
            let frameSeconds = self.frameSeconds
            let thread = Thread { [self] in
                // Pictures are due from when the input went silent; the first ones are late already.
                var next = Date().addingTimeInterval(-min(max(behind, 0), Self.maximumCatchUp))
                var made = 0.0
                while lock.withLock({ running }) {
                    let shown = made < Self.freezeSeconds ? (freeze ?? picture) : picture
                    do { try feed.slate(shown) } catch { break }
                    made += frameSeconds
                    next = next.addingTimeInterval(frameSeconds)
                    let delay = next.timeIntervalSinceNow
                    if delay > 0 { Thread.sleep(forTimeInterval: delay) }
                }
                done.signal()
            }
            thread.name = "slate"
            thread.start()
        }
    }

    /// Stops the pictures; returns whether the slate was on.
    @discardableResult
    func stop() -> Bool {
        let done: DispatchSemaphore? = lock.withLock {
            guard running else { return nil }
            running = false
            return stopped
        }
        done?.wait()
        return done != nil
    }

    /// Decodes the first picture of a PNG or JPEG file.
    static func loadImage(_ path: String) throws -> Frame {
        do {
            let input = try MediaInput(url: path)
            guard let index = input.bestStream(.video) else { throw LiveLadderError(.badConfig, "--slate-image \(path): no picture in it") }
            let decoder = try Decoder(input: input, stream: index)
            while let packet = try input.read() {
                guard packet.streamIndex == index else { continue }
                try decoder.send(packet)
                if case .item(let frame) = try decoder.receive() { return frame }
            }
            try decoder.send(nil)
            if case .item(let frame) = try decoder.receive() { return frame }
            throw LiveLadderError(.badConfig, "--slate-image \(path): no picture could be decoded")
        } catch let error as LiveLadderError {
            throw error
        } catch {
            throw LiveLadderError(.badConfig, "--slate-image \(path): cannot read it as a PNG or JPEG picture (\(error))")
        }
    }
}
