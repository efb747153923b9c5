import Devices
import Foundation
import Testing
import TestSupport
import Thermal
import Zlib

/// Recordings crafted to eat memory, read by the commands a technician runs on files from the field. Before the
/// readers streamed, a 1 MB file that inflates to 1 GB took 2.1 GB of memory and a 62 KB file of millions of tiny
/// frames 1.2 GB: `recording info`, `replay`, calibration and the replay camera read the file whole.
@Suite(.serialized) struct HostileRecordingTests {
    /// A 160×120 header and two frames, then 1 GiB of zeros: 64 gzip members of 16 MiB of zeros each (about 1 MB).
    static func zerosBomb(_ path: String) throws {
        var header = CPTVHeader()
        header.width = 160
        header.height = 120
        var encoder = CPTVEncoder(header: header)
        for t in 0..<2 { encoder.append(CPTVFrame(pixels: [UInt16](repeating: 30_000, count: 160 * 120), time: UInt32(t * 114))) }
        var file = try Gzip.gzip(encoder.bytes)
        let zeros = try Gzip.gzip([UInt8](repeating: 0, count: 16 << 20))
        for _ in 0..<64 { file += zeros }
        try Data(file).write(to: URL(fileURLWithPath: path))
    }

    /// 600,000 frames of one pixel each (about 9 MB inflated, tens of KB compressed).
    static func framesBomb(_ path: String) throws {
        var header = CPTVHeader()
        header.width = 1
        header.height = 1
        var encoder = CPTVEncoder(header: header)
        for t in 0..<600_000 { encoder.append(CPTVFrame(pixels: [30_000], time: UInt32(t))) }
        try Data(try Gzip.gzip(encoder.bytes)).write(to: URL(fileURLWithPath: path))
    }

    @Test(.timeLimit(.minutes(10))) func bombsAreReadInBoundedMemoryWithAClearMessage() async throws {
        let ctl = try #require(builtProduct("checkpointctl"))
        let dir = temporaryDirectory()
        try Self.zerosBomb(dir + "/zeros.cptv")
        try Self.framesBomb(dir + "/frames.cptv")
        let sizes = try ["zeros", "frames"].map { try FileManager.default.attributesOfItem(atPath: dir + "/\($0).cptv")[.size] as? Int ?? 0 }
        var report: [String] = []
        for (file, expected) in [("zeros", "unexpected section"), ("frames", "more than 100000 frames")] {
            for command in [["recording", "info"], ["replay"]] {
                let (run, peak) = try await runToolMeasuringMemory(ctl, command + [dir + "/\(file).cptv"])
                report.append("\(command.joined(separator: " ")) \(file): \(String(format: "%.1f", peak)) MB, exit \(run.status)")
                #expect(peak < 64, "\(command) \(file).cptv peaked at \(peak) MB")
                #expect(run.status == 0, "\(command) \(file).cptv: \(run.stderr.suffix(400))")
                #expect(run.stderr.contains("warning: ") && run.stderr.contains(expected), "\(command) \(file).cptv: \(run.stderr.suffix(400))")
            }
        }
        print("hostile recordings (\(sizes[0] >> 10) KB and \(sizes[1] >> 10) KB): " + report.joined(separator: "; "))
    }

    /// A header that claims a frame larger than any thermal core is refused before anything is allocated for it.
    @Test func aFrameLargerThanAnyThermalCoreIsRefused() async throws {
        let ctl = try #require(builtProduct("checkpointctl"))
        let dir = temporaryDirectory()
        var header = CPTVHeader()
        header.width = 4096
        header.height = 4096
        try Data(try Gzip.gzip(CPTVEncoder(header: header).bytes)).write(to: URL(fileURLWithPath: dir + "/huge.cptv"))
        let (run, peak) = try await runToolMeasuringMemory(ctl, ["recording", "info", dir + "/huge.cptv"])
        #expect(run.status == 2 && run.stderr.contains("frame size 4096×4096 is not plausible"), "\(run.stderr)")
        #expect(peak < 64, "\(peak) MB")
    }
}
