import Foundation
import LiveLadderCore

/// The pipeline's `WorkerCommands`, set once the pipeline exists: the server starts before it (so
/// `/livez` and `/metrics` answer during setup), and a command before then is answered 409.
///
/// `@unchecked Sendable`: `commands` is guarded by `lock`.
final class CommandSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var commands: (any WorkerCommands)?

    init(_ commands: (any WorkerCommands)?) { self.commands = commands }

    var current: (any WorkerCommands)? {
        get { lock.withLock { commands } }
        set { lock.withLock { commands = newValue } }
    }
}
