import Dispatch
import Evaluation
import Foundation

/// Progress on standard error for long runs: every few seconds a line with the elapsed time and
/// what `status` says (a percentage of an estimate, or the last stage message), so that no long
/// construct, eval, verify or lemmas run is silent. Quiet runs and short runs print nothing: the
/// first line comes after `interval` seconds.
final class Heartbeat: @unchecked Sendable {
    private let lock = NSLock()
    private var timer: DispatchSourceTimer?
    private var lastMessage: String? = nil
    private var lastPrinted = DispatchTime.now()
    private let started = DispatchTime.now()
    private let interval: Double
    private let status: @Sendable () -> String

    /// Starts the timer unless `quiet`.
    init(quiet: Bool, interval: Double = 3, status: @escaping @Sendable () -> String) {
        self.interval = interval
        self.status = status
        guard !quiet else { return }
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        t.schedule(deadline: .now() + interval, repeating: interval)
        t.setEventHandler { [weak self] in self?.tick() }
        t.resume()
        timer = t
    }

    /// Records a progress message printed by the command itself (a heartbeat is then not needed
    /// until `interval` seconds later).
    func note(_ message: String) {
        lock.lock()
        lastMessage = message
        lastPrinted = DispatchTime.now()
        lock.unlock()
    }

    /// The last message noted, for status lines.
    var last: String? {
        lock.lock()
        defer { lock.unlock() }
        return lastMessage
    }

    private func tick() {
        lock.lock()
        let quietFor = Double(DispatchTime.now().uptimeNanoseconds - lastPrinted.uptimeNanoseconds) / 1e9
        lock.unlock()
        guard quietFor >= interval * 0.9 else { return }
        printError("[\(elapsed(since: started))] \(status())")
        lock.lock()
        lastPrinted = DispatchTime.now()
        lock.unlock()
    }

    func stop() {
        timer?.cancel()
        timer = nil
    }

    deinit { timer?.cancel() }
}

/// "eval: 37% of the estimated work done (…)" for a `WorkMeter` against its estimate.
func meterStatus(_ label: String, _ meter: WorkMeter, estimate: Double) -> @Sendable () -> String {
    { 
        let fraction = estimate > 0 ? min(1, Double(meter.units) / estimate) : 0
        return "\(label): \(Int(fraction * 100))% of the estimated work done (estimate: n² attention pairs per block and sequence, scaled by the numbers' word size)"
    }
}

/// A late-bound reference to a heartbeat, for a status closure that reads the heartbeat itself.
final class HeartbeatBox: @unchecked Sendable {
    weak var heartbeat: Heartbeat?
}
