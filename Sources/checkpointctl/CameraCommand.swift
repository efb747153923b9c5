import ArgumentParser
import Devices
import Foundation
import LaneControl
import Thermal

struct CameraCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "camera", abstract: "Find and test thermal cameras.", subcommands: [List.self, Probe.self, Record.self, Snapshot.self, Pixels.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every V4L2 capture device with its USB identity, formats, and the profile it matches.",
            discussion: "With no camera attached the list is empty and the exit code is 0.")

        @Flag(help: "Print JSON (an array of objects).")
        var json = false

        struct Entry: Encodable {
            var node: VideoNode
            var driver: String?
            var card: String?
            var busInfo: String?
            var formats: [String]
            var profile: String?
            var why: String?
            enum CodingKeys: String, CodingKey {
                case driver, card, formats, profile, why
                case busInfo = "bus_info", path, name, usbID = "usb_id", serial, port
            }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(node.path, forKey: .path)
                try c.encode(node.name, forKey: .name)
                try c.encode(node.usbID, forKey: .usbID)
                try c.encode(node.serial, forKey: .serial)
                try c.encode(node.port, forKey: .port)
                try c.encode(driver, forKey: .driver)
                try c.encode(card, forKey: .card)
                try c.encode(busInfo, forKey: .busInfo)
                try c.encode(formats, forKey: .formats)
                try c.encode(profile, forKey: .profile)
                try c.encode(why, forKey: .why)
            }
        }

        func run() async throws {
            var entries: [Entry] = []
            for node in VideoDevices.list() {
                var entry = Entry(node: node, formats: [])
                do {
                    let device = try V4L2Device(path: node.path)
                    defer { device.close() }
                    let cap = try device.capability()
                    guard cap.canCapture else { continue }  // metadata nodes and outputs are not cameras
                    entry.driver = cap.driver
                    entry.card = cap.card
                    entry.busInfo = cap.busInfo
                    entry.formats = try device.formats().map { format in
                        "\(format.fourcc) " + format.sizes.map { size in
                            let rates = (format.framesPerSecond[size] ?? []).map { String(format: "%.2f", $0) }
                            return size.description + (rates.isEmpty ? "" : "@" + rates.joined(separator: "/") + "fps")
                        }.joined(separator: ",")
                    }
                } catch {
                    entry.why = "\(error)"
                }
                if let profile = node.profile {
                    entry.profile = profile.kind.rawValue
                } else if entry.why == nil {
                    entry.why = "USB \(node.usbID ?? "unknown") is not a supported thermal camera"
                }
                entries.append(entry)
            }
            if json {
                print(try jsonText(entries))
                return
            }
            if entries.isEmpty { print("no V4L2 capture devices") }
            for e in entries {
                print("\(e.node.path)  \(e.card ?? e.node.name)  usb \(e.node.usbID ?? "-") serial \(e.node.serial ?? "-") port \(e.node.port ?? "-")")
                print("    driver \(e.driver ?? "-"), formats: \(e.formats.joined(separator: "; "))")
                print("    profile: \(e.profile ?? "none (\(e.why ?? "?"))")")
            }
        }
    }

    struct Probe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Self-test a camera: open, capabilities, format, 20 streamed frames, temperature range.",
            discussion: """
                Prints one 'test NAME: OK|FAIL (reason)' line per step and a total; exits 1 when any step fails.
                Without DEVICE the first camera with a supported USB ID is used.
                """)

        @Argument(help: "The device node, e.g. /dev/video0.")
        var device: String?

        @Flag(help: "One JSON object per step ({\"name\", \"ok\", \"detail\"}); the count goes to standard error.")
        var json = false

        struct Step: Encodable {
            var name: String
            var ok: Bool
            var detail: String
        }

        func run() async throws {
            var passed = 0, failed = 0
            let json = self.json
            func report(_ name: String, _ result: Result<String, any Error>) {
                switch result {
                case .success(let detail):
                    passed += 1
                    print(json ? ((try? jsonText(Step(name: name, ok: true, detail: detail))) ?? "{}") : "test \(name): OK" + (detail.isEmpty ? "" : " (\(detail))"))
                case .failure(let error):
                    failed += 1
                    print(json ? ((try? jsonText(Step(name: name, ok: false, detail: "\(error)"))) ?? "{}") : "test \(name): FAIL (\(error))")
                }
            }
            defer { if json { note("\(passed) passed, \(failed) failed") } else { print("\(passed) passed, \(failed) failed") } }
            let nodes = VideoDevices.list()
            guard let node = CameraSelector(devicePath: device).find(in: nodes) ?? device.map({ VideoNode(path: $0, name: $0, index: 0) }) else {
                report("open", .failure(ProbeFailure("no supported camera found (checkpointctl camera list shows what is attached)")))
                throw ExitCode(ExitStatus.noDevice.rawValue)
            }
            let opened: V4L2Device
            do { opened = try V4L2Device(path: node.path) } catch {
                report("open", .failure(error))
                throw ExitCode(ExitStatus.noDevice.rawValue)
            }
            defer { opened.close() }
            report("open", .success(node.path))
            var profile = node.profile
            do {
                let cap = try opened.capability()
                guard cap.canCapture && cap.canStream else { throw ProbeFailure("\(cap.card) cannot stream video capture") }
                report("querycap", .success("\(cap.driver), \(cap.card)"))
            } catch {
                report("querycap", .failure(error))
                throw ExitCode(1)
            }
            let decoder: FrameDecoder
            do {
                let offered = try opened.formats()
                guard let chosen = profile ?? (offered.contains { $0.fourcc == .y16 } ? .genericY16(gainKelvinPerCount: 0.01, offsetKelvin: 0) : nil) else {
                    throw CameraFormatError.notRadiometric(fourcc: offered.first?.fourcc.description ?? "none")
                }
                profile = chosen
                let sizes = offered.first { $0.fourcc == chosen.fourcc }?.sizes ?? []
                guard !sizes.isEmpty else { throw CameraFormatError.notRadiometric(fourcc: offered.map(\.fourcc.description).joined(separator: ",")) }
                let size = chosen.streamSizes.reversed().first(where: sizes.contains) ?? sizes[0]
                let format = try opened.setFormat(chosen.fourcc, width: size.width, height: size.height)
                decoder = try FrameDecoder(profile: chosen, format: format)
                report("format", .success("\(format.fourcc) \(format.width)x\(format.height) as \(chosen.kind.rawValue)"))
            } catch {
                report("format", .failure(error))
                throw ExitCode(1)
            }
            var low = Int.max, high = 0, received = 0, dropped = 0
            do {
                try opened.startStreaming()
                var pixels: [UInt16] = [], last: UInt32?
                let deadline = Date().addingTimeInterval(10)
                while received < 20 && Date() < deadline {
                    guard let filled = try opened.next(timeoutMilliseconds: 500) else { continue }
                    if let last, filled.sequence > last &+ 1 { dropped += Int(filled.sequence &- last &- 1) }
                    last = filled.sequence
                    _ = try opened.withBytes(of: filled) { try decoder.decode($0, into: &pixels) }
                    try opened.requeue(filled.index)
                    low = min(low, Int(pixels.min() ?? 0))
                    high = max(high, Int(pixels.max() ?? 0))
                    received += 1
                }
                guard received == 20 else { throw ProbeFailure("only \(received) of 20 frames in 10 s") }
                report("streaming", .success("20 frames, \(dropped) dropped"))
            } catch {
                report("streaming", .failure(error))
                throw ExitCode(1)
            }
            // A room seen by a radiometric camera lies between −20 °C and 60 °C; raw counts or AGC video do not.
            let lowC = CentiKelvin.celsius(Double(low)), highC = CentiKelvin.celsius(Double(high))
            if lowC > -20 && highC < 60 && high > low {
                report("radiometric-range", .success(String(format: "%.1f to %.1f °C", lowC, highC)))
            } else {
                report("radiometric-range", .failure(ProbeFailure(String(format: "values read %.1f to %.1f °C: not temperatures of a room (TLinear off, or not a radiometric camera)", lowC, highC))))
            }
            if failed > 0 { throw ExitCode(1) }
        }
    }
}

struct ProbeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
