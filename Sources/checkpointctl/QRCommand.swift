import ArgumentParser
import Declarations
import Foundation

struct QRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qr", abstract: "Decode QR payloads the way the lane does.", subcommands: [Parse.self])

    struct Parse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse one QR payload and print what the lane would read from it.",
            discussion: """
                Prints the kind (cccd, personal-qr, bhyt, eu-dcc, url, unrecognized), the parsed fields and any
                warnings. An EU-DCC (HC1:…) also gives family_name, given_name, vaccinations, tests, recoveries and
                signature: verified (a --trust signer's key validates it, unexpired at --at), unverified (no
                trusted key for it) or invalid (bad signature, or expired). Exits 0 when the payload was read (even as 'unrecognized'), 2 when it cannot be a QR
                text at all (empty, binary, over 4 KiB). Pass - to read the payload from standard input.
                """)

        @Flag(help: "Print one JSON object instead of text.")
        var json = false

        @Option(help: "PEM file of trusted EU-DCC signer certificates (repeatable).")
        var trust: [String] = []

        @Option(help: "Check time for certificate expiry, ISO 8601 (default: now).")
        var at: String?

        @Argument(help: "The payload, or - for standard input.")
        var payload: String

        func run() async throws {
            var text = payload
            if payload == "-" {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                guard let input = String(validating: data, as: UTF8.self) else {
                    FileHandle.standardError.write(Data("qr parse: standard input is not UTF-8 text\n".utf8))
                    throw ExitCode(2)
                }
                text = input
            }
            var lists: [DCCTrustList] = []
            for file in trust {
                guard let data = FileManager.default.contents(atPath: file), let pem = String(data: data, encoding: .utf8) else {
                    FileHandle.standardError.write(Data("qr parse: cannot read \(file)\n".utf8))
                    throw ExitCode(2)
                }
                do { lists.append(try DCCTrustList(pem: pem)) } catch {
                    FileHandle.standardError.write(Data("qr parse: \(file): \(error.description)\n".utf8))
                    throw ExitCode(2)
                }
            }
            var checkTime = Int64(Date().timeIntervalSince1970)
            if let at {
                guard let date = ISO8601DateFormatter().date(from: at) ?? ISO8601DateFormatter.dateOnly.date(from: at) else {
                    FileHandle.standardError.write(Data("qr parse: --at '\(at)' is not an ISO 8601 time (like 2021-10-01T08:00:00Z)\n".utf8))
                    throw ExitCode(2)
                }
                checkTime = Int64(date.timeIntervalSince1970)
            }
            let fixedTime = checkTime
            let parser = DeclarationParser(trust: DCCTrustList(merging: lists), now: { fixedTime })
            let declaration: Declaration
            do {
                declaration = try parser.parse(text)
            } catch {
                FileHandle.standardError.write(Data("qr parse: \(error.description)\n".utf8))
                throw ExitCode(2)
            }
            if json {
                print(try QRReport(declaration).jsonString())
            } else {
                print("kind: \(declaration.kind.rawValue)")
                if let id = declaration.id { print("id: \(id)") }
                if let name = declaration.name { print("name: \(name)") }
                if let dob = declaration.dateOfBirth { print("date_of_birth: \(dob)") }
                for key in declaration.fields.keys.sorted() { print("\(key): \(declaration.fields[key]!)") }
                if let certificate = declaration.certificate {
                    for (label, entries) in [("vaccination", certificate.vaccinations), ("test", certificate.tests), ("recovery", certificate.recoveries)] {
                        for entry in entries { print("\(label): \((try? jsonText(entry)) ?? "?")") }
                    }
                }
                for warning in declaration.warnings { print("warning: \(warning)") }
            }
        }
    }
}

extension ISO8601DateFormatter {
    /// `2021-10-01` (midnight UTC).
    static var dateOnly: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter
    }
}

/// The JSON shape scripts read: kind, name, date_of_birth, id, the per-kind fields, and warnings.
struct QRReport: Encodable {
    let declaration: Declaration
    init(_ declaration: Declaration) { self.declaration = declaration }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(declaration.kind.rawValue, forKey: Key("kind"))
        try c.encode(declaration.id, forKey: Key("id"))
        try c.encode(declaration.name, forKey: Key("name"))
        try c.encode(declaration.dateOfBirth, forKey: Key("date_of_birth"))
        for (key, value) in declaration.fields { try c.encode(value, forKey: Key(key)) }
        if let certificate = declaration.certificate {
            try c.encode(certificate.familyName, forKey: Key("family_name"))
            try c.encode(certificate.givenName, forKey: Key("given_name"))
            try c.encode(certificate.vaccinations, forKey: Key("vaccinations"))
            try c.encode(certificate.tests, forKey: Key("tests"))
            try c.encode(certificate.recoveries, forKey: Key("recoveries"))
            try c.encode(certificate.signature.rawValue, forKey: Key("signature"))
        }
        try c.encode(declaration.warnings, forKey: Key("warnings"))
    }

    func jsonString() throws -> String {
        try jsonText(self)
    }
}
