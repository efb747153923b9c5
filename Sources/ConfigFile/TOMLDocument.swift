/// A strict reader for the subset of TOML the configuration uses: comments, `key = value`, `[table]`,
/// `[table.sub]`, `[[array.of.tables]]`, basic and literal strings, integers, floats, booleans and arrays (which
/// may span lines). Inline tables, dates and multi-line strings are refused with a clear error.
///
/// Why not a library: the one on our package mirror wraps a C++ parser and reports errors without key paths;
/// technicians need "line 14: lane[1].screening.threshold_c …", which a reader of our own gives exactly.
package final class TOMLTable {
    package enum Value {
        case string(String), integer(Int), float(Double), bool(Bool), array([Value])
        case table(TOMLTable)
        case tables([TOMLTable])
    }

    package private(set) var keys: [String] = []
    private(set) var values: [String: (value: Value, line: Int)] = [:]
    package let line: Int

    package init(line: Int) { self.line = line }

    package subscript(key: String) -> (value: Value, line: Int)? { values[key] }

    func set(_ key: String, _ value: Value, line: Int) throws(TOMLError) {
        guard values[key] == nil else { throw TOMLError(line: line, message: "key '\(key)' is defined twice") }
        keys.append(key)
        values[key] = (value, line)
    }

    fileprivate func replace(_ key: String, _ value: Value, line: Int) { values[key] = (value, line) }
}

package struct TOMLError: Error, CustomStringConvertible {
    package let line: Int
    package let message: String
    package var description: String { "line \(line): \(message)" }
}

package enum TOMLDocument {
    package static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        let root = TOMLTable(line: 0)
        var current = root
        // Files saved on Windows: a UTF-8 byte-order mark first, and CRLF line ends (in Swift "\r\n" is one
        // Character, so splitting on "\n" alone would read the whole file as one line).
        let text = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map(String.init).enumerated().makeIterator()
        while let (index, raw) = lines.next() {
            let number = index + 1
            var line = stripComment(raw).trimmingWhitespace()
            if line.isEmpty { continue }
            if line.hasPrefix("[[") {
                guard line.hasSuffix("]]") else { throw TOMLError(line: number, message: "a table-array header must end with ]]") }
                let path = try keyPath(String(line.dropFirst(2).dropLast(2)), line: number)
                current = try appendTable(root, path, line: number)
                continue
            }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw TOMLError(line: number, message: "a table header must end with ]") }
                let path = try keyPath(String(line.dropFirst().dropLast()), line: number)
                current = try table(root, path, line: number, create: true)
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                throw TOMLError(line: number, message: "expected 'key = value', found '\(line)'")
            }
            let key = String(line[..<eq]).trimmingWhitespace()
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }), key.allSatisfy(\.isASCII) else {
                throw TOMLError(line: number, message: "'\(key)' is not a valid key (letters, digits, _ and -)")
            }
            var valueText = String(line[line.index(after: eq)...]).trimmingWhitespace()
            // Arrays may continue over several lines until their brackets balance.
            while valueText.hasPrefix("[") && !bracketsBalanced(valueText) {
                guard let (_, more) = lines.next() else { throw TOMLError(line: number, message: "array for '\(key)' is not closed") }
                valueText += " " + stripComment(more).trimmingWhitespace()
            }
            line = valueText
            var parser = ValueParser(text: Array(line), line: number)
            let value = try parser.parseValue()
            try parser.expectEnd()
            try current.set(key, value, line: number)
        }
        return root
    }

    private static func keyPath(_ text: String, line: Int) throws(TOMLError) -> [String] {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } }) else {
            throw TOMLError(line: line, message: "'\(text)' is not a valid table name")
        }
        return parts
    }

    /// Walks (and creates) tables along `path`; a table-array on the way means its last element, as in TOML.
    private static func table(_ root: TOMLTable, _ path: [String], line: Int, create: Bool) throws(TOMLError) -> TOMLTable {
        var node = root
        for name in path {
            switch node[name]?.value {
            case .table(let next): node = next
            case .tables(let list): node = list[list.count - 1]
            case nil:
                let next = TOMLTable(line: line)
                try node.set(name, .table(next), line: line)
                node = next
            default: throw TOMLError(line: line, message: "'\(name)' is a value, not a table")
            }
        }
        return node
    }

    private static func appendTable(_ root: TOMLTable, _ path: [String], line: Int) throws(TOMLError) -> TOMLTable {
        let parent = try table(root, Array(path.dropLast()), line: line, create: true)
        let name = path[path.count - 1]
        let fresh = TOMLTable(line: line)
        switch parent[name]?.value {
        case nil: try parent.set(name, .tables([fresh]), line: line)
        case .tables(let list): parent.replace(name, .tables(list + [fresh]), line: line)
        default: throw TOMLError(line: line, message: "'\(name)' is already a table or value, not an array of tables")
        }
        return fresh
    }

    static func stripComment(_ line: String) -> String {
        var inBasic = false, inLiteral = false, escaped = false
        for (i, c) in line.enumerated() {
            if escaped { escaped = false; continue }
            if c == "\\" && inBasic { escaped = true; continue }
            if c == "\"" && !inLiteral { inBasic.toggle() }
            if c == "'" && !inBasic { inLiteral.toggle() }
            if c == "#" && !inBasic && !inLiteral { return String(line.prefix(i)) }
        }
        return line
    }

    static func bracketsBalanced(_ text: String) -> Bool {
        var depth = 0, inString = false, escaped = false
        for c in text {
            if escaped { escaped = false; continue }
            if c == "\\" && inString { escaped = true; continue }
            if c == "\"" { inString.toggle() }
            if inString { continue }
            if c == "[" { depth += 1 } else if c == "]" { depth -= 1 }
        }
        return depth <= 0
    }
}

private struct ValueParser {
    let text: [Character]
    let line: Int
    var i = 0

    init(text: [Character], line: Int) {
        self.text = text
        self.line = line
    }

    mutating func skipSpace() { while i < text.count && (text[i] == " " || text[i] == "\t") { i += 1 } }

    mutating func expectEnd() throws(TOMLError) {
        skipSpace()
        if i < text.count { throw TOMLError(line: line, message: "unexpected '\(String(text[i...]))' after the value") }
    }

    mutating func parseValue() throws(TOMLError) -> TOMLTable.Value {
        skipSpace()
        guard i < text.count else { throw TOMLError(line: line, message: "missing value after '='") }
        switch text[i] {
        case "\"":
            if text.count >= i + 3 && text[i + 1] == "\"" && text[i + 2] == "\"" {
                throw TOMLError(line: line, message: "multi-line strings are not supported in this configuration")
            }
            return .string(try basicString())
        case "'":
            i += 1
            let start = i
            while i < text.count && text[i] != "'" { i += 1 }
            guard i < text.count else { throw TOMLError(line: line, message: "string is not closed") }
            defer { i += 1 }
            return .string(String(text[start..<i]))
        case "[":
            i += 1
            var items: [TOMLTable.Value] = []
            while true {
                skipSpace()
                guard i < text.count else { throw TOMLError(line: line, message: "array is not closed") }
                if text[i] == "]" { i += 1; return .array(items) }
                items.append(try parseValue())
                skipSpace()
                if i < text.count && text[i] == "," { i += 1 }
            }
        case "{":
            throw TOMLError(line: line, message: "inline tables are not supported here: use a [table] header")
        default:
            let start = i
            while i < text.count && !(text[i] == "," || text[i] == "]" || text[i] == " " || text[i] == "\t") { i += 1 }
            let word = String(text[start..<i])
            if word == "true" { return .bool(true) }
            if word == "false" { return .bool(false) }
            let digits = word.replacingUnderscores()
            if let int = Int(digits) { return .integer(int) }
            if let double = Double(digits), digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return .float(double) }
            throw TOMLError(line: line, message: "'\(word)' is not a value (strings need quotes)")
        }
    }

    mutating func basicString() throws(TOMLError) -> String {
        i += 1
        var out = ""
        while i < text.count {
            let c = text[i]
            i += 1
            if c == "\"" { return out }
            if c != "\\" { out.append(c); continue }
            guard i < text.count else { break }
            let e = text[i]
            i += 1
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "\"": out.append("\"")
            case "\\": out.append("\\")
            case "u":
                guard i + 4 <= text.count, let code = UInt32(String(text[i..<(i + 4)]), radix: 16), let scalar = Unicode.Scalar(code) else {
                    throw TOMLError(line: line, message: "bad \\u escape in string")
                }
                out.unicodeScalars.append(scalar)
                i += 4
            default: throw TOMLError(line: line, message: "unknown escape \\\(e) in string")
            }
        }
        throw TOMLError(line: line, message: "string is not closed")
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }

    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
