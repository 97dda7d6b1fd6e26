import XCTest
@testable import LiveLadderCore

final class TSContinuityTests: XCTestCase {
    /// A TS packet: sync byte, PID, adaptation field control (1 payload, 2 adaptation only, 3 both), counter.
    private func packet(pid: UInt16, control: UInt8 = 1, counter: UInt8 = 0) -> [UInt8] {
        [0x47, UInt8(pid >> 8) & 0x1F, UInt8(pid & 0xFF), control << 4 | counter] + Array(repeating: 0xFF, count: 184)
    }

    private func counters(_ bytes: [UInt8]) -> [UInt8] {
        stride(from: 0, to: bytes.count, by: 188).map { bytes[$0 + 3] & 0x0F }
    }

    func testCountersContinueAcrossSegmentsThatEachStartAtZero() {
        var state = TSContinuity()
        // Two segments from two fresh muxers: both count from 0.
        let first = (0..<20).flatMap { packet(pid: 256, counter: UInt8($0 % 16)) }
        let second = (0..<3).flatMap { packet(pid: 256, counter: UInt8($0)) }
        let a = state.renumbered(first)
        state = a.state
        let b = state.renumbered(second)
        XCTAssertEqual(counters(a.bytes), (0..<20).map { UInt8($0 % 16) })
        XCTAssertEqual(counters(b.bytes), [4, 5, 6], "the second segment goes on from the first")
    }

    /// A resumed run goes on from the counters of the last file the previous process wrote.
    func testAResumedRunContinuesFromTheLastFileOnDisk() {
        let previous = packet(pid: 0, counter: 7) + packet(pid: 256, counter: 14) + packet(pid: 256, control: 2, counter: 14) + packet(pid: 257, counter: 15)
        let next = TSContinuity.continuing(after: previous).renumbered(packet(pid: 0) + packet(pid: 256) + packet(pid: 257))
        XCTAssertEqual(counters(next.bytes), [8, 15, 0])
        // Bytes that are not TS packets say nothing: a fresh count.
        XCTAssertEqual(counters(TSContinuity.continuing(after: [1, 2, 3]).renumbered(packet(pid: 256)).bytes), [0])
    }

    func testEachPIDHasItsOwnCounterAndAdaptationOnlyPacketsRepeatIt() {
        let bytes = packet(pid: 0) + packet(pid: 256) + packet(pid: 256, control: 2) + packet(pid: 256) + packet(pid: 0x1FFF, counter: 9)
        let result = TSContinuity().renumbered(bytes)
        XCTAssertEqual(counters(result.bytes), [0, 0, 0, 1, 9])
    }

    func testBytesThatAreNotWholePacketsAreLeftAlone() {
        let bytes = packet(pid: 256, counter: 7) + [0x47]
        XCTAssertEqual(TSContinuity().renumbered(bytes).bytes, bytes)
        var broken = packet(pid: 256, counter: 7)
        broken[0] = 0x00
        XCTAssertEqual(TSContinuity().renumbered(broken).bytes, broken)
    }

    func testAFailedWriteDoesNotAdvanceTheCommittedState() {
        let state = TSContinuity()
        _ = state.renumbered(packet(pid: 256))
        XCTAssertEqual(counters(state.renumbered(packet(pid: 256)).bytes), [0], "state is a value; only the caller commits it")
    }
}
