import Dispatch
import Synchronization

/// `transform` applied to every element on all cores; results in input order.
public func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
    if items.count < 2 { return items.map(transform) }
    let results = ResultSlots<R>(count: items.count)
    DispatchQueue.concurrentPerform(iterations: items.count) { i in
        results.store(transform(items[i]), at: i)
    }
    return results.values()
}

/// A count of finished work items shared by worker threads.
final class CompletionCounter: Sendable {
    private let done = Mutex(0)

    /// Counts one more item and calls `report` with the new count, one caller at a time (so the
    /// reports arrive in increasing order).
    func increment(then report: (Int) -> Void) {
        done.withLock { count in
            count += 1
            report(count)
        }
    }
}

/// Write-once slots filled concurrently at distinct indices.
///
/// A raw buffer, not an array: `Array.withUnsafeMutableBufferPointer` swaps the array out for an
/// empty one during the call, so two threads calling it at once corrupt the heap (seen as crashes of
/// `construct` on N = 1000).
final class ResultSlots<R>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<R?>
    private let count: Int
    /// Whether `values()` moved the slots' contents out (they are then uninitialized memory).
    private var taken = false
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }
    deinit {
        if !taken { slots.deinitialize(count: count) }
        slots.deallocate()
    }
    func store(_ value: R, at i: Int) {
        slots[i] = value  // distinct i per thread: disjoint memory, no race
    }
    /// The stored values in slot order, moved out (no copy per value), once, after every worker has
    /// finished; a slot never stored is skipped.
    func values() -> [R] {
        precondition(!taken, "ResultSlots.values() called twice")
        taken = true
        var out: [R] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            if let value = (slots + i).move() { out.append(value) }
        }
        return out
    }
}
