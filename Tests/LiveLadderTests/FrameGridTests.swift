import XCTest
@testable import LiveLadderCore

final class FrameGridTests: XCTestCase {
    func testSlotsAtNTSCRatesAlternateAndNeverDrift() {
        let grid = FrameGrid(num: 60_000, den: 1001, anchor: 900_000)
        XCTAssertEqual((1...4).map { grid.pts($0) - grid.pts($0 - 1) }, [1502, 1501, 1502, 1501])
        // An hour of 59.94 fps is 215,784 frames: slot k is k × 1501.5 ticks, to the tick.
        XCTAssertEqual(grid.pts(215_784) - 900_000, 215_784 * 3003 / 2)
        let ntsc = FrameGrid(num: 30_000, den: 1001, anchor: 0)
        XCTAssertEqual(ntsc.pts(30_000), 30_000 * 3003)
    }

    /// FLV's millisecond clock: 30 fps arrives 33 or 34 ms apart; every picture lands on its own slot.
    func testMillisecondTimestampsSnapToTheirSlots() {
        let grid = FrameGrid(num: 30, den: 1, anchor: 0)
        let milliseconds = (0..<300).map { Int64(($0 * 1000) / 30) }
        let slots = milliseconds.map { grid.nearestSlot($0 * 90) }
        XCTAssertEqual(slots, (0..<300).map(Int64.init))
    }

    func testNearestSlotRoundsBothWaysAroundTheAnchor() {
        let grid = FrameGrid(num: 25, den: 1, anchor: 10_000)
        XCTAssertEqual(grid.nearestSlot(10_000 + 3600 + 1799), 1)
        XCTAssertEqual(grid.nearestSlot(10_000 + 3600 + 1800), 2)
        XCTAssertEqual(grid.nearestSlot(10_000 - 1799), 0)
        XCTAssertEqual(grid.nearestSlot(10_000 - 1801), -1)
    }

    func testRestartAnchorsSlotZeroAtTheNewSession() {
        var grid = FrameGrid(num: 30, den: 1, anchor: 0)
        grid.place(at: 10)
        XCTAssertEqual(grid.next, 33_000)
        grid.restart(at: 50_000)
        XCTAssertEqual(grid.index, 0)
        XCTAssertEqual(grid.next, 53_000)
    }
}
