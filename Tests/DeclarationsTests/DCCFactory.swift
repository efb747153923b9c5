import Crypto
import Declarations
import Foundation
import SwiftASN1
import TestSupport
import X509
import Zlib
import _CryptoExtras

/// Builds EU digital COVID certificates the way a member state's signer does, with keys made in the test: the
/// parser is checked against certificates whose every byte we know.
struct DCCFactory {
    enum Key {
        case p256(P256.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)
    }

    let key: Key
    let certificateDER: [UInt8]
    var pem: String { PEMDocument(type: "CERTIFICATE", derBytes: certificateDER).pemString }
    var kid: [UInt8] { Array(SHA256.hash(data: certificateDER).prefix(8)) }

    static func signer(rsa: Bool = false, notAfter: Date = Date(timeIntervalSince1970: 2_000_000_000)) throws -> DCCFactory {
        let key: Key = rsa ? .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048)) : .p256(P256.Signing.PrivateKey())
        let certificateKey: Certificate.PrivateKey
        switch key {
        case .p256(let k): certificateKey = Certificate.PrivateKey(k)
        case .rsa(let k): certificateKey = Certificate.PrivateKey(k)
        }
        let name = try DistinguishedName {
            CountryName("VN")
            CommonName("DSC test \(rsa ? "PS256" : "ES256")")
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: certificateKey.publicKey,
            notValidBefore: Date(timeIntervalSince1970: 1_600_000_000), notValidAfter: notAfter, issuer: name, subject: name,
            signatureAlgorithm: rsa ? .sha256WithRSAEncryption : .ecdsaWithSHA256, extensions: Certificate.Extensions(),
            issuerPrivateKey: certificateKey)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return DCCFactory(key: key, certificateDER: serializer.serializedBytes)
    }

    static let holder: CBOR = .map([
        .init(.text("ver"), .text("1.3.0")),
        .init(.text("nam"), .map([
            .init(.text("fn"), .text("Nguyễn")), .init(.text("gn"), .text("Thị Ánh Tuyết")),
            .init(.text("fnt"), .text("NGUYEN")), .init(.text("gnt"), .text("THI<ANH<TUYET")),
        ])),
        .init(.text("dob"), .text("1990-04-15")),
        .init(.text("v"), .array([.map([
            .init(.text("tg"), .text("840539006")), .init(.text("vp"), .text("1119349007")),
            .init(.text("mp"), .text("EU/1/20/1528")), .init(.text("ma"), .text("ORG-100030215")),
            .init(.text("dn"), .int(2)), .init(.text("sd"), .int(2)), .init(.text("dt"), .text("2021-09-01")),
            .init(.text("co"), .text("VN")), .init(.text("is"), .text("Bộ Y tế")), .init(.text("ci"), .text("URN:UVCI:01:VN:7A2B9C4D")),
        ])])),
    ])

    /// A signer whose certificate openssl made around a key made here: `explicitCurve` writes the EC key with its
    /// curve parameters spelled out; `caSignsWithPSS` has the certificate signed by a CA's RSA key with RSASSA-PSS
    /// (as Germany's are). swift-certificates cannot read either.
    static func opensslSigner(explicitCurve: Bool, caSignsWithPSS: Bool, in dir: String) async throws -> DCCFactory {
        let key = P256.Signing.PrivateKey()
        try key.pemRepresentation.write(toFile: dir + "/dsc.key", atomically: true, encoding: .utf8)
        var keyFile = dir + "/dsc.key"
        func openssl(_ arguments: [String]) async throws {
            let run = try await runTool("/usr/bin/openssl", arguments)
            guard run.status == 0 else { throw DCCFactoryError("openssl \(arguments.first ?? ""): \(run.stderr)") }
        }
        if explicitCurve {
            try await openssl(["ec", "-in", keyFile, "-param_enc", "explicit", "-out", dir + "/dsc-explicit.key"])
            keyFile = dir + "/dsc-explicit.key"
        }
        if caSignsWithPSS {
            try await openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/ca.key", "-out", dir + "/ca.pem", "-subj", "/C=VN/CN=CSCA test", "-days", "3650"])
            try await openssl(["req", "-new", "-key", keyFile, "-out", dir + "/dsc.csr", "-subj", "/C=VN/CN=DSC test PSS-signed"])
            try await openssl([
                "x509", "-req", "-in", dir + "/dsc.csr", "-CA", dir + "/ca.pem", "-CAkey", dir + "/ca.key", "-CAcreateserial", "-out", dir + "/dsc.pem",
                "-days", "3650", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
            ])
        } else {
            try await openssl(["req", "-x509", "-new", "-key", keyFile, "-out", dir + "/dsc.pem", "-subj", "/C=VN/CN=DSC test explicit", "-days", "3650"])
        }
        let pem = try String(contentsOfFile: dir + "/dsc.pem", encoding: .utf8)
        return DCCFactory(key: .p256(key), certificateDER: try PEMDocument(pemString: pem).derBytes)
    }

    enum Expiry {
        case integer(Int), float(Double), missing
    }

    /// `tamper` changes one byte of the signed payload after signing (the first "N": the issuing country VN → VM).
    /// `algInUnprotectedHeader` puts the algorithm where it is not signed (and nowhere else).
    func certificate(
        hcert: CBOR = holder, expires: Int = 1_900_000_000, expiry: Expiry? = nil, tamper: Bool = false, withKid: Bool = true,
        algInUnprotectedHeader: Bool = false
    ) throws -> String {
        var claimPairs: [CBOR.Pair] = [.init(.int(1), .text("VN"))]
        switch expiry ?? .integer(expires) {
        case .integer(let seconds): claimPairs.append(.init(.int(4), .int(seconds)))
        case .float(let seconds): claimPairs.append(.init(.int(4), .float(seconds)))
        case .missing: break
        }
        claimPairs += [.init(.int(6), .int(1_630_000_000)), .init(.int(-260), .map([.init(.int(1), hcert)]))]
        let claims: CBOR = .map(claimPairs)
        var payload = CBOREncoder.encode(claims)
        let alg: Int
        switch key {
        case .p256: alg = -7
        case .rsa: alg = -37
        }
        var header: [CBOR.Pair] = algInUnprotectedHeader ? [] : [.init(.int(1), .int(alg))]
        if withKid { header.append(.init(.int(4), .bytes(kid))) }
        let unprotected: CBOR = .map(algInUnprotectedHeader ? [.init(.int(1), .int(alg))] : [])
        let protected = CBOREncoder.encode(.map(header))
        let toSign = CBOREncoder.encode(.array([.text("Signature1"), .bytes(protected), .bytes([]), .bytes(payload)]))
        let digest = SHA256.hash(data: toSign)
        let signature: [UInt8]
        switch key {
        case .p256(let k): signature = Array(try k.signature(for: digest).rawRepresentation)
        case .rsa(let k): signature = Array(try k.signature(for: digest, padding: .PSS).rawRepresentation)
        }
        if tamper, let i = payload.firstIndex(of: UInt8(ascii: "N")) { payload[i] = UInt8(ascii: "M") }
        let cose = CBOREncoder.encode(.tagged(18, .array([.bytes(protected), unprotected, .bytes(payload), .bytes(signature)])))
        return "HC1:" + Base45.encode(try Gzip.zlib(cose))
    }
}

struct DCCFactoryError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
