/// What a scanned QR code says about the traveller. Parsers never fail on content: a payload no parser
/// recognises is kept as `unrecognized` so staff can check it by hand.
public struct Declaration: Sendable, Equatable, Codable {
    public var kind: DeclarationKind
    /// The identity number (citizen ID, insurance card number, declaration ID), as written.
    public var id: String?
    public var name: String?
    /// Date of birth as YYYY-MM-DD, when the payload carries a valid one.
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
