import Foundation

/// The name stored with every calibration: the audit trail is only as good as the name in it.
public enum Technician {
    public static func validated(_ name: String) throws(ControlFailure) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw ControlFailure(.usage, "--technician is blank: give your name, it is stored with the calibration")
        }
        guard trimmed.count <= 64, !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ControlFailure(.usage, "--technician must be a name of at most 64 characters, without control characters")
        }
        return trimmed
    }
}
