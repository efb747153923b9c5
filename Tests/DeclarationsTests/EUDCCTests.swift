import Declarations
import Foundation
import Testing
import TestSupport
import SwiftASN1

/// EU digital COVID certificates made and signed in the test (ES256 and PS256), then read as the lane reads them.
@Suite struct EUDCCTests {
    static let checkTime: Int64 = 1_700_000_000  // 2023-11-14, before the certificates' expiry

    static func parser(trusting signers: [DCCFactory], at time: Int64 = checkTime) throws -> DeclarationParser {
        let trust = signers.isEmpty ? DCCTrustList() : try DCCTrustList(pem: signers.map(\.pem).joined(separator: "\n"))
        return DeclarationParser(trust: trust, now: { time })
    }

    @Test(arguments: [false, true])
    func aSignedCertificateIsVerifiedAndRead(rsa: Bool) throws {
        let signer = try DCCFactory.signer(rsa: rsa)
        let other = try DCCFactory.signer()
        let declaration = try Self.parser(trusting: [other, signer]).parse(try signer.certificate())
        #expect(declaration.kind == .euDCC)
        #expect(declaration.name == "Nguyễn Thị Ánh Tuyết")
        #expect(declaration.dateOfBirth == "1990-04-15")
        #expect(declaration.id == "URN:UVCI:01:VN:7A2B9C4D")
        let content = try #require(declaration.certificate)
        #expect(content.signature == .verified, "\(declaration.warnings)")
        #expect(content.familyName == "Nguyễn" && content.givenName == "Thị Ánh Tuyết")
        #expect(content.vaccinations.count == 1)
        #expect(content.vaccinations.first?["dn"] == .number(2))
        #expect(content.vaccinations.first?["mp"]?.string == "EU/1/20/1528")
        #expect(content.tests.isEmpty && content.recoveries.isEmpty)
        #expect(declaration.warnings.isEmpty)
        #expect(declaration.fields["issuer_country"] == "VN")
    }

    @Test func aTamperedCertificateIsInvalid() throws {
        let signer = try DCCFactory.signer()
        let declaration = try Self.parser(trusting: [signer]).parse(try signer.certificate(tamper: true))
        #expect(declaration.kind == .euDCC)
        #expect(declaration.certificate?.signature == .invalid)
        #expect(declaration.fields["issuer_country"] == "VM", "the altered content is still shown, flagged")
        #expect(declaration.warnings.contains { $0.contains("altered or forged") })
    }

    @Test func anExpiredCertificateIsInvalidAtTheCheckTime() throws {
        let signer = try DCCFactory.signer()
        let payload = try signer.certificate(expires: 1_650_000_000)
        #expect(try Self.parser(trusting: [signer], at: 1_640_000_000).parse(payload).certificate?.signature == .verified)
        let late = try Self.parser(trusting: [signer], at: 1_660_000_000).parse(payload)
        #expect(late.certificate?.signature == .invalid)
        #expect(late.warnings.contains { $0.contains("expired") })
        // The signer's own certificate running out counts too.
        let shortLived = try DCCFactory.signer(notAfter: Date(timeIntervalSince1970: 1_650_000_000))
        #expect(try Self.parser(trusting: [shortLived], at: 1_660_000_000).parse(try shortLived.certificate()).certificate?.signature == .invalid)
    }

    @Test func withoutACheckTimeTheSignatureIsCheckedAndExpirySaidToBeUnchecked() throws {
        let signer = try DCCFactory.signer()
        let parser = DeclarationParser(trust: try DCCTrustList(pem: signer.pem))
        let declaration = try parser.parse(try signer.certificate(expires: 1_000_000_000))  // long expired
        #expect(declaration.certificate?.signature == .verified)
        #expect(declaration.warnings == ["the signature is valid, but no check time was given: expiry not checked"])
    }

    @Test func anUnknownSignerIsUnverifiedNotInvalid() throws {
        let signer = try DCCFactory.signer(), stranger = try DCCFactory.signer(rsa: true)
        let payload = try signer.certificate()
        let unknown = try Self.parser(trusting: [stranger]).parse(payload)
        #expect(unknown.certificate?.signature == .unverified)
        #expect(unknown.name == "Nguyễn Thị Ánh Tuyết")
        #expect(try Self.parser(trusting: []).parse(payload).certificate?.signature == .unverified)
        // Without a kid every trusted key is tried.
        #expect(try Self.parser(trusting: [stranger, signer]).parse(try signer.certificate(withKid: false)).certificate?.signature == .verified)
    }

    @Test func testAndRecoveryEntriesAndPartialBirthDates() throws {
        let signer = try DCCFactory.signer()
        let hcert: CBOR = .map([
            .init(.text("ver"), .text("1.3.0")),
            .init(.text("nam"), .map([.init(.text("fnt"), .text("TRAN")), .init(.text("gnt"), .text("MINH"))])),
            .init(.text("dob"), .text("1964")),
            .init(.text("t"), .array([.map([.init(.text("tt"), .text("LP6464-4")), .init(.text("tr"), .text("260415000")), .init(.text("ci"), .text("URN:UVCI:T1"))])])),
            .init(.text("r"), .array([.map([.init(.text("fr"), .text("2021-07-01")), .init(.text("ci"), .text("URN:UVCI:R1"))])])),
        ])
        let declaration = try Self.parser(trusting: [signer]).parse(try signer.certificate(hcert: hcert))
        #expect(declaration.name == "TRAN MINH")
        #expect(declaration.dateOfBirth == "1964", "a year alone is kept as given, as the schema allows")
        #expect(declaration.warnings.isEmpty, "\(declaration.warnings)")
        #expect(declaration.certificate?.tests.first?["tr"]?.string == "260415000")
        #expect(declaration.certificate?.recoveries.first?["fr"]?.string == "2021-07-01")
        #expect(declaration.id == "URN:UVCI:T1")
    }

    /// The schema allows `YYYY`, `YYYY-MM` and `YYYY-MM-DD` (older ones a time after it); they came out as null.
    @Test(arguments: [
        ("1992", "1992"), ("1992-05", "1992-05"), ("1992-05-17", "1992-05-17"), ("1992-05-17T00:00:00", "1992-05-17"),
        ("1992-13", nil), ("92", nil), ("1992-05-32", nil),
    ] as [(String, String?)])
    func datesOfBirthAreKeptAsTheSchemaAllows(dob: String, expected: String?) throws {
        let signer = try DCCFactory.signer()
        let hcert: CBOR = .map([
            .init(.text("nam"), .map([.init(.text("fnt"), .text("TRAN"))])), .init(.text("dob"), .text(dob)),
            .init(.text("v"), .array([.map([.init(.text("ci"), .text("URN:UVCI:1"))])])),
        ])
        let declaration = try Self.parser(trusting: [signer]).parse(try signer.certificate(hcert: hcert))
        #expect(declaration.dateOfBirth == expected)
        if expected == nil {
            #expect(declaration.warnings.contains("its date of birth is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"))
            #expect(!declaration.warnings.joined().contains(dob), "a warning never quotes the value")
        }
    }

    /// `exp` is required: without it a validly signed certificate was `verified`; a float `exp` (some issuers write
    /// one) was read as no expiry at all.
    @Test func expiryIsRequiredAndReadAsAnIntegerOrAFloat() throws {
        let signer = try DCCFactory.signer()
        let parser = try Self.parser(trusting: [signer])
        let float = try parser.parse(try signer.certificate(expiry: .float(1_900_000_000.5)))
        #expect(float.certificate?.signature == .verified && float.fields["expires"] == "1900000000", "\(float.warnings)")
        let lateFloat = try Self.parser(trusting: [signer], at: 1_950_000_000).parse(try signer.certificate(expiry: .float(1_900_000_000.5)))
        #expect(lateFloat.certificate?.signature == .invalid && lateFloat.warnings.contains { $0.contains("expired") })
        let none = try parser.parse(try signer.certificate(expiry: .missing))
        #expect(none.certificate?.signature == .invalid)
        #expect(none.warnings.contains("it has no expiry time (claim 4), which every certificate must carry"), "\(none.warnings)")
    }

    /// The unprotected header is not signed: an algorithm written only there is not taken.
    @Test func theAlgorithmIsTakenOnlyFromTheProtectedHeader() throws {
        let signer = try DCCFactory.signer()
        let declaration = try Self.parser(trusting: [signer]).parse(try signer.certificate(algInUnprotectedHeader: true))
        #expect(declaration.kind == .unrecognized)
        #expect(declaration.warnings.contains { $0.contains("its protected header names no signature algorithm") }, "\(declaration.warnings)")
    }

    /// A trust file holding a signer certificate that is itself signed with RSASSA-PSS (as Germany's are), or whose EC
    /// key spells out its curve, could not be read at all ("CertificateError.unsupportedSignatureAlgorithm: …").
    @Test(arguments: [(false, true), (true, false), (true, true)])
    func signerCertificatesAreTrustedWhateverSignedThemAndHoweverTheirCurveIsWritten(explicitCurve: Bool, pss: Bool) async throws {
        let signer = try await DCCFactory.opensslSigner(explicitCurve: explicitCurve, caSignsWithPSS: pss, in: temporaryDirectory())
        let trust = try DCCTrustList(pem: signer.pem)
        #expect(trust.signers.count == 1 && trust.skipped.isEmpty)
        #expect(trust.signers[0].subject.contains("DSC test"), "\(trust.signers[0].subject)")
        #expect((trust.signers[0].notValidAfterSeconds ?? 0) > 1_900_000_000)
        let declaration = try DeclarationParser(trust: trust, now: { Self.checkTime }).parse(try signer.certificate())
        #expect(declaration.certificate?.signature == .verified, "\(declaration.warnings)")
    }

    /// A broken trust file is named in a technician's words, never with a Swift debug dump.
    @Test func aBrokenTrustFileSaysWhatIsWrongInPlainWords() throws {
        let garbage = PEMDocument(type: "CERTIFICATE", derBytes: [0x30, 0x03, 0x02, 0x01]).pemString
        #expect(performing: { try DCCTrustList(pem: garbage) }, throws: { error in
            let text = "\(error)"
            return text.contains("certificate 1 cannot be read") && !text.contains("Error(") && !text.contains("AlgorithmIdentifier")
        })
        #expect(performing: { try DCCTrustList(pem: "hello") }, throws: { "\($0)".contains("no CERTIFICATE block") || "\($0)".contains("not PEM") })
    }

    /// A certificate can carry any character, even U+0000 (PostgreSQL then refused the province's whole batch) or an
    /// escape sequence a terminal obeys: none leaves the parser, and the signature is still judged on the bytes.
    @Test func controlCharactersNeverLeaveTheParser() throws {
        let signer = try DCCFactory.signer()
        let hcert: CBOR = .map([
            .init(.text("ver"), .text("1.3.0")),
            .init(.text("nam"), .map([.init(.text("fn"), .text("Nguy\u{0}ễn")), .init(.text("gn"), .text("An\u{1B}[2J\u{85}"))])),
            .init(.text("dob"), .text("1990-04-15")),
            .init(.text("v"), .array([.map([.init(.text("is"), .text("Bộ\u{0}Y tế")), .init(.text("ci\u{7}"), .text("URN:UVCI:1"))])])),
        ])
        let declaration = try Self.parser(trusting: [signer]).parse(try signer.certificate(hcert: hcert))
        #expect(declaration.name == "Nguyễn An[2J")
        #expect(declaration.certificate?.familyName == "Nguyễn")
        #expect(declaration.certificate?.vaccinations.first?["is"]?.string == "BộY tế")
        #expect(declaration.certificate?.vaccinations.first?["ci"]?.string == "URN:UVCI:1")
        #expect(declaration.certificate?.signature == .verified)
        #expect(declaration.warnings.contains("control characters in its text were removed"))
        let json = String(decoding: try JSONEncoder().encode(declaration), as: UTF8.self)
        #expect(!json.contains("\\u0000") && !json.contains("\\u001b") && !json.contains("\\u0007"), "\(json)")
    }

    @Test(arguments: [
        ("HC1:", "COSE message is broken"), ("HC1:6BF", "zlib stream is cut short"), ("HC1:NCFOXN%TS3DH", "zlib stream is cut short"),
        ("HC1:abc", "Base45"),
    ])
    func brokenCertificatesAreUnrecognizedWithTheReason(payload: String, reason: String) throws {
        let declaration = try DeclarationParser().parse(payload)
        #expect(declaration.kind == .unrecognized)
        #expect(declaration.warnings.contains { $0.contains("EU digital COVID certificate") && $0.contains(reason) }, "\(declaration.warnings)")
    }

    @Test func aTruncatedQRIsUnrecognizedNotACrash() throws {
        let signer = try DCCFactory.signer()
        let full = try signer.certificate()
        let parser = try Self.parser(trusting: [signer])
        for cut in stride(from: 5, to: full.count, by: 7) {
            let declaration = try parser.parse(String(full.prefix(cut)))
            #expect(declaration.kind == .unrecognized, "cut at \(cut)")
        }
    }

    @Test func cborDecodingRejectsBombsAndReadsEveryType() throws {
        // A map claiming 2^32 pairs, an array nested 100 deep, a text string that is not UTF-8.
        #expect(throws: CBORError.self) { try CBORDecoder.decode([0xBA, 0xFF, 0xFF, 0xFF, 0xFF]) }
        #expect(throws: CBORError.self) { try CBORDecoder.decode([UInt8](repeating: 0x81, count: 100) + [0x00]) }
        #expect(throws: CBORError.self) { try CBORDecoder.decode([0x62, 0xC3, 0x28]) }
        #expect(throws: CBORError.self) { try CBORDecoder.decode([0x01, 0x02]) }
        // Half float 1.5, indefinite text "ab" + "c", tag 1 on an integer, −500.
        #expect(try CBORDecoder.decode([0xF9, 0x3E, 0x00]) == .float(1.5))
        #expect(try CBORDecoder.decode([0x7F, 0x62, 0x61, 0x62, 0x61, 0x63, 0xFF]) == .text("abc"))
        #expect(try CBORDecoder.decode([0xC1, 0x1A, 0x61, 0x2E, 0x1C, 0x00]) == .tagged(1, .unsigned(0x612E_1C00)))
        #expect(try CBORDecoder.decode([0x39, 0x01, 0xF3]).int == -500)
        let round: CBOR = .map([.init(.int(-260), .array([.bytes([1, 2]), .text("ễ"), .bool(true), .null, .float(0.25)]))])
        #expect(try CBORDecoder.decode(CBOREncoder.encode(round)) == round)
    }

    @Test func base45FollowsRFC9285() throws {
        #expect(Base45.encode(Array("AB".utf8)) == "BB8")
        #expect(Base45.encode(Array("Hello!!".utf8)) == "%69 VD92EX0")
        #expect(try Base45.decode("QED8WEX0") == Array("ietf!".utf8))
        #expect(throws: Base45.Failure.self) { try Base45.decode("GGW") }  // 65536 + …: out of range
        #expect(throws: Base45.Failure.self) { try Base45.decode("A") }
    }
}
