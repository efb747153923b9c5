import Devices
import Foundation
import Lane
import ScannerProtocols
import Testing
import TestSupport

/// A serial scanner on a real pseudo-terminal: termios raw mode, suffix framing, UTF-8, unplug and replug.
/// The lane opens a stable path (here a symlink, like `/dev/checkpoint/scanner0`); "replugging" points it at a new pty.
@Suite struct SerialScannerTests {
    /// Collects a scanner's events on a thread-safe list.
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [ScannerEvent] = []
        func add(_ event: ScannerEvent) { lock.withLock { items.append(event) } }
        var events: [ScannerEvent] { lock.withLock { items } }
        var scans: [Scan] { events.compactMap { if case .scan(let s) = $0 { s } else { nil } } }
        var rejections: [String] { events.compactMap { if case .rejected(_, let r) = $0 { r } else { nil } } }
        var statuses: [DeviceStatus] { events.compactMap { if case .status(let s) = $0 { s } else { nil } } }
    }

    @Test func scansFramedBySuffixSurviveUnplugAndReplug() async throws {
        let dir = temporaryDirectory("serial")
        let link = dir + "/scanner0"
        var pty = try PseudoTerminal()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: pty.slavePath)
        let scanner = SerialScanner(path: link, framing: ScanFraming(suffix: .enter), timeline: MonotonicTimeline())
        let recorder = Recorder()
        let task = Task { for await event in scanner.events() { recorder.add(event) } }
        defer { task.cancel() }

        #expect(await waitUntil(seconds: 60) { recorder.statuses.last == .online })
        let name = "079203001234||Nguyễn Văn An|15081992|Nam|Hà Nội|20042021"
        let bytes = Array(name.utf8)
        pty.write(Array(bytes[..<20]))  // a scan may arrive in pieces, split inside a character
        try await Task.sleep(for: .milliseconds(20))
        pty.write(Array(bytes[20...]) + [0x0D, 0x0A])
        pty.write([0x43, 0xE9, 0x0D])  // Latin-1, not UTF-8
        #expect(await waitUntil(seconds: 60) { recorder.scans.count == 1 && recorder.rejections.count == 1 })
        #expect(recorder.scans.first?.payload == name)
        #expect(recorder.scans.first?.transport == "serial")
        #expect(recorder.rejections.first == "scan of 2 bytes is not valid UTF-8 text")

        // Unplug: the stable name goes first, as udev removes it, so the scanner cannot reopen the pty number after
        // the kernel hands it to another test running in parallel.
        try FileManager.default.removeItem(atPath: link)
        pty.unplug()
        #expect(await waitUntil(seconds: 60) { recorder.statuses.last == .offline })
        pty = try PseudoTerminal()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: pty.slavePath)
        let replugged = Date()
        #expect(await waitUntil(seconds: 60) { recorder.statuses.last == .online })
        // The scanner reopens every 0.5 s (the 2 s requirement is measured for real in the hardware lab's faults
        // scenario); here the bound is loose because a busy test run may hold the stream's consumer back.
        #expect(Date().timeIntervalSince(replugged) < 10, "a replugged scanner resumes")
        pty.write(Array("HC1:AFTER-REPLUG\r".utf8))
        #expect(await waitUntil(seconds: 60) { recorder.scans.count == 2 })
        #expect(recorder.scans.last?.payload == "HC1:AFTER-REPLUG")
        task.cancel()  // stop reading before the pty number is freed for other tests
        pty.unplug()
    }

    @Test func aPathThatIsNotATerminalIsAProblemNotACrash() async throws {
        let dir = temporaryDirectory("serial")
        try "not a tty".write(toFile: dir + "/file", atomically: true, encoding: .utf8)
        let scanner = SerialScanner(path: dir + "/file", timeline: MonotonicTimeline())
        let recorder = Recorder()
        let task = Task { for await event in scanner.events() { recorder.add(event) } }
        defer { task.cancel() }
        #expect(
            await waitUntil(seconds: 60) {
                recorder.events.contains { if case .problem(let p) = $0 { p.contains("is not a serial port") } else { false } }
            })
        #expect(recorder.statuses == [.offline])
    }
}

extension SerialScannerTests {
    @Test func aStormOfGarbageIsThrottledAndTheNextScanStillArrives() async throws {
        let pty = try PseudoTerminal()
        let scanner = SerialScanner(path: pty.slavePath, framing: ScanFraming(suffix: .enter), timeline: MonotonicTimeline())
        let recorder = Recorder()
        let task = Task { for await event in scanner.events() { recorder.add(event) } }
        defer { task.cancel() }
        #expect(await waitUntil(seconds: 60) { recorder.statuses.last == .online })
        // 2,000 invalid "scans" and 64 KiB without any suffix, as fast as the pty takes them.
        var storm: [UInt8] = []
        for _ in 0..<2000 { storm += [0xC0, 0xAF, 0x0D] }
        storm += [UInt8](repeating: 0x41, count: 65536) + [0x0D]
        for chunk in stride(from: 0, to: storm.count, by: 1024) {
            pty.write(Array(storm[chunk..<min(chunk + 1024, storm.count)]))
        }
        try await Task.sleep(for: .milliseconds(1100))  // past the throttle interval
        pty.write(Array("HC1:AFTER-STORM\r".utf8))
        #expect(await waitUntil(seconds: 60) { recorder.scans.map(\.payload) == ["HC1:AFTER-STORM"] })
        // The lane heard about the storm a few times, not 2,001 times, and was told how much was held back.
        #expect((1...4).contains(recorder.rejections.count), "\(recorder.rejections)")
        #expect(recorder.rejections.contains { $0.contains("more rejected input(s) held back") })
        task.cancel()
        pty.unplug()
    }
}
