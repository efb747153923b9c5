import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// The parts of an X.509 certificate (RFC 5280) a DCC signer is trusted by: subject, end of validity and public
/// key, read straight from the DER. The certificate's own signature algorithm is not looked at, and an EC key may
/// name its curve or spell out its parameters (then they must be P-256's).
struct SignerCertificate {
    let subject: String
    let notAfter: Int64?
    /// nil: a key of another kind (it cannot sign an EU-DCC).
    let key: DCCTrustList.SignerKey?

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    init(der: [UInt8]) throws(Failure) {
        let tbs: [ASN1Node]
        do {
            let root = try DER.parse(der)
            guard case .constructed(let parts) = root.content, let first = Array(parts).first, case .constructed(let fields) = first.content else {
                throw Failure("it is not an X.509 certificate (no TBSCertificate sequence)")
            }
            tbs = Array(fields)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("it is not DER-encoded ASN.1")
        }
        // [0] version is optional; then serial, signature algorithm, issuer, validity, subject, subjectPublicKeyInfo.
        let rest = tbs.first?.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) ? Array(tbs.dropFirst()) : tbs
        guard rest.count >= 6 else { throw Failure("its TBSCertificate has \(rest.count) fields, fewer than the 6 every certificate has") }
        let validity = rest[3], subject = rest[4], spki = rest[5]
        self.subject = (try? DistinguishedName(derEncoded: subject.encodedBytes)).map { "\($0)" } ?? "a subject that cannot be read"
        if case .constructed(let times) = validity.content, let end = Array(times).last {
            notAfter = Self.seconds(end)
        } else {
            notAfter = nil
        }
        key = Self.key(spki)
    }

    /// UTCTime or GeneralizedTime as seconds since 1970.
    static func seconds(_ node: ASN1Node) -> Int64? {
        var c = DateComponents()
        if let t = try? UTCTime(derEncoded: node) {
            (c.year, c.month, c.day, c.hour, c.minute, c.second) = (t.year, t.month, t.day, t.hours, t.minutes, t.seconds)
        } else if let t = try? GeneralizedTime(derEncoded: node) {
            (c.year, c.month, c.day, c.hour, c.minute, c.second) = (t.year, t.month, t.day, t.hours, t.minutes, t.seconds)
        } else {
            return nil
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: c).map { Int64($0.timeIntervalSince1970.rounded(.down)) }
    }

    static func key(_ spki: ASN1Node) -> DCCTrustList.SignerKey? {
        let der = Array(spki.encodedBytes)
        if let key = try? P256.Signing.PublicKey(derRepresentation: der) { return .p256(key) }
        if let key = try? _RSA.Signing.PublicKey(derRepresentation: der) { return .rsa(key) }
        return explicitP256(spki).map { .p256($0) }
    }

    static let ecPublicKey = try! ASN1ObjectIdentifier(elements: [1, 2, 840, 10045, 2, 1])
    /// P-256's field prime and group order (SEC 2, secp256r1).
    static let p256Prime: [UInt8] = hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")
    static let p256Order: [UInt8] = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")

    /// An EC key with explicit parameters (ECParameters, RFC 3279 §2.3.5) that are P-256's, as an X9.63 point.
    static func explicitP256(_ spki: ASN1Node) -> P256.Signing.PublicKey? {
        guard case .constructed(let parts) = spki.content else { return nil }
        let nodes = Array(parts)
        guard nodes.count == 2, case .constructed(let algorithm) = nodes[0].content else { return nil }
        let alg = Array(algorithm)
        guard alg.count == 2, (try? ASN1ObjectIdentifier(derEncoded: alg[0])) == ecPublicKey,
            case .constructed(let parameters) = alg[1].content
        else { return nil }
        let p = Array(parameters)  // version, fieldID, curve, base, order, cofactor?
        guard p.count >= 5, case .constructed(let field) = p[1].content, Array(field).count == 2,
            let prime = integer(Array(field)[1]), prime == p256Prime, let order = integer(p[4]), order == p256Order,
            case .primitive(let bits) = nodes[1].content, bits.first == 0
        else { return nil }
        return try? P256.Signing.PublicKey(x963Representation: bits.dropFirst())
    }

    /// An INTEGER's magnitude without leading zero bytes.
    static func integer(_ node: ASN1Node) -> [UInt8]? {
        guard node.identifier == .integer, case .primitive(let bytes) = node.content else { return nil }
        return Array(bytes.drop { $0 == 0 })
    }

    static func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(text.utf8)[...]
        while chars.count >= 2 {
            out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!)
            chars = chars.dropFirst(2)
        }
        return out
    }
}
