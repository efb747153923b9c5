import Declarations
import Testing

@Suite struct DeclarationParserTests {
    let parser = DeclarationParser()

    @Test func citizenIDCardWithSevenFieldsAndDiacritics() throws {
        let d = try parser.parse("079190012345|025123456|Nguyễn Thị Ánh Tuyết|15041990|Nữ|12 Lê Lợi, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh|01072021")
        #expect(d.kind == .cccd)
        #expect(d.id == "079190012345")
        #expect(d.name == "Nguyễn Thị Ánh Tuyết")
        #expect(d.dateOfBirth == "1990-04-15")
        #expect(d.fields["gender"] == "Nữ")
        #expect(d.fields["old_id"] == "025123456")
        #expect(d.fields["issue_date"] == "2021-07-01")
        #expect(d.warnings.isEmpty, "\(d.warnings)")
    }

    @Test func citizenIDCardWithSixFields() throws {
        let d = try parser.parse("001085001234|Trần Văn Bình|02021985|Nam|Số 5 Hàng Bài, Hà Nội|20052021")
        #expect(d.kind == .cccd)
        #expect(d.dateOfBirth == "1985-02-02")
        #expect(d.fields["old_id"] == nil)
        #expect(d.warnings.isEmpty, "\(d.warnings)")
    }

    @Test func inconsistentIDIsAWarningNotAFailure() throws {
        // Province 003 does not exist; digit 0 says male 1900s but the card says Nữ and 2001.
        let d = try parser.parse("003090012345||Lê Thị Hoa|31022001|Nữ|Huế|01012021")
        #expect(d.kind == .cccd)
        #expect(d.dateOfBirth == nil)  // 31 February
        #expect(d.warnings.contains { $0.contains("province code is not on the official list") })
        #expect(d.warnings.contains { $0.contains("not a valid ddMMyyyy") })
        #expect(d.warnings.contains { $0.contains("century/gender digit does not match") })
    }

    /// Warnings reach the public lane screen and the store: they say what is wrong, never the value (the masking
    /// rule exists so that a date of birth or an ID's digits are not shown whole).
    @Test(arguments: [
        ("003090012345||Lê Thị Hoa|15-04-1990|Nữ|Huế|01012021", ["15-04-1990", "003", "1990"]),
        ("079190012345||Lê Thị Hoa|15041990|Khác|Huế|32132021", ["Khác", "32132021"]),
        ("079290012345||Lê Văn Ba|15041985|Nam|Huế|01012021", ["1985", "2", "1990"]),
        ("HS4010120878811|4e677579656e2056616e20416e|31/13/1990|7|Hà Nội", ["31/13/1990", "'7'"]),
        ("001093029317|NGUYEN LE KHA HAN|1987-01-18|0|162979388586171100|<9<GD4010120878811<0912345678<", ["'9'"]),
    ]) func warningsNeverQuoteAFieldValue(payload: String, values: [String]) throws {
        let d = try parser.parse(payload)
        #expect(!d.warnings.isEmpty, "\(payload): no warning")
        for warning in d.warnings {
            for value in values where value.count > 1 { #expect(!warning.contains(value), "\(warning)") }
        }
    }

    @Test func truncatedCitizenIDIsUnrecognisedWithAHint() throws {
        let d = try parser.parse("079190012345|025123456|Nguyễn Thị")
        #expect(d.kind == .unrecognized)
        #expect(d.warnings.contains { $0.contains("6 or 7 fields") })
    }

    @Test func personalCovidQR() throws {
        let d = try parser.parse("001093029317|NGUYEN LE KHA HAN|1987-01-18|0|162979388586171100|<1<GD4010120878811<0912345678<")
        #expect(d.kind == .personalQR)
        #expect(d.name == "NGUYEN LE KHA HAN")
        #expect(d.dateOfBirth == "1987-01-18")
        #expect(d.fields["declared_by"] == "self")
        #expect(d.fields["gender"] == "1")
        #expect(d.fields["insurance_number"] == "GD4010120878811")
    }

    @Test func healthInsuranceCardWithHexName() throws {
        let name = "Lê Xuân Hưng"
        let hex = name.utf8.map { String($0, radix: 16, uppercase: false) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        let d = try parser.parse("HS4010120878811|\(hex)|28/05/2001|1|\(hex)|79-024|01/01/2021|31/12/2021")
        #expect(d.kind == .bhyt)
        #expect(d.name == name)
        #expect(d.dateOfBirth == "2001-05-28")
        #expect(d.fields["gender"] == "Nam")
        #expect(d.fields["valid_to"] == "2021-12-31")
    }

    @Test func declarationURLs() throws {
        let a = try parser.parse("https://qr.tokhaiyte.vn/khai-bao/AB12CD34")
        #expect(a.kind == .url && a.id == "AB12CD34")
        let b = try parser.parse("https://kbyt.khambenh.gov.vn/#/?x=1")
        #expect(b.kind == .url && b.id == nil && !b.warnings.isEmpty)
        let custom = DeclarationParser(urlPatterns: [try DeclarationURLPattern(host: "khaibao.angiang.gov.vn", id: "query:ma")])
        let c = try custom.parse("https://khaibao.angiang.gov.vn/tokhai?ma=987654&lang=vi")
        #expect(c.id == "987654")
    }

    @Test func anythingElseIsKeptAsUnrecognised() throws {
        #expect(try parser.parse("hello world").kind == .unrecognized)
        #expect(try parser.parse("123|456").kind == .unrecognized)
    }

    @Test func inputThatCannotBeAQRTextIsRejected() {
        #expect(throws: DeclarationError.empty) { try parser.parse("\r\n") }
        #expect(throws: DeclarationError.controlCharacters) { try parser.parse("abc\u{0}def") }
        #expect(throws: DeclarationError.tooLong(bytes: 5000)) { try parser.parse(String(repeating: "x", count: 5000)) }
    }

    /// QĐ 1405 masks at least the first 6 characters; the lane shows only the last 4, the same the store, the export
    /// and the supervisor page keep, so staff compare one number everywhere.
    @Test func maskingIsStricterThan1405AndShowsTheStoredFour() {
        #expect(Masking.id("079190012345") == "********2345")
        // The page shows the same 4 characters the store keeps.
        #expect(Masking.id("079190012345").hasSuffix(Masking.lastFour("079190012345")))
        #expect(Masking.id("1234") == "****")
        #expect(Masking.dateOfBirth("1990-04-15") == "**/**/1990")
        #expect(Masking.name("Nguyễn Thị Ánh Tuyết") == "N. T. Á. Tuyết")
        #expect(Masking.lastFour("079190012345") == "2345")
    }
}
