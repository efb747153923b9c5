import Benchmark
import Devices
import Foundation
import Screening
import Thermal
import Zlib

/// Camera path costs: decoding + converting one frame per profile (targets: ≤ 50 µs for 160×120, ≤ 150 µs for
/// 256×192 on one core), CPTV decoding (≥ 8,000 frames/s), and the screening engine per frame (≤ 0.5 ms for
/// 160×120, ≤ 1.5 ms for 256×192).
nonisolated(unsafe) let benchmarks: @Sendable () -> Void = {
    let perFrame = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .throughput], warmupIterations: 50, maxDuration: .seconds(3))

    func raw(width: Int, rows: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: width * rows * 2)
        for i in stride(from: 0, to: bytes.count, by: 2) {
            bytes[i] = UInt8(truncatingIfNeeded: i)
            bytes[i + 1] = 0x76
        }
        return bytes
    }

    let lepton = try! FrameDecoder(profile: .lepton, format: .init(fourcc: .y16, width: 160, height: 122, bytesPerLine: 320))
    let leptonRaw = raw(width: 160, rows: 122)
    Benchmark("decode Lepton 160x122 Y16 + telemetry", configuration: perFrame) { benchmark in
        var pixels: [UInt16] = []
        for _ in benchmark.scaledIterations {
            blackHole(try leptonRaw.withUnsafeBytes { try lepton.decode($0, into: &pixels) })
        }
    }

    let infiray = try! FrameDecoder(profile: .infirayP2, format: .init(fourcc: .yuyv, width: 256, height: 384, bytesPerLine: 512))
    let infirayRaw = raw(width: 256, rows: 384)
    Benchmark("decode InfiRay P2 256x192 of YUYV 256x384", configuration: perFrame) { benchmark in
        var pixels: [UInt16] = []
        for _ in benchmark.scaledIterations {
            blackHole(try infirayRaw.withUnsafeBytes { try infiray.decode($0, into: &pixels) })
        }
    }

    // CPTV: a real recording when ../shared is next to the project, otherwise a simulated one.
    let here = URL(fileURLWithPath: #filePath)
    let recording = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/recordings/20210914-081748.cptv").path
    let compressed: [UInt8] = (try? Array(Data(contentsOf: URL(fileURLWithPath: recording)))) ?? {
        var sim = SceneSimulator(travellers: SceneScript.queue(count: 3, seed: 1))
        var header = CPTVHeader()
        header.width = 160
        header.height = 120
        var encoder = CPTVEncoder(header: header)
        for i in 0..<293 { encoder.append(CPTVFrame(pixels: sim.frame(at: Double(i) / 8.77, sequence: UInt64(i)).pixels, time: UInt32(i * 114))) }
        return try! Gzip.gzip(encoder.bytes)
    }()
    let frameCount = try! CPTVFile.decode(compressed).frames.count
    Benchmark(
        "CPTV gunzip + decode of a whole \(frameCount)-frame recording",
        configuration: .init(metrics: [.wallClock, .throughput], warmupIterations: 2, scalingFactor: .one, maxDuration: .seconds(5))
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            benchmark.startMeasurement()
            blackHole(try CPTVFile.decode(compressed))
            benchmark.stopMeasurement()
        }
    }

    func engineFrames(width: Int, height: Int) -> [ThermalFrame] {
        var settings = SceneSettings()
        settings.width = width
        settings.height = height
        settings.reference = .init(x: width - 12, y: height - 20, radius: 6, temperatureC: 35)
        var sim = SceneSimulator(settings: settings, travellers: SceneScript.queue(count: 4, seed: 2))
        return (0..<400).map { sim.frame(at: Double($0) / 8.77, sequence: UInt64($0)) }
    }
    for (w, h) in [(160, 120), (256, 192)] {
        let frames = engineFrames(width: w, height: h)
        var config = ScreeningConfig()
        config.reference = .region(x: w - 12, y: h - 20, radius: 6)
        let run = EngineRun(config: config, frames: frames)
        Benchmark("screening engine per frame \(w)x\(h)", configuration: perFrame) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(run.next()) }
        }
    }

    // The worst case of `reference = "auto"`: no disc in view, so the engine keeps searching (every third frame
    // for 10 s, then every ninth).
    var noDisc = SceneSettings()
    noDisc.reference = nil
    var sim = SceneSimulator(settings: noDisc, travellers: SceneScript.queue(count: 4, seed: 2))
    let discless = (0..<400).map { sim.frame(at: Double($0) / 8.77, sequence: UInt64($0)) }
    var autoConfig = ScreeningConfig()
    autoConfig.reference = .auto
    let searching = EngineRun(config: autoConfig, frames: discless)
    Benchmark("screening engine per frame 160x120, auto reference never found", configuration: perFrame) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(searching.next()) }
    }
}

/// One engine fed the scene's frames in order across all of a benchmark's samples. (A benchmark closure runs once
/// per sample: an engine made inside it would only ever see the first, empty frame, which is what the first version
/// of these benchmarks measured.)
final class EngineRun: @unchecked Sendable {
    private var engine: ScreeningEngine
    private let frames: [ThermalFrame]
    private var index = 0

    init(config: ScreeningConfig, frames: [ThermalFrame]) {
        engine = ScreeningEngine(config: config)
        self.frames = frames
    }

    func next() -> [ScreeningEvent] {
        defer { index = (index + 1) % frames.count }
        return engine.process(frames[index])
    }
}
