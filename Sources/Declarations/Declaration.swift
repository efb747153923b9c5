/// What a scanned QR code says about the traveller. Parsers never fail on content: a payload no parser
/// recognises is kept as `unrecognized` so staff can check it by hand.
public struct Declaration: Sendable, Equatable, Codable {
    public var kind: DeclarationKind
    /// The identity number (citizen ID, insurance card number, declaration ID), as written.
    public var id: String?
    public var name: String?
    /// Date of birth as YYYY-MM-DD when the payload carries a valid one; YYYY-MM or YYYY when an EU-DCC gives only
    /// those (its schema allows it for holders whose day or month of birth is not known).
    public var dateOfBirth: String?
    /// Further fields per kind, with snake_case keys (e.g. `gender`, `address`, `issue_date`).
    public var fields: [String: String]
    /// Inconsistencies found while parsing; the declaration is still usable.
    public var warnings: [String]
    /// For an EU digital COVID certificate: its entries as written, and whether its signature was verified.
    public var certificate: EUDCCContent?

    public init(
        kind: DeclarationKind, id: String? = nil, name: String? = nil, dateOfBirth: String? = nil,
        fields: [String: String] = [:], warnings: [String] = []
    ) {
        self.kind = kind
        self.id = id
        self.name = name
        self.dateOfBirth = dateOfBirth
        self.fields = fields
        self.warnings = warnings
    }
}

public enum DeclarationKind: String, Sendable, Codable, CaseIterable {
    case cccd
    case personalQR = "personal-qr"
    case bhyt
    case euDCC = "eu-dcc"
    case url
    case unrecognized

    /// How the lane names the kind to staff, Vietnamese first.
    public var label: String {
        switch self {
        case .cccd: "CCCD gắn chip / Citizen ID"
        case .personalQR: "QR cá nhân / Personal COVID QR"
        case .bhyt: "Thẻ BHYT / Health insurance"
        case .euDCC: "Hộ chiếu vắc-xin / EU-DCC"
        case .url: "Tờ khai y tế / Declaration link"
        case .unrecognized: "Không nhận dạng / Unrecognised"
        }
    }
}

public enum DeclarationError: Error, Equatable, CustomStringConvertible {
    case empty
    case tooLong(bytes: Int)
    case controlCharacters

    public var description: String {
        switch self {
        case .empty: "the payload is empty"
        case .tooLong(let bytes): "the payload is \(bytes) bytes, more than the 4096 a QR code on a card can hold"
        case .controlCharacters: "the payload contains control characters, so it is not a text QR code"
        }
    }
}

extension Declaration {
    /// The declaration with every control character (C0, DEL, C1) taken out of the text its parser read from the
    /// payload. A compressed format (EU-DCC) can carry any character, even U+0000, which a screen shows as garbage,
    /// a terminal obeys, and PostgreSQL refuses in JSON (a whole batch to the province with it). A tab becomes a space.
    /// Returns the declaration and whether anything was removed.
    func withoutControlCharacters() -> (Declaration, removed: Bool) {
        var removed = false
        func clean(_ text: String) -> String {
            guard text.unicodeScalars.contains(where: \.isControl) else { return text }
            removed = true
            var scalars = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                if scalar == "\t" { scalars.append(" ") } else if !scalar.isControl { scalars.append(scalar) }
            }
            return String(scalars)
        }
        func clean(_ value: JSONValue) -> JSONValue {
            switch value {
            case .string(let s): .string(clean(s))
            case .array(let items): .array(items.map(clean))
            case .object(let object): .object(Dictionary(object.map { (clean($0.key), clean($0.value)) }, uniquingKeysWith: { a, _ in a }))
            case .number, .bool, .null: value
            }
        }
        var d = self
        d.id = d.id.map(clean)
        d.name = d.name.map(clean)
        d.dateOfBirth = d.dateOfBirth.map(clean)
        d.fields = Dictionary(d.fields.map { (clean($0.key), clean($0.value)) }, uniquingKeysWith: { a, _ in a })
        d.warnings = d.warnings.map(clean)
        if var c = d.certificate {
            c.familyName = c.familyName.map(clean)
            c.givenName = c.givenName.map(clean)
            c.vaccinations = c.vaccinations.map(clean)
            c.tests = c.tests.map(clean)
            c.recoveries = c.recoveries.map(clean)
            d.certificate = c
        }
        if removed { d.warnings.append("control characters in its text were removed") }
        return (d, removed)
    }
}

extension Unicode.Scalar {
    /// C0 controls, DEL and C1 controls (general category Cc).
    var isControl: Bool { value < 0x20 || (0x7F...0x9F).contains(value) }
}
