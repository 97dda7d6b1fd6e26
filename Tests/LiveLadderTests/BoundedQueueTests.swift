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
}
