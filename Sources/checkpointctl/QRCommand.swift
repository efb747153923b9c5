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
                warnings. Exits 0 when the payload was read (even as 'unrecognized'), 2 when it cannot be a QR
                text at all (empty, binary, over 4 KiB). Pass - to read the payload from standard input.
                """)

        @Flag(help: "Print one JSON object instead of text.")
        var json = false

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
            let declaration: Declaration
            do {
                declaration = try DeclarationParser().parse(text)
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
                for warning in declaration.warnings { print("warning: \(warning)") }
            }
        }
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
        try c.encode(declaration.warnings, forKey: Key("warnings"))
    }

    func jsonString() throws -> String {
        try jsonText(self)
    }
}
