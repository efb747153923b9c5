/// Recognises a QR payload and hands it to the parser for its format.
public struct DeclarationParser: Sendable {
    public var urlPatterns: [DeclarationURLPattern]
    /// Signers trusted for EU digital COVID certificates (empty: every certificate is `unverified`).
    public var trust: DCCTrustList
    /// The check time (seconds since 1970) for certificate expiry, injected by the caller (the service passes the
    /// wall clock) so parsing stays pure and repeatable. nil: expiry is not judged, and the result says so.
    public var now: (@Sendable () -> Int64)?

    public init(
        urlPatterns: [DeclarationURLPattern] = DeclarationURLPattern.defaults, trust: DCCTrustList = DCCTrustList(),
        now: (@Sendable () -> Int64)? = nil
    ) {
        self.urlPatterns = urlPatterns
        self.trust = trust
        self.now = now
    }

    public static let maxPayloadBytes = 4096

    /// Parses a payload. Throws only when the input cannot be a QR text at all (empty, too long, binary);
    /// anything else yields a declaration, `unrecognized` if no format fits.
    public func parse(_ payload: String) throws(DeclarationError) -> Declaration {
        try recognise(payload).withoutControlCharacters().0
    }

    func recognise(_ payload: String) throws(DeclarationError) -> Declaration {
        let text = payload.trimmingTrailingNewlines()
        guard !text.isEmpty else { throw .empty }
        guard text.utf8.count <= Self.maxPayloadBytes else { throw .tooLong(bytes: text.utf8.count) }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" && $0 != "\u{1D}" }) else {
            throw .controlCharacters
        }
        if let certificate = EUDCCParser.parse(text, trust: trust, at: now?()) { return certificate }
        // The personal QR goes first: its 6-field form also starts with a 12-digit ID, and only its ISO birth
        // date tells it apart from the 6-field citizen ID card.
        if let declaration = PersonalQRParser.parse(text) { return declaration }
        if let declaration = CCCDParser.parse(text) { return declaration }
        if let declaration = BHYTParser.parse(text) { return declaration }
        if let declaration = DeclarationURLParser.parse(text, patterns: urlPatterns) { return declaration }
        var unknown = Declaration(kind: .unrecognized)
        if text.split(separator: "|", omittingEmptySubsequences: false).first.map({ $0.count == 12 && $0.allSatisfy(\.isASCIIDigit) }) == true {
            unknown.warnings.append("starts like a citizen ID card code but does not have its 6 or 7 fields")
        }
        return unknown
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == "\r" || last == "\r\n" { s = s.dropLast() }
        return String(s)
    }
}

/// Dates as the formats write them, checked for being a real calendar day.
enum CalendarDate {
    /// `ddMMyyyy` (CCCD) or `dd/MM/yyyy` (BHYT) → `yyyy-MM-dd`.
    static func fromDayMonthYear(_ text: some StringProtocol) -> String? {
        let digits = text.filter { $0 != "/" }
        guard digits.count == 8, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        let chars = Array(digits)
        let day = Int(String(chars[0..<2]))!, month = Int(String(chars[2..<4]))!, year = Int(String(chars[4..<8]))!
        return iso(year: year, month: month, day: day)
    }

    /// `yyyy-MM-dd` (personal QR) checked and returned as is.
    static func fromISO(_ text: some StringProtocol) -> String? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        return iso(year: year, month: month, day: day)
    }

    /// `yyyy` or `yyyy-MM` (an EU-DCC whose holder's day or month of birth is not known), checked and returned as is.
    static func partial(_ text: some StringProtocol) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts[0].count == 4, let year = Int(parts[0]), (1850...2200).contains(year) else { return nil }
        guard parts.count == 2 else { return String(text) }
        guard parts[1].count == 2, let month = Int(parts[1]), (1...12).contains(month) else { return nil }
        return String(text)
    }

    static func iso(year: Int, month: Int, day: Int) -> String? {
        guard (1850...2200).contains(year), (1...12).contains(month), day >= 1 else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= days else { return nil }
        return "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }
}
