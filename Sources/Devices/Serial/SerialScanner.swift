import Foundation
import Lane
import ScannerProtocols

/// A scanner in serial mode (CDC-ACM or USB-serial) as a `CodeScanner`: raw bytes, framed by the suffix the scanner
/// is programmed with. The byte-transparent path, so it is the safest for Vietnamese text. Reads on its own thread;
/// when the port goes away the lane is told `offline` and the path is reopened every half second.
public final class SerialScanner: CodeScanner, Sendable {
    public let name: String
    public let path: String
    public let baud: Int
    public let framing: ScanFraming
    private let timeline: any LaneTimeline
    static let reopenInterval = 0.5

    public init(path: String, baud: Int = 9600, framing: ScanFraming = ScanFraming(), timeline: any LaneTimeline) {
        self.path = path
        self.baud = baud
        self.framing = framing
        self.timeline = timeline
        name = "scanner:" + path
    }

    public func events() -> AsyncStream<ScannerEvent> {
        DeviceThreads.stream(named: "serial-scanner", bufferingNewest: 256) { [self] out, stop in self.run(out, stop: stop) }
    }

    private func run(_ out: AsyncStream<ScannerEvent>.Continuation, stop: StopFlag) {
        var reporter = ScannerReporter(name: name, out: out, timeline: timeline)
        reporter.device = path
        var decoder = ScanDecoder.serial(ScanAssembler(suffix: framing.suffix, gapSeconds: framing.gapSeconds))
        while !stop.isSet {
            let port: SerialPort
            do { port = try SerialPort(path: path, baud: baud) } catch {
                reporter.status(.offline)
                reporter.problem(error.description)
                Thread.sleep(forTimeInterval: error.gone ? Self.reopenInterval : 2)
                continue
            }
            reporter.status(.online, detail: "serial \(path) at \(baud) baud")
            decoder.reset()
            while !stop.isSet {
                let now = timeline.now()
                let wait = decoder.deadline.map { min(0.05, max(0.001, $0 - now)) } ?? 0.05
                let bytes: [UInt8]
                do { bytes = try port.read(timeout: wait) } catch {
                    reporter.status(.offline)
                    reporter.problem(error.description)
                    break
                }
                let time = timeline.now()
                if !bytes.isEmpty {
                    for outcome in decoder.decode(bytes, at: time) { reporter.deliver(outcome, transport: "serial", at: time) }
                }
                if let outcome = decoder.idle(at: time) { reporter.deliver(outcome, transport: "serial", at: time) }
                reporter.flushRejections(at: time)
            }
        }
    }
}
