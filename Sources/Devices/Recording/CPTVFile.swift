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

    /// The most a recording may inflate to: 100,000 frames of 160×120 at 16 bits are 3.8 GB, but real recordings
    /// pack a frame in 10–20 KB; 2 GB of inflated stream is a compression bomb, stopped after a few seconds' work.
    public static let maxInflatedBytes = 2 << 30

    /// A recording read a frame at a time: the header at once, then `next()` until nil. Memory is one frame and
    /// the reader's buffers, whatever the file holds. Damage after the header ends the frames and is kept in
    /// `problem` (a truncated or damaged file still gives every good frame); damage before it is thrown.
    /// Not Sendable: one reader, one task.
    public struct Reader {
        public let header: CPTVHeader
        public private(set) var problem: String?
        private var decoder: CPTVDecoder
        private let gzip: GzipReader
        private var done = false

        public init(path: String, limits: CPTVLimits = CPTVLimits()) throws(Failure) {
            let gzip: GzipReader
            do { gzip = try GzipReader(path: path, maxOutput: maxInflatedBytes) } catch { throw Failure(message: "\(path): \(error.message)") }
            try self.init(gzip: gzip, name: path, limits: limits)
        }

        public init(compressed: [UInt8], name: String = "recording", limits: CPTVLimits = CPTVLimits()) throws(Failure) {
            let gzip: GzipReader
            do { gzip = try GzipReader(bytes: compressed, maxOutput: maxInflatedBytes) } catch { throw Failure(message: "\(name): \(error.message)") }
            try self.init(gzip: gzip, name: name, limits: limits)
        }

        init(gzip: GzipReader, name: String, limits: CPTVLimits) throws(Failure) {
            self.gzip = gzip
            do { decoder = try CPTVDecoder(source: InflatedSource(gzip: gzip), limits: limits) } catch {
                if case .notCPTV = error, let ending = gzip.ending, gzip.inflated == 0 {
                    throw Failure(message: "\(name): not a readable gzip stream: \(ending)")
                }
                throw Failure(message: "\(name): \(error.description)")
            }
            header = decoder.header
        }

        /// The next frame that is not a background frame, or nil at the end (or at damage, then see `problem`).
        public mutating func next() -> CPTVFrame? {
            while !done {
                do {
                    guard let frame = try decoder.next() else {
                        done = true
                        if let ending = gzip.ending { problem = "\(ending): \(decoder.framesRead) complete frames were read" }
                        return nil
                    }
                    if !frame.isBackground { return frame }
                } catch {
                    done = true
                    problem = error.description
                }
            }
            return nil
        }

        public var framesRead: Int { decoder.framesRead }
    }

    /// The inflated stream as the decoder's byte source.
    struct InflatedSource: CPTVByteSource {
        let gzip: GzipReader
        mutating func read(_ count: Int) throws(CPTVError) -> [UInt8] {
            do { return try gzip.read(count) } catch { throw .unreadable(error.message) }
        }
    }

    /// Only the header: what `config check` needs to know the recording's size.
    public static func header(path: String) throws(Failure) -> CPTVHeader { try Reader(path: path).header }

    /// Every frame of a recording in memory, for trusted files of known size (the labelled recordings, tests).
    /// What reads a file from the field streams it with `Reader` instead.
    public static func read(path: String, limits: CPTVLimits = CPTVLimits()) throws(Failure) -> Contents {
        var reader = try Reader(path: path, limits: limits)
        return collect(&reader)
    }

    public static func decode(_ compressed: [UInt8], name: String = "recording", limits: CPTVLimits = CPTVLimits()) throws(Failure) -> Contents {
        var reader = try Reader(compressed: compressed, name: name, limits: limits)
        return collect(&reader)
    }

    static func collect(_ reader: inout Reader) -> Contents {
        var frames: [CPTVFrame] = []
        while let frame = reader.next() { frames.append(frame) }
        return Contents(header: reader.header, frames: frames, problem: reader.problem)
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
