import Foundation

/// `sox FILE -n stat` as numbers, for the audio tests: length (s), RMS amplitude (0–1) and rough frequency (Hz).
public enum SoxStat {
    public static let installed = FileManager.default.isExecutableFile(atPath: "/usr/bin/sox")

    public static func of(_ path: String) throws -> (seconds: Double, rms: Double, hz: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
        process.arguments = [path, "-n", "stat"]
        let output = Pipe()
        process.standardError = output
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        func value(_ label: String) -> Double {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(label) }) else { return -1 }
            return Double(line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) ?? -1
        }
        return (value("Length (seconds)"), value("RMS     amplitude"), value("Rough   frequency"))
    }
}
