import Declarations
import Foundation
import SwiftASN1
import Testing

/// The lane's EU-DCC reader against the EU's public test data (Tests/Fixtures/dgc-testdata): real issuers'
/// certificates, ES256 and PS256, signer certificates signed with ECDSA, RSA and RSASSA-PSS, partial dates of birth.
@Suite struct EUDCCPublicTestDataTests {
    struct Vector: Decodable {
        var file: String
        var prefix: String
        var certificate: String
        var clock: String?
        var dob: String?
        var dobInQR: String?
        var expected: [String: Bool]
    }

    static let vectors: [Vector] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/dgc-testdata/vectors.json")
        guard let data = try? Data(contentsOf: path) else { return [] }
        // The test data's EXPECTEDRESULTS are booleans; anything else in them (a misspelled key's value) is dropped.
        struct Loose: Decodable {
            var file: String, prefix: String, certificate: String, clock: String?, dob: String?
            var dob_in_qr: String?
            var expected: [String: JSONBool]
        }
        struct JSONBool: Decodable {
            var value: Bool?
            init(from decoder: any Decoder) throws { value = try? decoder.singleValueContainer().decode(Bool.self) }
        }
        let loose = (try? JSONDecoder().decode([Loose].self, from: data)) ?? []
        return loose.map { Vector(file: $0.file, prefix: $0.prefix, certificate: $0.certificate, clock: $0.clock, dob: $0.dob, dobInQR: $0.dob_in_qr, expected: $0.expected.compactMapValues(\.value)) }
    }()

    static func seconds(_ clock: String?) -> Int64? {
        guard let clock else { return nil }
        for strategy in [Date.ISO8601FormatStyle(includingFractionalSeconds: true), Date.ISO8601FormatStyle()] {
            if let date = try? Date(clock, strategy: strategy) { return Int64(date.timeIntervalSince1970) }
        }
        return nil
    }

    /// A vector whose own data contradicts its expectations: IE's "RAW" copy has a QR text that is not Base45 (groups
    /// above 65535) though it says Base45 decoding succeeds; the "Raw" copy of the same case is read and checked.
    static let brokenInTheTestData: Set<String> = ["IE/2DCode/RAW/1.json"]

    @Test func everyVectorIsReadAsTheTestDataExpects() throws {
        let vectors = Self.vectors
        try #require(vectors.count >= 40, "the fixture is missing")
        var readable = 0, verified = 0, datesChecked = 0, pss = 0
        for vector in vectors {
            guard let der = Data(base64Encoded: vector.certificate) else {
                Issue.record("\(vector.file): the certificate is not base64")
                continue
            }
            let pem = PEMDocument(type: "CERTIFICATE", derBytes: Array(der)).pemString
            let trust: DCCTrustList
            do { trust = try DCCTrustList(pem: pem) } catch {
                Issue.record("\(vector.file): its signer certificate cannot be read: \(error)")
                continue
            }
            readable += 1
            if der.range(of: Data([0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A])) != nil { pss += 1 }
            let now = Self.seconds(vector.clock)
            var parser = DeclarationParser(trust: trust)
            if let now { parser.now = { now } }
            let declaration = try parser.parse(vector.prefix)
            // A vector expects the QR to be read unless one of its decoding steps is expected to fail.
            let decodeSteps = ["EXPECTEDUNPREFIX", "EXPECTEDB45DECODE", "EXPECTEDCOMPRESSION", "EXPECTEDDECODE"]
            let decodes = decodeSteps.allSatisfy { vector.expected[$0] ?? true }
            let verifies = vector.expected["EXPECTEDVERIFY"] ?? true
            let signature = declaration.certificate?.signature
            if signature == .verified { verified += 1 }
            if vector.expected.isEmpty { continue }  // a vector that states no expectation
            if Self.brokenInTheTestData.contains(vector.file) { continue }
            if !decodes {
                #expect(declaration.kind == .unrecognized && !declaration.warnings.isEmpty, "\(vector.file): read though it should not be")
                continue
            }
            #expect(declaration.kind == .euDCC, "\(vector.file): \(declaration.warnings)")
            if verifies {
                #expect(declaration.fields["expires"] != nil, "\(vector.file): no expiry read")
                switch vector.expected["EXPECTEDEXPIRATIONCHECK"] {
                case true?: #expect(signature == .verified, "\(vector.file): \(declaration.warnings)")
                case false?: #expect(signature == .invalid && declaration.warnings.contains { $0.contains("expired") }, "\(vector.file)")
                case nil:  // expiry not part of the vector: the signature must hold, expired or not
                    let expiredOnly = signature == .invalid && declaration.warnings.allSatisfy { $0.contains("expired") }
                    #expect(signature == .verified || expiredOnly, "\(vector.file): \(declaration.warnings)")
                }
            } else {
                #expect(signature != .verified, "\(vector.file) verified against the test data's expectation")
            }
            if let qr = vector.dobInQR {
                #expect(declaration.dateOfBirth == (qr.isEmpty ? nil : String(qr.prefix(10))), "\(vector.file): date of birth")
                datesChecked += 1
            }
        }
        print("EU-DCC public test data: \(vectors.count) vectors, \(readable) signer certificates read (\(pss) signed with RSASSA-PSS), \(verified) verified, \(datesChecked) dates of birth checked")
    }
}
