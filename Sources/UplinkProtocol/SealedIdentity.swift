import Crypto
import Foundation

/// A traveller's identity number sealed to the province's tracing key, sent with a passage (`identity` on the wire).
///
/// HPKE (RFC 9180) in base mode: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, a fresh ephemeral key per
/// passage, so the same number sealed twice gives unrelated bytes and nothing links two passages without the hub's
/// private key. The passage's key is the authenticated data: a sealed identity moved to another passage does not
/// open. The lane holds only the public key: a stolen box, its database or its uplink traffic cannot tell whether a
/// given number passed. The hub opens it on ingest, keeps a keyed pseudonym and drops the number.
public struct SealedIdentity: Codable, Sendable, Equatable {
    /// Which province key it is sealed to (`keyID(_:)`), so a hub with a new key knows an old one when it sees it.
    public var keyID: String
    /// HPKE's encapsulated key, base64.
    public var encapsulatedKey: String
    /// The sealed number, base64.
    public var ciphertext: String

    enum CodingKeys: String, CodingKey {
        case keyID = "kid", encapsulatedKey = "enc", ciphertext = "ct"
    }

    static let suite = HPKE.Ciphersuite(kem: .Curve25519_HKDF_SHA256, kdf: .HKDF_SHA256, aead: .AES_GCM_256)
    static let info = Data("checkpoint-lane identity v2".utf8)

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The number as the province compares it: letters upper-cased, spaces, dots and dashes removed.
    public static func normalise(_ number: String) -> String {
        String(number.uppercased().unicodeScalars.filter { !" .-\t".unicodeScalars.contains($0) }.map(Character.init))
    }

    /// The first 8 bytes of the SHA-256 of the key's 32 bytes, hex.
    public static func keyID(_ key: TracingKey.PublicKey) -> String {
        SHA256.hash(data: key.rawRepresentation).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Seals the normalised `number` for the passage whose key is `passageKey`.
    public static func seal(_ number: String, passageKey: String, to key: TracingKey.PublicKey) throws -> SealedIdentity {
        var sender = try HPKE.Sender(recipientKey: key, ciphersuite: suite, info: info)
        let ciphertext = try sender.seal(Data(normalise(number).utf8), authenticating: Data(passageKey.utf8))
        return SealedIdentity(
            keyID: keyID(key), encapsulatedKey: sender.encapsulatedKey.base64EncodedString(), ciphertext: ciphertext.base64EncodedString())
    }

    /// The number, opened with the province's private key; throws when it was sealed to another key, for another
    /// passage, or altered.
    public func open(passageKey: String, with key: TracingKey.PrivateKey) throws(Failure) -> String {
        guard keyID == Self.keyID(key.publicKey) else { throw Failure(description: "sealed to key \(keyID), not this hub's") }
        return try open(passageKey: passageKey, withKeyNamedByID: key)
    }

    /// `open(passageKey:with:)` for a key already chosen by this identity's `kid` (the hub's ingest, which looks
    /// the key up by it): the key's ID is not derived again for every passage. A wrong key still fails to open.
    public func open(passageKey: String, withKeyNamedByID key: TracingKey.PrivateKey) throws(Failure) -> String {
        guard let enc = Data(base64Encoded: encapsulatedKey), let sealed = Data(base64Encoded: ciphertext) else {
            throw Failure(description: "enc or ct is not base64")
        }
        do {
            var recipient = try HPKE.Recipient(privateKey: key, ciphersuite: Self.suite, info: Self.info, encapsulatedKey: enc)
            let number = try recipient.open(sealed, authenticating: Data(passageKey.utf8))
            return String(decoding: number, as: UTF8.self)
        } catch {
            throw Failure(description: "it does not open (altered, or sealed for another passage)")
        }
    }
}
