import ArgumentParser
import Foundation
import LaneControl

/// How checkpointctl speaks, for every command: the result on standard output (text, or JSON with `--json`: one
/// object or array per line, snake_case keys), and everything said to the technician on standard error with one
/// prefix ("error: ", "warning: ", or none for progress and notes). A script reading stdout gets only results.

/// The one JSON style: snake_case keys, sorted (stable for scripts and diffs), slashes and non-ASCII text unescaped
/// (paths and Vietnamese names stay readable).
func jsonText(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// A note for the technician (progress, "stored", "dry run"): standard error, so `--json` output stays JSON.
func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

func warn(_ text: String) {
    note(text.hasPrefix("warning: ") || text.hasPrefix("error: ") ? text : "warning: " + text)
}

/// Progress lines for a technician's terminal: rewritten in place on a terminal, one line a second otherwise.
struct ProgressLine {
    private let interactive = isatty(STDERR_FILENO) == 1
    private var lastShown = -Double.infinity

    mutating func show(_ text: String, at t: Double) {
        if interactive {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
        } else if t - lastShown >= 1 {
            lastShown = t
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }

    func done() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
func signed(_ value: Double, _ digits: Int = 2) -> String { String(format: "%+.\(digits)f", value) }
