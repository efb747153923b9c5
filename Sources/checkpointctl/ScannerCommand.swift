import Appliance
import ArgumentParser
import Devices
import Foundation
import LaneControl
import Synchronization
import Lane
import ScannerProtocols
import Thermal

struct ScannerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scanner", abstract: "Find and test QR scanners (USB HID keyboard wedge, HID POS, serial).",
        subcommands: [List.self, Test.self])

    /// One line of `scanner list`.
    struct Entry: Encodable {
        var device: String
        var usbID: String?
        var vendor: String?
        var product: String?
        var serial: String?
        var port: String?
        var interface: Int?
        var transport: String
        var kernelDriver: String?
        var selected: Bool
        var lane: String?
        enum CodingKeys: String, CodingKey {
            case device, vendor, product, serial, port, interface, transport, selected, lane
            case usbID = "usb_id", kernelDriver = "kernel_driver"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            for (key, value) in [
                (CodingKeys.device, device), (.usbID, usbID), (.vendor, vendor), (.product, product), (.serial, serial),
                (.port, port), (.transport, transport), (.kernelDriver, kernelDriver), (.lane, lane),
            ] { try c.encode(value, forKey: key) }
            try c.encode(interface, forKey: .interface)
            try c.encode(selected, forKey: .selected)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List USB HID and serial scanner candidates and whether the configuration selects them.",
            discussion: """
                USB HID interfaces are shown as keyboard (boot keyboard: a keyboard-wedge scanner, or a real
                keyboard), hid-pos (usage page 0x8C) or hid (not known until opened). Serial ports are
                /dev/ttyACM* and /dev/ttyUSB*. Nothing is opened or detached. Exit 0 even when the list is empty.
                """)

        @Flag(help: "Print JSON (an array of objects).")
        var json = false

        @Option(help: "Configuration that decides which scanners the lanes use (skipped when the default is absent).")
        var config: String?

        func run() async throws {
            let lanes = try ScannerCommand.configuredScanners(config)
            var entries: [Entry] = []
            let usb: [USBScannerCandidate]
            do { usb = try USBScanner.candidates() } catch {
                FileHandle.standardError.write(Data("warning: cannot list USB devices: \(error)\n".utf8))
                usb = []
            }
            for candidate in usb {
                let lane = lanes.first { entry in
                    if case .usb(let selector, _) = entry.scanner { selector.matches(candidate) } else { false }
                }
                entries.append(
                    Entry(
                        device: candidate.devicePath, usbID: candidate.usbID, vendor: candidate.vendorName,
                        product: candidate.product, serial: candidate.serial, port: candidate.port,
                        interface: candidate.interfaceNumber, transport: candidate.transport,
                        kernelDriver: candidate.kernelDriver, selected: lane != nil, lane: lane?.lane))
            }
            for candidate in SerialDevices.list() {
                let lane = lanes.first { entry in
                    if case .serial(let path, _, _) = entry.scanner { path == candidate.path } else { false }
                }
                entries.append(
                    Entry(
                        device: candidate.path, usbID: candidate.usbID,
                        vendor: candidate.usbID.flatMap { USBID($0) }.flatMap { ScannerVendor.named($0.vendor)?.name },
                        product: candidate.product, serial: candidate.serial, port: candidate.port, interface: nil,
                        transport: "serial", kernelDriver: candidate.kernelDriver, selected: lane != nil, lane: lane?.lane))
            }
            if json {
                print(try jsonText(entries))
                return
            }
            if entries.isEmpty { print("no scanner candidates (no USB HID interface, no /dev/ttyACM* or /dev/ttyUSB*)") }
            for e in entries {
                let what = [e.vendor, e.product].compactMap { $0 }.joined(separator: " ")
                print(
                    "\(e.device)  \(e.usbID ?? "-")  \(e.transport)  driver=\(e.kernelDriver ?? "none")  port=\(e.port ?? "-")"
                        + "\(e.serial.map { "  serial=\($0)" } ?? "")  \(what.isEmpty ? "" : "\"\(what)\"")"
                        + (e.selected ? "  selected by lane \(e.lane!)" : ""))
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a scanner exactly as the service does and print each decoded scan.",
            discussion: """
                Each scan is printed as one JSON object per line (with --json): payload, symbology (AIM id or
                null), device, transport (keyboard, hid-pos, serial) and bytes. Rejected input is reported on
                standard error. Exit 0 after --count scans; exit 1 with a message on timeout, 3 when no scanner is
                present. USB scanners are re-attached to their kernel driver before the command exits.
                Do not run it while checkpointd holds the same scanner.
                """)

        @Option(help: "VID:PID (e.g. 0c2e:0b61), a serial port (/dev/ttyACM0), /dev/bus/usb/BBB/DDD, or a USB port (1-1.2). Default: the first scanner from a known vendor.")
        var device: String?

        @Option(help: "Scans to read before exiting.")
        var count = 1

        @Option(help: "Seconds to wait for all scans.")
        var timeout = 30.0

        @Flag(help: "One JSON object per scan.")
        var json = false

        @Option(help: "Keyboard layout the wedge scanner is programmed for: \(KeyboardLayout.allCases.map(\.rawValue).joined(separator: ", ")).")
        var layout = "us"

        @Option(help: "Scan suffix: \(ScanSuffix.allCases.map(\.rawValue).joined(separator: ", ")) (none: a pause ends a scan).")
        var suffix = "enter"

        @Option(help: "Serial port speed.")
        var baud = 9600

        func validate() throws {
            guard KeyboardLayout(rawValue: layout) != nil else { throw ValidationError("--layout must be one of us, uk, de, fr") }
            guard ScanSuffix(rawValue: suffix) != nil else { throw ValidationError("--suffix must be one of enter, tab, lf, none") }
            guard count >= 1 else { throw ValidationError("--count must be at least 1") }
            guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        }

        func run() async throws {
            let framing = ScanFraming(layout: KeyboardLayout(rawValue: layout)!, suffix: ScanSuffix(rawValue: suffix)!)
            let timeline = MonotonicTimeline()
            let selector = device.map(ScannerSelector.init(device:)) ?? ScannerSelector()
            let scanner: any CodeScanner
            if selector.isSerialPath, let path = selector.devicePath {
                guard FileManager.default.fileExists(atPath: path) else { throw ControlFailure(.noDevice, "no serial port at \(path)") }
                scanner = SerialScanner(path: path, baud: baud, framing: framing, timeline: timeline)
            } else {
                let present = (try? USBScanner.candidates()) ?? []
                guard present.contains(where: selector.matches) else {
                    throw ControlFailure(.noDevice, "no scanner found matching \(selector) (see checkpointctl scanner list)")
                }
                scanner = USBScanner(selector: selector, framing: framing, timeline: timeline)
            }
            let outcome = await Self.collect(from: scanner, count: count, timeout: timeout, json: json)
            // The stream is closed; wait for the device thread to release the interface and re-attach the driver.
            DeviceThreads.waitForAll(timeout: 3)
            if outcome < count { throw ControlFailure(.notAcceptable, "timed out after \(timeout) s with \(outcome) of \(count) scan(s)") }
        }

        /// Prints scans until `count` arrived or `timeout` passed; returns how many arrived.
        static func collect(from scanner: any CodeScanner, count: Int, timeout: Double, json: Bool) async -> Int {
            let counter = ScanCounter()
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in scanner.events() {
                        switch event {
                        case .scan(let scan):
                            let seen = counter.value.add(1, ordering: .relaxed).newValue
                            let line = json ? Self.jsonLine(scan) : "scan \(seen): \(scan.payload)  [\(scan.transport)\(scan.symbology.map { " \($0)" } ?? "")]"
                            FileHandle.standardOutput.write(Data((line + "\n").utf8))  // unbuffered: scripts read it at once
                            if seen >= count { return }
                        case .rejected(_, let reason): warn("rejected: \(reason)")
                        case .status(let status): warn("scanner \(status.rawValue)")
                        case .problem(let text): warn(text)
                        }
                    }
                }
                group.addTask { try? await Task.sleep(for: .seconds(timeout)) }
                await group.next()  // whichever ends first: enough scans, or the timeout
                group.cancelAll()
            }
            return counter.value.load(ordering: .relaxed)
        }

        final class ScanCounter: Sendable {
            let value = Atomic<Int>(0)
        }

        static func jsonLine(_ scan: Scan) -> String {
            struct Line: Encodable {
                var payload: String
                var symbology: String?
                var device: String
                var transport: String
                var bytes: Int
                func encode(to encoder: any Encoder) throws {
                    var c = encoder.container(keyedBy: CodingKeys.self)
                    try c.encode(payload, forKey: .payload)
                    try c.encode(symbology, forKey: .symbology)  // null when the scanner sends none
                    try c.encode(device, forKey: .device)
                    try c.encode(transport, forKey: .transport)
                    try c.encode(bytes, forKey: .bytes)
                }
                enum CodingKeys: String, CodingKey { case payload, symbology, device, transport, bytes }
            }
            let line = Line(
                payload: scan.payload, symbology: scan.symbology, device: scan.device, transport: scan.transport,
                bytes: scan.payload.utf8.count)
            return (try? jsonText(line)) ?? "{}"
        }
    }

    /// (lane id, scanner) pairs from the configuration; empty when no configuration is given and the default is absent.
    static func configuredScanners(_ path: String?) throws -> [(lane: String, scanner: ApplianceConfig.ScannerConfig)] {
        let file = path ?? "/etc/checkpoint-lane/checkpoint.toml"
        guard path != nil || FileManager.default.fileExists(atPath: file) else { return [] }
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch { throw ControlFailure(.cannotRun, "cannot read \(file): \(error.localizedDescription)") }
        do {
            let config = try ApplianceConfig.parse(text)
            return config.lanes.flatMap { lane in lane.scanners.map { (lane.id, $0) } }
        } catch {
            throw ControlFailure(.cannotRun, "\(file): \(error)")
        }
    }
}

