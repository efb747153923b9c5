import CoreFoundation
import CLibUSB
import Foundation
import Lane
import ScannerProtocols

/// A USB HID scanner (keyboard wedge or HID POS) read through libusb, as a `CodeScanner`.
///
/// Everything libusb happens on one dedicated thread per scanner: discovery, open, the event loop that completes
/// interrupt transfers, decoding (pure, microseconds) and hot-plug. Scans and status changes are handed to async
/// code through the event stream. Unplugging marks the scanner offline; it is looked for again at once on a libusb
/// hot-plug arrival and every `rediscoverInterval` otherwise, so a replugged scanner resumes within a second.
public final class USBScanner: CodeScanner, Sendable {
    public let name: String
    public let selector: ScannerSelector
    public let framing: ScanFraming
    private let timeline: any LaneTimeline
    private let sysfs: String
    static let rediscoverInterval = 0.5

    public init(selector: ScannerSelector, framing: ScanFraming = ScanFraming(), timeline: any LaneTimeline, sysfs: String = "/sys") {
        self.selector = selector
        self.framing = framing
        self.timeline = timeline
        self.sysfs = sysfs
        name = "scanner:" + (selector.usbID ?? selector.port ?? selector.devicePath ?? "usb")
    }

    /// The scanner candidates attached now (for `checkpointctl scanner list`).
    public static func candidates(sysfs: String = "/sys") throws -> [USBScannerCandidate] {
        let context = try USBContext()
        return USBScannerDiscovery.list(context: context, sysfs: sysfs)
    }

    public func events() -> AsyncStream<ScannerEvent> {
        DeviceThreads.stream(named: "usb-scanner", bufferingNewest: 256) { [self] out, stop in self.run(out, stop: stop) }
    }

    private func run(_ out: AsyncStream<ScannerEvent>.Continuation, stop: StopFlag) {
        var reporter = ScannerReporter(name: name, out: out, timeline: timeline)
        while !stop.isSet {
            // A fresh libusb context per attempt: libusb's device list follows hot-plug only through udev events,
            // and a box (or the hardware lab's guest) without a running udevd would never see a replugged scanner.
            let context: USBContext
            do { context = try USBContext() } catch {
                reporter.status(.offline)
                reporter.problem(error.description)
                Thread.sleep(forTimeInterval: 2)
                continue
            }
            let arrivals = HotplugWatch(context: context)
            let found = USBScannerDiscovery.list(context: context, sysfs: sysfs).first(where: selector.matches)
            guard let candidate = found else {
                reporter.status(.offline)
                reporter.problem("no scanner matches \(selector)")
                arrivals.wait(seconds: Self.rediscoverInterval, stop: stop)
                continue
            }
            let session: USBScannerSession
            do {
                session = try USBScannerSession(context: context, candidate: candidate, framing: framing)
            } catch {
                reporter.status(.offline)
                reporter.problem("\(error)")
                arrivals.wait(seconds: 2, stop: stop)  // permissions or a busy device do not fix themselves at once
                continue
            }
            let setupNotes = session.notes.count
            for note in session.notes { reporter.problem(note) }
            reporter.device = "\(candidate.usbID)@\(candidate.port)"
            reporter.status(.online, detail: "\(session.decoder.transport) \(candidate.usbID) at port \(candidate.port)")
            read(session, reporter: &reporter, stop: stop)
            session.close()
            for note in session.notes.dropFirst(setupNotes) { reporter.problem(note) }  // what closing added
        }
    }

    /// Reads and decodes until the device goes away or the scanner is stopped.
    private func read(_ session: USBScannerSession, reporter: inout ScannerReporter, stop: StopFlag) {
        var decoder = session.decoder
        while !stop.isSet {
            let now = timeline.now()
            let wait = decoder.deadline.map { min(0.05, max(0.001, $0 - now)) } ?? 0.05
            let reports: [[UInt8]]
            do { reports = try session.poll(timeout: wait) } catch {
                reporter.status(.offline)
                reporter.problem(error.description)
                return
            }
            let time = timeline.now()
            for report in reports {
                for outcome in decoder.decode(report, at: time) { reporter.deliver(outcome, transport: decoder.transport, at: time) }
            }
            if let outcome = decoder.idle(at: time) { reporter.deliver(outcome, transport: decoder.transport, at: time) }
            reporter.flushRejections(at: time)
        }
    }
}

/// Turns decoder outcomes and device changes into lane events: status only on change, problems once until they
/// change, rejections throttled (a storm of garbage gives one event per second, with the count).
struct ScannerReporter {
    let name: String
    /// What each scan names as its source: the USB ID and port, or the serial path.
    var device: String
    let out: AsyncStream<ScannerEvent>.Continuation
    let timeline: any LaneTimeline
    private var online: Bool?
    private var lastProblem: String?
    private var throttle = RejectionThrottle()

    init(name: String, out: AsyncStream<ScannerEvent>.Continuation, timeline: any LaneTimeline) {
        self.name = name
        device = name
        self.out = out
        self.timeline = timeline
    }

    mutating func status(_ status: DeviceStatus, detail: String? = nil) {
        if online != (status == .online) {
            out.yield(.status(status))
            if let detail { out.yield(.problem("online: \(detail)")) }
            if status == .online { lastProblem = nil }
        }
        online = status == .online
    }

    mutating func problem(_ text: String) {
        if text != lastProblem { out.yield(.problem(text)) }
        lastProblem = text
    }

    mutating func deliver(_ outcome: ScanOutcome, transport: String, at time: Double) {
        switch outcome {
        case .scan(let scan):
            out.yield(.scan(Scan(time: time, payload: scan.payload, symbology: scan.symbology, device: device, transport: transport)))
        case .rejected(let rejection):
            guard let (passed, suppressed) = throttle.admit(rejection, at: time) else { return }
            let more = suppressed > 0 ? " (and \(suppressed) more rejected input(s) since the last report)" : ""
            out.yield(.rejected(time: time, reason: passed.description + more))
        }
    }

    /// Reports the size of a storm that has ended (call on every poll).
    mutating func flushRejections(at time: Double) {
        if let count = throttle.flush(at: time) {
            out.yield(.rejected(time: time, reason: "\(count) more rejected input(s) held back in the last second"))
        }
    }
}

/// libusb hot-plug arrivals as a wake-up for rediscovery, where the platform supports it; plain waiting otherwise.
private final class HotplugWatch {
    private let context: USBContext
    private var arrived: Int32 = 0
    private var handle: libusb_hotplug_callback_handle = 0
    private var registered = false

    init(context: USBContext) {
        self.context = context
        guard clibusb_has_hotplug() != 0 else { return }
        let status = libusb_hotplug_register_callback(
            context.pointer, Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.rawValue), 0, LIBUSB_HOTPLUG_MATCH_ANY,
            LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, hotplugCallback, Unmanaged.passUnretained(self).toOpaque(), &handle)
        registered = status == 0
    }

    deinit { if registered { libusb_hotplug_deregister_callback(context.pointer, handle) } }

    fileprivate func signal() { arrived = 1 }

    /// Waits up to `seconds`, returning early on a device arrival or a stop.
    func wait(seconds: Double, stop: StopFlag) {
        let deadline = Date().addingTimeInterval(seconds)
        arrived = 0
        while !stop.isSet, arrived == 0, Date() < deadline {
            var tv = timeval(tv_sec: 0, tv_usec: 100_000)
            if registered {
                _ = libusb_handle_events_timeout_completed(context.pointer, &tv, &arrived)
            } else {
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }
}

private let hotplugCallback: libusb_hotplug_callback_fn = { _, _, _, user in
    if let user { Unmanaged<HotplugWatch>.fromOpaque(user).takeUnretainedValue().signal() }
    return 0
}
