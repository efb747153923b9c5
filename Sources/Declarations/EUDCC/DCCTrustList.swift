import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// The signer certificates (DSCs) a lane trusts for EU digital COVID certificates, read from PEM files the
/// province distributes. A certificate's key identifier (`kid`) is the first 8 bytes of the SHA-256 of its DER.
public struct DCCTrustList: Sendable {
    public struct Signer: Sendable {
        public let kid: [UInt8]
        public let certificate: Certificate
        public let subject: String
    }

    public let signers: [Signer]

    public init() { signers = [] }

    /// Reads every certificate in the PEM text. Throws with the reason when a block is not a certificate.
    public init(pem: String) throws(DCCTrustListError) {
        var signers: [Signer] = []
        let documents: [PEMDocument]
        do { documents = try PEMDocument.parseMultiple(pemString: pem) } catch {
            throw DCCTrustListError(description: "not PEM: \(error)")
        }
        for document in documents where document.discriminator == "CERTIFICATE" {
            do {
                let certificate = try Certificate(derEncoded: document.derBytes)
                let kid = Array(SHA256.hash(data: document.derBytes).prefix(8))
                signers.append(Signer(kid: kid, certificate: certificate, subject: "\(certificate.subject)"))
            } catch {
                throw DCCTrustListError(description: "a CERTIFICATE block cannot be read: \(error)")
            }
        }
        guard !signers.isEmpty else { throw DCCTrustListError(description: "no CERTIFICATE block in it") }
        self.signers = signers
    }

    public init(merging lists: [DCCTrustList]) { signers = lists.flatMap(\.signers) }

    /// Whether any trusted signer's key validates `signature` over `message` with `algorithm`, and which.
    func verify(message: [UInt8], signature: [UInt8], algorithm: COSEAlgorithm, kid: [UInt8]?) -> Verification {
        let candidates = kid.map { k in signers.filter { $0.kid == k } } ?? signers
        guard !candidates.isEmpty else { return .noKey }
        let digest = SHA256.hash(data: message)
        for signer in candidates {
            switch algorithm {
            case .es256:
                guard let key = P256.Signing.PublicKey(signer.certificate.publicKey),
                    let sig = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
                else { continue }
                if key.isValidSignature(sig, for: digest) { return .valid(signer) }
            case .ps256:
                guard let key = _RSA.Signing.PublicKey(signer.certificate.publicKey) else { continue }
                if key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest, padding: .PSS) {
                    return .valid(signer)
                }
            }
        }
        return .badSignature
    }

    enum Verification {
        case valid(Signer)
        case noKey
        case badSignature
    }
}

public struct DCCTrustListError: Error, CustomStringConvertible {
    public let description: String
}

/// The COSE signature algorithms the EU DCC allows.
enum COSEAlgorithm: Int {
    case es256 = -7
    case ps256 = -37
}

extension Certificate {
    var notValidAfterSeconds: Int64? { Int64(exactly: notValidAfter.timeIntervalSince1970.rounded(.down)) }
}
