import Crypto
import Foundation

/// The province's tracing key pair: X25519, in the PEM files `openssl genpkey -algorithm X25519` and
/// `openssl pkey -pubout` write (PKCS #8 and SubjectPublicKeyInfo). X25519 rather than P-256: the hub opens every
/// identity it receives, and an X25519 open costs half a P-256 one (57 against 120 µs here, `make bench`).
public enum TracingKey {
    public typealias PrivateKey = Curve25519.KeyAgreement.PrivateKey
    public typealias PublicKey = Curve25519.KeyAgreement.PublicKey

    /// DER before the 32 key bytes: SubjectPublicKeyInfo and PKCS #8 for id-X25519 (1.3.101.110), RFC 8410.
    static let publicPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x6E, 0x03, 0x21, 0x00]
    static let privatePrefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x6E, 0x04, 0x22, 0x04, 0x20]

    /// The key in a "PUBLIC KEY" PEM block, or nil when the text holds none or another kind of key.
    public static func publicKey(pem: String) -> PublicKey? {
        guard let der = block("PUBLIC KEY", in: pem), der.count == 44, Array(der.prefix(12)) == publicPrefix else { return nil }
        return try? PublicKey(rawRepresentation: der.suffix(32))
    }

    /// The key in a "PRIVATE KEY" PEM block, or nil when the text holds none or another kind of key.
    public static func privateKey(pem: String) -> PrivateKey? {
        guard let der = block("PRIVATE KEY", in: pem), der.count == 48, Array(der.prefix(16)) == privatePrefix else { return nil }
        return try? PrivateKey(rawRepresentation: der.suffix(32))
    }

    public static func pem(_ key: PublicKey) -> String { encode("PUBLIC KEY", publicPrefix + key.rawRepresentation) }
    public static func pem(_ key: PrivateKey) -> String { encode("PRIVATE KEY", privatePrefix + key.rawRepresentation) }

    static func block(_ label: String, in text: String) -> Data? {
        guard let begin = text.range(of: "-----BEGIN \(label)-----"), let end = text.range(of: "-----END \(label)-----"), begin.upperBound <= end.lowerBound
        else { return nil }
        let body = text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body))
    }

    static func encode(_ label: String, _ der: [UInt8]) -> String {
        "-----BEGIN \(label)-----\n" + Data(der).base64EncodedString(options: .lineLength64Characters) + "\n-----END \(label)-----\n"
    }
}
