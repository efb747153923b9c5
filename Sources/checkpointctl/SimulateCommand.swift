import ArgumentParser
import Devices
import Foundation
import Thermal

/// Writes a scripted scene as raw camera frames plus a manifest of who is in it, so an emulated camera (the
/// hardware lab's UVC gadget) can show travellers whose temperatures and declarations are known in advance.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write a simulated scene as raw Lepton frames (Y16 centi-kelvin) and a manifest of its travellers.",
        discussion: """
            The manifest has one tab-separated line per traveller: arrival (s), departure (s) in frame time, canthus temperature
            (°C), expected verdict at 37.5 °C, and the declaration payload their QR carries. The scene is 160×120 with
            the blackbody disc of the demo configuration (x 148, y 100, radius 6, 35.0 °C) and ends with empty frames.
            """)

    @Option(help: "Travellers in the scene.")
    var travellers = 10

    @Option(help: "How many of them have a fever (spread evenly through the queue).")
    var fevers = 2

    @Option(help: "Seed for the scene and the declarations.")
    var seed: UInt64 = 3

    @Option(help: "Frames per second of the raw file.")
    var fps = 9.0

    @Option(help: "Scene seconds per second of frames: 2 plays the scene at double speed (times in the manifest are frame time).")
    var speed = 1.0

    @Option(help: "Seconds of empty scene after the last traveller.")
    var tail = 8.0

    @Option(help: "Raw frames output: 160×120 little-endian centi-kelvin per frame, concatenated.")
    var raw: String

    @Option(help: "Manifest output (tab-separated).")
    var manifest: String

    func validate() throws {
        guard travellers >= 1, fevers >= 0, fevers <= travellers else { throw ValidationError("need 0 ≤ fevers ≤ travellers ≥ 1") }
        guard fps > 0, fps <= 60 else { throw ValidationError("--fps must be in 0–60") }
        guard speed >= 0.1, speed <= 10 else { throw ValidationError("--speed must be in 0.1–10") }
    }

    func run() throws {
        var queue = SceneScript.queue(count: travellers, feverShare: 0, seed: seed, dwellRange: 4...5)
        let feverish = Set((0..<fevers).map { (2 * $0 + 1) * travellers / (2 * max(fevers, 1)) })
        for i in feverish { queue[i].canthusC = 38.1 + 0.3 * Double(i % 3) }
        var settings = SceneSettings()
        settings.reference = SceneSettings.ReferenceDisc(x: 148, y: 100, radius: 6, temperatureC: 35.0)
        settings.seed = seed &+ 17
        var simulator = SceneSimulator(settings: settings, travellers: queue)
        let end = (queue.map(\.departure).max() ?? 0) + tail
        let frameCount = Int(end / speed * fps)
        guard FileManager.default.createFile(atPath: raw, contents: nil), let out = FileHandle(forWritingAtPath: raw) else {
            throw ValidationError("cannot write \(raw)")
        }
        for i in 0..<frameCount {
            let frame = simulator.frame(at: Double(i) * speed / fps, sequence: UInt64(i))
            var bytes = [UInt8](repeating: 0, count: frame.pixels.count * 2)
            for (j, value) in frame.pixels.enumerated() {
                bytes[2 * j] = UInt8(truncatingIfNeeded: value)
                bytes[2 * j + 1] = UInt8(truncatingIfNeeded: value >> 8)
            }
            out.write(Data(bytes))
        }
        try out.close()
        let lines = queue.enumerated().map { i, t in
            [
                String(format: "%.2f", t.arrival / speed), String(format: "%.2f", t.departure / speed),
                String(format: "%.2f", t.canthusC),
                t.canthusC >= 37.5 ? "elevated" : "normal", DemoDeclarations.payload(index: i, seed: seed),
            ].joined(separator: "\t")
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: manifest, atomically: true, encoding: .utf8)
        print("\(frameCount) frames (\(String(format: "%.1f", end / speed)) s at \(fps) fps), \(queue.count) travellers, \(feverish.count) with fever")
    }
}
