import Foundation
import Thermal
import Zlib

/// CPTV recordings on disk: gzip around the CPTV stream.
public enum CPTVFile {
    /// A recording read from disk: its frames (background frames left out), and the reason reading stopped early
    /// if it did (a truncated or damaged file still gives every good frame).
    public struct Contents: Sendable {
        public var header: CPTVHeader
        public var frames: [CPTVFrame]
        public var problem: String?

        public init(header: CPTVHeader, frames: [CPTVFrame], problem: String?) {
            self.header = header
            self.frames = frames
            self.problem = problem
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public static func read(path: String) throws(Failure) -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(message: "\(path): cannot read the file (missing, or no permission)")
        }
        return try decode(Array(data), name: path)
    }

    public static func decode(_ compressed: [UInt8], name: String = "recording") throws(Failure) -> Contents {
        let inflated: (bytes: [UInt8], complete: Bool)
        do { inflated = try Gzip.gunzip(compressed) } catch { throw Failure(message: "\(name): \(error.message)") }
        var decoder: CPTVDecoder
        do { decoder = try CPTVDecoder(bytes: inflated.bytes) } catch { throw Failure(message: "\(name): \(error.description)") }
        var frames: [CPTVFrame] = []
        var problem: String?
        while true {
            do {
                guard let frame = try decoder.next() else { break }
                if !frame.isBackground { frames.append(frame) }
            } catch {
                problem = error.description
                break
            }
        }
        if problem == nil && !inflated.complete {
            problem = "the compressed file ends early: \(frames.count) complete frames were read"
        }
        return Contents(header: decoder.header, frames: frames, problem: problem)
    }

    /// Writes a recording (header and frames) as a gzip file.
    public static func write(header: CPTVHeader, frames: [CPTVFrame], to path: String) throws {
        var encoder = CPTVEncoder(header: header)
        for frame in frames { encoder.append(frame) }
        let data = try Gzip.gzip(encoder.bytes)
        try Data(data).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Writes upright centi-kelvin frames (a recording or an audit clip) as CPTV v2: frame times in ms from the
    /// first frame, the last-FFC time derived from each frame's time since its flat-field correction.
    public static func write(thermalFrames frames: [ThermalFrame], deviceName: String?, startMicros: UInt64, to path: String) throws {
        guard let first = frames.first else { return }
        var header = CPTVHeader()
        header.width = first.width
        header.height = first.height
        header.timestampMicros = startMicros
        header.deviceName = deviceName
        header.model = "checkpoint-lane"
        header.frameRate = 9
        let cptv = frames.map { frame -> CPTVFrame in
            let t = UInt32(((frame.timestamp - first.timestamp) * 1000).rounded())
            return CPTVFrame(
                pixels: frame.pixels, time: t, lastFFC: frame.msSinceFFC.map { t &- UInt32(clamping: $0) },
                fpaTemperatureC: frame.fpaTemperatureC.map(Float.init))
        }
        try write(header: header, frames: cptv, to: path)
    }
}
