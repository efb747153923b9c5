import Devices
import Foundation
import Thermal

/// Writes an audit clip of upright centi-kelvin frames as a CPTV file in a private directory.
enum ClipWriter {
    static func write(_ frames: [ThermalFrame], to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        try CPTVFile.write(thermalFrames: frames, deviceName: nil, startMicros: UInt64(Date().timeIntervalSince1970 * 1e6), to: path)
    }
}
