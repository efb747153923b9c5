/// Unified personal COVID QR (Decision 1405/QĐ-BTTTT): `SoGiayTo|HoTen|NgaySinh|LoaiDinhDanh|QID|EXT`, the name in
/// upper case without diacritics, the birth date as YYYY-MM-DD, LoaiDinhDanh 0 (self) or 1 (declared on behalf),
/// and EXT as `<`-separated sub-fields: proxy QID, gender (0/1/2), insurance number, phone, e-signature.
enum PersonalQRParser {
    static func parse(_ text: String) -> Declaration? {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5 || parts.count == 6, let dob = CalendarDate.fromISO(parts[2]),
            parts[3] == "0" || parts[3] == "1", !parts[0].isEmpty
        else { return nil }
        var declaration = Declaration(kind: .personalQR, id: parts[0], name: parts[1].isEmpty ? nil : parts[1], dateOfBirth: dob)
        declaration.fields["declared_by"] = parts[3] == "0" ? "self" : "on-behalf"
        declaration.fields["qid"] = parts[4]
        if parts.count == 6 && !parts[5].isEmpty {
            let ext = parts[5].split(separator: "<", omittingEmptySubsequences: false).map(String.init)
            let names = ["proxy_qid", "gender", "insurance_number", "phone", "signature"]
            for (name, value) in zip(names, ext) where !value.isEmpty { declaration.fields[name] = value }
            if let gender = declaration.fields["gender"], !["0", "1", "2"].contains(gender) {
                declaration.warnings.append("the EXT gender code is not 0, 1 or 2")
            }
        }
        if parts[4].isEmpty { declaration.warnings.append("the QID is empty") }
        return declaration
    }
}
