import Foundation

/// The port the server bound, once it is listening (port 0 binds any free one). Waiters before then are
/// resumed when it is known; `nil` if the server stopped without listening.
///
/// `@unchecked Sendable`: every stored property is guarded by `lock`.
final class PortPromise: @unchecked Sendable {
    private let lock = NSLock()
    private var settled = false
    private var port: Int?
    private var error: String?
    private var waiters: [CheckedContinuation<Int?, Never>] = []

    /// Why it did not listen, when it did not (the address was taken, say).
    var failure: String? { lock.withLock { error } }

    func fulfill(_ value: Int?, failure: String? = nil) {
        let resumed: [CheckedContinuation<Int?, Never>] = lock.withLock {
            guard !settled else { return [] }
            settled = true
            port = value
            error = failure
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in resumed { waiter.resume(returning: value) }
    }

    var value: Int? {
        get async {
            await withCheckedContinuation { continuation in
                let known: Int?? = lock.withLock {
                    if settled { return .some(port) }
                    waiters.append(continuation)
                    return .none
                }
                if case .some(let port) = known { continuation.resume(returning: port) }
            }
        }
    }
}
