import Devices
import Foundation
import Thermal

/// Writes a clip of upright centi-kelvin frames as a CPTV v2 file.
enum ClipWriter {
    static func write(_ frames: [ThermalFrame], to path: String) throws {
        guard let first = frames.first else { return }
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        var header = CPTVHeader()
        header.width = first.width
        header.height = first.height
        header.timestampMicros = UInt64(Date().timeIntervalSince1970 * 1e6)
        header.model = "checkpoint-lane"
        header.frameRate = 9
        let cptv = frames.map { frame -> CPTVFrame in
            let t = UInt32(((frame.timestamp - first.timestamp) * 1000).rounded())
            return CPTVFrame(pixels: frame.pixels, time: t, lastFFC: frame.msSinceFFC.map { t &- UInt32(clamping: $0) })
        }
        try CPTVFile.write(header: header, frames: cptv, to: path)
    }
}
