import Foundation

/// The one JSON style of checkpointctl's `--json` output: sorted keys (stable for scripts and diffs), slashes and
/// non-ASCII text unescaped (paths and Vietnamese names stay readable).
func jsonText(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
