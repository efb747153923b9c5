/// Chip citizen ID card (CCCD) QR: `ID|oldID|name|ddMMyyyy|Nam/Nữ|address|issue ddMMyyyy` (7 fields), or the
/// 6-field variant without the old 9-digit ID. The 12-digit ID encodes the province of birth registration
/// (3 digits), a century/gender digit and the 2-digit birth year; mismatches are warnings, not failures, because
/// a card with an odd number is still a card the officer can check.
enum CCCDParser {
    static func parse(_ text: String) -> Declaration? {
        var parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6 || parts.count == 7, isID(parts[0]) else { return nil }
        if parts.count == 6 { parts.insert("", at: 1) }
        let (id, oldID, name, birth, gender, address, issued) =
            (parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6])
        var declaration = Declaration(kind: .cccd, id: id, name: name.isEmpty ? nil : name)
        var warnings: [String] = []
        if !oldID.isEmpty && !(oldID.count == 9 && oldID.allSatisfy(\.isASCIIDigit)) {
            warnings.append("old ID number is not 9 digits")
        }
        if !oldID.isEmpty { declaration.fields["old_id"] = oldID }
        let dob = CalendarDate.fromDayMonthYear(birth)
        if let dob { declaration.dateOfBirth = dob } else { warnings.append("the date of birth is not a valid ddMMyyyy date") }
        let male: Bool?
        switch gender.lowercased() {
        case "nam": male = true
        case "nữ", "nu": male = false
        default:
            male = nil
            warnings.append("the gender is neither Nam nor Nữ")
        }
        declaration.fields["gender"] = gender
        declaration.fields["address"] = address
        if let issue = CalendarDate.fromDayMonthYear(issued) {
            declaration.fields["issue_date"] = issue
        } else if !issued.isEmpty {
            warnings.append("the issue date is not a valid ddMMyyyy date")
        }
        warnings += structureWarnings(id: id, dateOfBirth: dob, male: male)
        if name.isEmpty { warnings.append("the name field is empty") }
        declaration.warnings = warnings
        return declaration
    }

    static func isID(_ s: String) -> Bool { s.count == 12 && s.allSatisfy(\.isASCIIDigit) }

    /// Checks the ID against the province list and the birth data (TT 07/2016/TT-BCA, TT 59/2021/TT-BCA).
    static func structureWarnings(id: String, dateOfBirth: String?, male: Bool?) -> [String] {
        var warnings: [String] = []
        let digits = id.compactMap(\.wholeNumberValue)
        let province = digits[0] * 100 + digits[1] * 10 + digits[2]
        if provinceNames[province] == nil {
            warnings.append("the ID's province code is not on the official list")
        }
        let code = digits[3]
        // 0/1: 1900s, 2/3: 2000s, 4/5: 2100s, 6/7: 2200s, 8/9: 1800s; even = male, odd = female.
        let centuries = [1900, 1900, 2000, 2000, 2100, 2100, 2200, 2200, 1800, 1800]
        let idYear = centuries[code] + digits[4] * 10 + digits[5]
        if let dateOfBirth, let year = Int(dateOfBirth.prefix(4)), year != idYear {
            warnings.append("the birth year the ID encodes does not match the date of birth")
        }
        if let male, male != (code % 2 == 0) {
            warnings.append("the ID's century/gender digit does not match the gender on the card")
        }
        return warnings
    }

    /// Province codes of birth registration for the 12-digit ID (TT 07/2016/TT-BCA, annex).
    static let provinceNames: [Int: String] = [
        1: "Hà Nội", 2: "Hà Giang", 4: "Cao Bằng", 6: "Bắc Kạn", 8: "Tuyên Quang", 10: "Lào Cai", 11: "Điện Biên",
        12: "Lai Châu", 14: "Sơn La", 15: "Yên Bái", 17: "Hòa Bình", 19: "Thái Nguyên", 20: "Lạng Sơn",
        22: "Quảng Ninh", 24: "Bắc Giang", 25: "Phú Thọ", 26: "Vĩnh Phúc", 27: "Bắc Ninh", 30: "Hải Dương",
        31: "Hải Phòng", 33: "Hưng Yên", 34: "Thái Bình", 35: "Hà Nam", 36: "Nam Định", 37: "Ninh Bình",
        38: "Thanh Hóa", 40: "Nghệ An", 42: "Hà Tĩnh", 44: "Quảng Bình", 45: "Quảng Trị", 46: "Thừa Thiên Huế",
        48: "Đà Nẵng", 49: "Quảng Nam", 51: "Quảng Ngãi", 52: "Bình Định", 54: "Phú Yên", 56: "Khánh Hòa",
        58: "Ninh Thuận", 60: "Bình Thuận", 62: "Kon Tum", 64: "Gia Lai", 66: "Đắk Lắk", 67: "Đắk Nông",
        68: "Lâm Đồng", 70: "Bình Phước", 72: "Tây Ninh", 74: "Bình Dương", 75: "Đồng Nai", 77: "Bà Rịa - Vũng Tàu",
        79: "Hồ Chí Minh", 80: "Long An", 82: "Tiền Giang", 83: "Bến Tre", 84: "Trà Vinh", 86: "Vĩnh Long",
        87: "Đồng Tháp", 89: "An Giang", 91: "Kiên Giang", 92: "Cần Thơ", 93: "Hậu Giang", 94: "Sóc Trăng",
        95: "Bạc Liêu", 96: "Cà Mau",
    ]
}
