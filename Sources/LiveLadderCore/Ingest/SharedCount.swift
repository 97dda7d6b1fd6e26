import Foundation

/// A count one thread adds to and others read (the progress sampler).
///
/// `@unchecked Sendable`: `value` is guarded by `lock`.
final class SharedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add(_ amount: Int = 1) { lock.withLock { count += amount } }

    var value: Int { lock.withLock { count } }
}
