/// Health-insurance (BHYT) card QR: `|`-separated, card number first (2 letters + 13 digits), the name and the
/// address as hex-encoded UTF-8 (so they survive keyboard-wedge scanners), the birth date as dd/MM/yyyy, then the
/// gender code (1 male, 2 female), address, and card fields we keep as they are.
enum BHYTParser {
    static func parse(_ text: String) -> Declaration? {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 4, isCardNumber(parts[0]), let name = decodeHex(parts[1]) else { return nil }
        var declaration = Declaration(kind: .bhyt, id: parts[0], name: name)
        if let dob = CalendarDate.fromDayMonthYear(parts[2]) {
            declaration.dateOfBirth = dob
        } else if parts[2].count == 4, let year = Int(parts[2]) {
            declaration.fields["birth_year"] = String(year)  // some cards carry only the year
        } else {
            declaration.warnings.append("the date of birth is not a valid dd/MM/yyyy date")
        }
        switch parts[3] {
        case "1": declaration.fields["gender"] = "Nam"
        case "2": declaration.fields["gender"] = "Nữ"
        default: declaration.warnings.append("the gender code is neither 1 nor 2")
        }
        if parts.count > 4 {
            if let address = decodeHex(parts[4]) { declaration.fields["address"] = address } else { declaration.fields["address"] = parts[4] }
        }
        if parts.count > 5, !parts[5].isEmpty { declaration.fields["facility"] = parts[5] }
        if parts.count > 6, let from = CalendarDate.fromDayMonthYear(parts[6]) { declaration.fields["valid_from"] = from }
        if parts.count > 7, let to = CalendarDate.fromDayMonthYear(parts[7]) { declaration.fields["valid_to"] = to }
        return declaration
    }

    static func isCardNumber(_ s: String) -> Bool {
        let chars = Array(s)
        return chars.count == 15 && chars[0..<2].allSatisfy { $0.isASCII && $0.isUppercase }
            && chars[2...].allSatisfy(\.isASCIIDigit)
    }

    /// Hex → UTF-8 text; nil when the field is not even-length hex or not valid UTF-8.
    static func decodeHex(_ s: String) -> String? {
        let bytes = Array(s.utf8)
        guard !bytes.isEmpty, bytes.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 2)
        var i = 0
        while i < bytes.count {
            guard let hi = hexValue(bytes[i]), let lo = hexValue(bytes[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
