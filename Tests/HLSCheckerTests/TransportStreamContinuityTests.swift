@testable import HLSChecker
import XCTest

/// The continuity counter reader on hand-made packets (ISO/IEC 13818-1 §2.4.3.3).
final class TransportStreamContinuityTests: XCTestCase {
    /// A 188-byte packet of `pid` with `counter`; `payload: false` makes it adaptation-only.
    private func packet(_ pid: Int, _ counter: UInt8, payload: Bool = true, discontinuity: Bool = false,
                        fill: UInt8 = 0xAB) -> [UInt8] {
        var bytes: [UInt8] = [0x47, UInt8(pid >> 8), UInt8(pid & 0xFF)]
        let control: UInt8 = payload ? (discontinuity ? 0x30 : 0x10) : 0x20
        bytes.append(control | counter)
        if control & 0x20 != 0 {
            let length = payload ? 1 : 183
            bytes += [UInt8(length), discontinuity ? 0x80 : 0x00]
            bytes += Array(repeating: 0xFF, count: length - 1)
        }
        return bytes + Array(repeating: fill, count: 188 - bytes.count)
    }

    private func scan(_ packets: [[UInt8]]) -> TransportStreamContinuity {
        TransportStreamContinuity(scanning: packets.flatMap { $0 })
    }

    func testCountersThatRunOnAndWrapHaveNoBreak() {
        let continuity = scan((0..<20).map { packet(256, UInt8($0 % 16)) } + [packet(257, 9), packet(257, 10)])
        XCTAssertEqual(continuity.breaks, [])
        XCTAssertEqual(continuity.heads[256]?.counter, 0)
        XCTAssertEqual(continuity.tails[256]?.counter, 3)
        XCTAssertEqual(continuity.tails[256]?.repeated, false)
        XCTAssertEqual(continuity.tails[257]?.counter, 10)
    }

    func testASkippedOrRepeatedTwiceCounterBreaks() {
        let skipped = scan([packet(256, 1), packet(256, 2), packet(256, 4)])
        XCTAssertEqual(skipped.breaks, [.init(pid: 256, counter: 4, previous: 2, packet: 2)])
        // Once is a duplicate packet, which the standard allows; a third copy is not.
        XCTAssertEqual(scan([packet(256, 5), packet(256, 5), packet(256, 6)]).breaks, [])
        XCTAssertEqual(scan([packet(256, 5), packet(256, 5), packet(256, 5)]).breaks,
                       [.init(pid: 256, counter: 5, previous: 5, packet: 2)])
        // The same counter on other bytes is no duplicate: a muxer restarted on the counter it stopped at.
        XCTAssertEqual(scan([packet(256, 5), packet(256, 5, fill: 0xCD)]).breaks,
                       [.init(pid: 256, counter: 5, previous: 5, packet: 1)])
    }

    func testAdaptationOnlyPacketsDoNotAdvanceTheCounter() {
        XCTAssertEqual(scan([packet(256, 7), packet(256, 7, payload: false), packet(256, 8)]).breaks, [])
        XCTAssertEqual(scan([packet(256, 7), packet(256, 8, payload: false)]).breaks,
                       [.init(pid: 256, counter: 8, previous: 7, packet: 1)])
    }

    func testDiscontinuityIndicatorAndNullPacketsExcuseABreak() {
        XCTAssertEqual(scan([packet(256, 7), packet(256, 0, discontinuity: true), packet(256, 1)]).breaks, [])
        XCTAssertEqual(scan([packet(0x1FFF, 3), packet(0x1FFF, 9)]).breaks, [])
        XCTAssertNil(scan([packet(0x1FFF, 3)]).heads[0x1FFF])
    }

    func testTheJoinIsTheSameStep() {
        let before = TransportStreamContinuity.State(counter: 15, repeated: false)
        XCTAssertTrue(TransportStreamContinuity.step(from: before, .init(counter: 0, hasPayload: true, discontinuity: false)).continues)
        XCTAssertFalse(TransportStreamContinuity.step(from: before, .init(counter: 3, hasPayload: true, discontinuity: false)).continues)
        XCTAssertTrue(TransportStreamContinuity.step(from: before, .init(counter: 3, hasPayload: true, discontinuity: true)).continues)
    }

    func testStopsAtALostSyncByte() {
        var bytes = packet(256, 0) + packet(256, 5)
        bytes[188] = 0x00
        XCTAssertEqual(TransportStreamContinuity(scanning: bytes).breaks, [])
    }
}
