import XCTest
@testable import LiveLadderServer
final class PlaceholderTests: XCTestCase { func testNothing() {} }
