import Foundation

/// A blocking FIFO with a fixed capacity between two threads (ingest → one rendition).
///
/// Full-queue policy: `put` waits for room. For a file input this is back-pressure: the input is read
/// no faster than the slowest rendition encodes, and memory stays at `capacity` frames per rendition.
/// A live input cannot wait, so it uses `offer`, which never blocks: a rendition whose queue is full has
/// fallen behind, and sheds pictures (`RenditionWorker.offer`).
/// A rendition that fails closes its queue; from then on `put` drops items at once, so a dead rendition
/// never blocks the input or its siblings.
///
/// `@unchecked Sendable`: every stored property is read and written only while holding `condition`.
public final class BoundedQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var closed = false
    public let capacity: Int
    /// Items dropped because the queue was closed.
    public private(set) var dropped = 0

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Waits for room, then appends. Returns false (and drops the item) when the queue is closed.
    @discardableResult
    public func put(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !closed && items.count - head >= capacity { condition.wait() }
        if closed {
            dropped += 1
            return false
        }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Appends without waiting; false when the queue is full or closed (the item is not taken).
    public func offer(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, items.count - head < capacity else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Appends without waiting; when the queue is full, first removes the oldest item that `evictable`
    /// accepts, given the items queued after it. Returns whether one was evicted (false: there was room);
    /// nil when nothing could be (the item is not taken) or the queue is closed.
    public func offer(_ item: Element, evicting evictable: (Element, ArraySlice<Element>) -> Bool) -> Bool? {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return nil }
        var evicted = false
        if items.count - head >= capacity {
            guard let index = items[head...].indices.first(where: { evictable(items[$0], items[($0 + 1)...]) }) else { return nil }
            items.remove(at: index)
            evicted = true
        }
        items.append(item)
        condition.broadcast()
        return evicted
    }

    /// Waits for an item; nil once the queue is closed and empty.
    public func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while !closed && head == items.count { condition.wait() }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    /// No more puts; takers drain what is left, then get nil. With `discardPending`, what is left goes too.
    public func close(discardPending: Bool = false) {
        condition.lock()
        closed = true
        if discardPending {
            dropped += items.count - head
            items.removeAll()
            head = 0
        }
        condition.broadcast()
        condition.unlock()
    }

    public var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    public var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count - head
    }
}
