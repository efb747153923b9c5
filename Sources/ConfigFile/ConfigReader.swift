/// A configuration problem, reported as one line that names the key, e.g.
/// `lane[1].screening.threshold_c (line 14): 41.0 is outside 34.0–39.0`.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let key: String
    public let line: Int?
    public let message: String

    public init(key: String, line: Int?, message: String) {
        self.key = key
        self.line = line
        self.message = message
    }

    public var description: String {
        if key.isEmpty { return line.map { "line \($0): \(message)" } ?? message }
        return "\(key)\(line.map { " (line \($0))" } ?? ""): \(message)"
    }
}

/// Reads typed values from one table, remembering which keys were used so unknown ones (typos) are reported.
package final class ConfigReader {
    package let table: TOMLTable
    package let path: String
    private var used: Set<String> = []
    private var children: [ConfigReader] = []

    package init(_ table: TOMLTable, path: String) {
        self.table = table
        self.path = path
    }

    package func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    private func error(_ name: String, _ message: String) -> ConfigError {
        ConfigError(key: key(name), line: table[name]?.line, message: message)
    }

    private func raw(_ name: String) -> TOMLTable.Value? {
        used.insert(name)
        return table[name]?.value
    }

    package func string(_ name: String, default value: String? = nil) throws(ConfigError) -> String {
        switch raw(name) {
        case .string(let s)?: return s
        case nil:
            if let value { return value }
            throw error(name, "is required")
        default: throw error(name, "must be a string in quotes")
        }
    }

    package func optionalString(_ name: String) throws(ConfigError) -> String? {
        table[name] == nil ? (used.insert(name), nil).1 : try string(name)
    }

    /// A list of strings (`name = ["a", "b"]`); empty when absent.
    package func strings(_ name: String) throws(ConfigError) -> [String] {
        switch raw(name) {
        case nil: return []
        case .array(let values)?:
            var out: [String] = []
            for value in values {
                guard case .string(let s) = value else { throw error(name, "must be a list of strings in quotes, like [\"a\", \"b\"]") }
                out.append(s)
            }
            return out
        default: throw error(name, "must be a list of strings in quotes, like [\"a\", \"b\"]")
        }
    }

    package func oneOf(_ name: String, _ choices: [String], default value: String) throws(ConfigError) -> String {
        let s = try string(name, default: value)
        guard choices.contains(s) else { throw error(name, "'\(s)' is not one of: \(choices.joined(separator: ", "))") }
        return s
    }

    package func bool(_ name: String, default value: Bool) throws(ConfigError) -> Bool {
        switch raw(name) {
        case .bool(let b)?: return b
        case nil: return value
        default: throw error(name, "must be true or false")
        }
    }

    package func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let v: Int
        switch raw(name) {
        case .integer(let i)?: v = i
        case nil: v = value
        default: throw error(name, "must be a whole number")
        }
        guard range.contains(v) else { throw error(name, "\(v) is outside \(range.lowerBound)–\(range.upperBound)") }
        return v
    }

    package func double(_ name: String, default value: Double, range: ClosedRange<Double>, step: Double? = nil) throws(ConfigError) -> Double {
        let v: Double
        switch raw(name) {
        case .float(let d)?: v = d
        case .integer(let i)?: v = Double(i)
        case nil: v = value
        default: throw error(name, "must be a number")
        }
        guard range.contains(v) else { throw error(name, "\(v) is outside \(range.lowerBound)–\(range.upperBound)") }
        if let step, abs((v / step).rounded() * step - v) > 1e-9 { throw error(name, "\(v) is not a multiple of \(step)") }
        return v
    }

    /// A number that may be absent (nil), checked against `range` when present.
    package func optionalDouble(_ name: String, range: ClosedRange<Double>) throws(ConfigError) -> Double? {
        guard raw(name) != nil else { return nil }
        return try double(name, default: range.lowerBound, range: range)
    }

    package func table(_ name: String) throws(ConfigError) -> ConfigReader? {
        switch raw(name) {
        case .table(let t)?:
            let child = ConfigReader(t, path: key(name))
            children.append(child)
            return child
        case nil: return nil
        default: throw error(name, "must be a [\(key(name))] table")
        }
    }

    /// `[name]`, or an empty table when the file has none: every key then takes its default, written once at the
    /// key's reader.
    package func tableOrEmpty(_ name: String) throws(ConfigError) -> ConfigReader {
        try table(name) ?? ConfigReader(TOMLTable(line: 0), path: key(name))
    }

    package func tables(_ name: String) throws(ConfigError) -> [ConfigReader] {
        switch raw(name) {
        case .tables(let list)?:
            return list.enumerated().map { index, t in
                let child = ConfigReader(t, path: "\(key(name))[\(index + 1)]")
                children.append(child)
                return child
            }
        case nil: return []
        default: throw error(name, "must be written as [[\(key(name))]] tables")
        }
    }

    /// `[name]` (one) or `[[name]]` (several), for settings that are usually single but may repeat.
    package func tableOrTables(_ name: String) throws(ConfigError) -> [ConfigReader] {
        if case .table? = raw(name) { return [try table(name)!] }
        return try tables(name)
    }

    /// Every key that no reader asked for is a mistake (a typo, or a key from another version): refuse it.
    package func checkAllKeysUsed() throws(ConfigError) {
        for name in table.keys where !used.contains(name) {
            throw ConfigError(key: key(name), line: table[name]?.line, message: "is not a known setting (check the spelling against docs/config.md)")
        }
        for child in children { try child.checkAllKeysUsed() }
    }
}

/// The configuration's syntax alone, for callers outside the package (the fuzz harness): nil when `text` parses,
/// else the error as a technician reads it ("line 14: …").
public enum ConfigSyntax {
    public static func problem(in text: String) -> String? {
        do {
            _ = try TOMLDocument.parse(text)
            return nil
        } catch {
            return error.description
        }
    }
}
