import Dispatch
import Evaluation
import Foundation

/// Progress on standard error for long runs: every few seconds a line with the elapsed time and
/// what `status` says (a percentage of an estimate, or the last stage message), so that no long
/// construct, eval, verify or lemmas run is silent. Quiet runs and short runs print nothing: the
/// first line comes after `interval` seconds. With interval 0 (EXACT_INTERP_PROGRESS_INTERVAL=0,
/// docs/cli.md) a line is also printed when the heartbeat starts and when it stops, so that a test
/// sees the format on a run of any length.
final class Heartbeat: @unchecked Sendable {
    private let lock = NSLock()
    private var timer: DispatchSourceTimer?
    private var lastMessage: String? = nil
    private var lastPrinted = DispatchTime.now()
    private let started = DispatchTime.now()
    private let interval: Double
    private let status: @Sendable () -> String
    private var running = false

    /// Seconds between heartbeat lines: EXACT_INTERP_PROGRESS_INTERVAL (a number ≥ 0; docs/cli.md),
    /// else 3.
    static let configuredInterval: Double = {
        guard let text = ProcessInfo.processInfo.environment["EXACT_INTERP_PROGRESS_INTERVAL"] else { return 3 }
        guard let seconds = Double(text), seconds.isFinite, seconds >= 0 else {
            printError("notice: EXACT_INTERP_PROGRESS_INTERVAL=\(text) is not a number of seconds ≥ 0: progress every 3 s")
            return 3
        }
        return seconds
    }()

    /// Starts the timer unless `quiet`.
    init(quiet: Bool, interval: Double = Heartbeat.configuredInterval, status: @escaping @Sendable () -> String) {
        self.interval = interval
        self.status = status
        guard !quiet else { return }
        running = true
        if interval == 0 { printLine() }
        // Interval 0: the timer ticks every 10 ms (a dispatch timer needs a positive period).
        let period = max(interval, 0.01)
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        t.schedule(deadline: .now() + period, repeating: period)
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
        printLine()
    }

    /// "[elapsed] status", unless the heartbeat has stopped. The status is read outside the lock
    /// (a construct status reads `last`).
    private func printLine() {
        let line = currentLine()
        lock.lock()
        defer { lock.unlock() }
        guard running else { return }
        printError(line)
        lastPrinted = DispatchTime.now()
    }

    /// "[elapsed] status" now.
    private func currentLine() -> String { "[\(elapsed(since: started))] \(status())" }

    /// Stops the timer (interval 0: with a last line, made after no tick can print any more, so
    /// its time and percentage are the largest); later calls do nothing.
    func stop() {
        timer?.cancel()
        timer = nil
        lock.lock()
        let wasRunning = running
        running = false
        lock.unlock()
        guard wasRunning, interval == 0 else { return }
        printError(currentLine())
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
