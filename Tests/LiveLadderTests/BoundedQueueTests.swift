import Foundation
import XCTest
@testable import LiveLadderCore

final class BoundedQueueTests: XCTestCase {
    func testKeepsOrderAndCapacity() {
        let queue = BoundedQueue<Int>(capacity: 3)
        let consumed = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var seen: [Int] = []
        Thread {
            while let item = queue.take() {
                XCTAssertLessThanOrEqual(queue.count, 3)
                seen.append(item)
            }
            consumed.signal()
        }.start()
        for item in 0..<1000 { XCTAssertTrue(queue.put(item)) }
        queue.close()
        consumed.wait()
        XCTAssertEqual(seen, Array(0..<1000))
    }

    func testClosedQueueDropsPutsInsteadOfBlocking() {
        let queue = BoundedQueue<Int>(capacity: 1)
        XCTAssertTrue(queue.put(1))
        queue.close(discardPending: true)
        // A failed rendition's queue: put returns at once even though the queue was full.
        XCTAssertFalse(queue.put(2))
        XCTAssertNil(queue.take())
        XCTAssertEqual(queue.dropped, 2)
    }

    func testOfferEvictsTheOldestItemThePolicyAllowsGivenWhatFollowsIt() {
        let queue = BoundedQueue<Int>(capacity: 4)
        for value in [10, 1, 3, 5] { XCTAssertTrue(queue.offer(value)) }
        XCTAssertFalse(queue.offer(7), "full")
        // Odd items may go, but only when another odd item follows them.
        let evicted = queue.offer(7) { item, rest in item % 2 == 1 && rest.contains { $0 % 2 == 1 } }
        XCTAssertEqual(evicted, true)
        XCTAssertEqual((0..<4).compactMap { _ in queue.take() }, [10, 3, 5, 7])
    }

    func testOfferTakesNothingWhenNothingMayBeEvictedOrTheQueueIsClosed() {
        let queue = BoundedQueue<Int>(capacity: 2)
        XCTAssertTrue(queue.offer(2))
        XCTAssertTrue(queue.offer(4))
        XCTAssertNil(queue.offer(6) { item, _ in item % 2 == 1 })
        XCTAssertEqual(queue.count, 2)
        queue.close()
        XCTAssertTrue(queue.isClosed)
        XCTAssertNil(queue.offer(1) { _, _ in true })
    }
}
