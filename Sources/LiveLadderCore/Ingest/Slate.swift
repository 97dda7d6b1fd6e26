import Foundation
import FFmpegKit

/// `--slate`: while the input is lost, a steady stream of pictures (black, or `--slate-image`) and
/// silence keeps every rendition producing segments in real time, so players never stall. The timeline
/// simply continues; when the publisher returns, its first frame starts a segment after a discontinuity.
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

    /// Starts producing pictures of `size` (the last real picture's), if not already.
    func start(size: (width: Int, height: Int)?) {
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
            let thread = Thread { [self] in
                var next = Date()
                while lock.withLock({ running }) {
                    do { try feed.slate(picture) } catch { break }
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
