import Crypto
import Foundation

/// The per-installation secret that identity numbers are hashed with (HMAC-SHA256), so the database can tell
/// that two passages are the same person without holding anyone's number. Created at first start next to the
/// database, readable by the service's user only (mode 0600). Losing it only stops old and new hashes matching.
public struct IdentityKey: Sendable {
    let key: SymmetricKey
    public static let fileName = "identity.key"

    /// Reads the secret in `directory`, creating it when it does not exist yet.
    public static func load(directory: String) throws -> IdentityKey {
        let path = directory + "/" + fileName
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count == 32 else { throw StoreError("\(path) is \(data.count) bytes, not 32: restore it from backup or remove it to start a new one") }
            let mode = (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0
            if mode & 0o077 != 0 { chmod(path, 0o600) }  // tighten a copy restored with loose permissions
            return IdentityKey(key: SymmetricKey(data: data))
        }
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        // Created with 0600 from the start (no window where another user could read it), then made durable.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw StoreError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == 32, fsync(fd) == 0 else { throw StoreError("cannot write \(path): \(String(cString: strerror(errno)))") }
        return IdentityKey(key: key)
    }

    /// A key that lives as long as the process (in-memory stores, tests).
    public static func ephemeral() -> IdentityKey { IdentityKey(key: SymmetricKey(size: .bits256)) }

    /// Hex HMAC-SHA256 of the identity number, ignoring spaces and case (a card read twice gives one hash).
    public func hash(_ identity: String) -> String {
        let normalized = identity.filter { !$0.isWhitespace }.uppercased()
        return HMAC<SHA256>.authenticationCode(for: Data(normalized.utf8), using: key).map { String(format: "%02x", $0) }.joined()
    }
}

public struct StoreError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
