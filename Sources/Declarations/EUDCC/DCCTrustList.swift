import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// The signer certificates (DSCs) a lane trusts for EU digital COVID certificates, read from PEM files the
/// province distributes. A certificate's key identifier (`kid`) is the first 8 bytes of the SHA-256 of its DER.
///
/// Only what verifying needs is read from each certificate: its key, subject and end of validity. How the
/// certificate itself was signed does not matter (the trust list is the trust): Germany's are signed with
/// RSASSA-PSS and some issuers write their EC key with explicit curve parameters, which a full X.509 parser
/// refused, so a trust file holding one of them could not be read at all.
public struct DCCTrustList: Sendable {
    public struct Signer: Sendable {
        public let kid: [UInt8]
        let key: SignerKey
        public let subject: String
        /// The end of the certificate's validity (seconds since 1970).
        public let notValidAfterSeconds: Int64?
    }

    enum SignerKey: Sendable {
        case p256(P256.Signing.PublicKey)
        case rsa(_RSA.Signing.PublicKey)
    }

    public let signers: [Signer]
    /// Certificates left out, with the reason (a key that is neither EC P-256 nor RSA cannot sign an EU-DCC).
    public let skipped: [String]

    public init() {
        signers = []
        skipped = []
    }

    /// Reads every certificate in the PEM text. Throws with the reason when a block is not a certificate.
    public init(pem: String) throws(DCCTrustListError) {
        var signers: [Signer] = []
        var skipped: [String] = []
        let documents: [PEMDocument]
        do { documents = try PEMDocument.parseMultiple(pemString: pem) } catch {
            throw DCCTrustListError(description: "it is not PEM text (-----BEGIN CERTIFICATE----- blocks)")
        }
        for (index, document) in documents.enumerated() where document.discriminator == "CERTIFICATE" {
            let parts: SignerCertificate
            do { parts = try SignerCertificate(der: document.derBytes) } catch {
                throw DCCTrustListError(description: "certificate \(index + 1) cannot be read: \(error.description)")
            }
            guard let key = parts.key else {
                skipped.append("certificate \(index + 1) (\(parts.subject)): its key is neither EC P-256 nor RSA")
                continue
            }
            let kid = Array(SHA256.hash(data: document.derBytes).prefix(8))
            signers.append(Signer(kid: kid, key: key, subject: parts.subject, notValidAfterSeconds: parts.notAfter))
        }
        guard !signers.isEmpty else {
            throw DCCTrustListError(description: skipped.first ?? "there is no CERTIFICATE block in it")
        }
        self.signers = signers
        self.skipped = skipped
    }

    public init(merging lists: [DCCTrustList]) {
        signers = lists.flatMap(\.signers)
        skipped = lists.flatMap(\.skipped)
    }

    /// Whether any trusted signer's key validates `signature` over `message` with `algorithm`, and which.
    func verify(message: [UInt8], signature: [UInt8], algorithm: COSEAlgorithm, kid: [UInt8]?) -> Verification {
        // The kid finds the signer quickly; it is a hint, not the proof (the signature is). Some issuers' kid is not
        // the hash of the certificate the province distributes (Greece's and Georgia's test certificates), so when
        // it names no trusted signer every trusted key is tried.
        let named = kid.map { k in signers.filter { $0.kid == k } } ?? []
        let candidates = named.isEmpty ? signers : named
        guard !candidates.isEmpty else { return .noKey }
        let digest = SHA256.hash(data: message)
        for signer in candidates {
            switch (algorithm, signer.key) {
            case (.es256, .p256(let key)):
                guard let sig = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { continue }
                if key.isValidSignature(sig, for: digest) { return .valid(signer) }
            case (.ps256, .rsa(let key)):
                if key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest, padding: .PSS) {
                    return .valid(signer)
                }
            default: continue
            }
        }
        return named.isEmpty && kid != nil ? .noKey : .badSignature
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


