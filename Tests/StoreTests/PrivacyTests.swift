import Foundation
import GRDB
import Store
import Testing

/// What the database keeps about a person, and for how long.
@Suite struct PrivacyTests {
    static func directory() -> String {
        let dir = NSTemporaryDirectory() + "privacy-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Outside systemd (a technician's shell, a test, a container) the umask made the state directory 0755 and the
    /// database 0644: full QR payloads readable by every user of the box for 14 days.
    @Test func theDatabaseAndItsDirectoryAreTheServicesAloneHoweverItWasStarted() async throws {
        let dir = Self.directory()
        chmod(dir, 0o755)
        let old = umask(0o022)
        defer { umask(old) }
        let store = try LaneStore(path: dir + "/passages.sqlite")
        _ = try await store.passageCount()
        func mode(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1) & 0o777 }
        #expect(mode(dir) == 0o700)
        for file in ["passages.sqlite", "passages.sqlite-wal", "passages.sqlite-shm"] {
            #expect(mode(dir + "/" + file) == 0o600, "\(file) is \(String(mode(dir + "/" + file), radix: 8))")
        }
        // A database copied in with loose permissions is tightened when opened.
        chmod(dir + "/passages.sqlite", 0o644)
        _ = try LaneStore(path: dir + "/passages.sqlite")
        #expect(mode(dir + "/passages.sqlite") == 0o600)
    }

    /// Every text value in every row of every table, for looking for a full identity number.
    static func allText(_ path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            var texts: [String] = []
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                    for value in row.databaseValues { if let s = String.fromDatabaseValue(value) { texts.append(s) } }
                }
            }
            return texts
        }
    }

    @Test func theInstallationKeyIsCreatedOncePrivateAndHashesIdentities() async throws {
        let dir = Self.directory()
        let first = try LaneStore(path: dir + "/passages.sqlite")
        let keyPath = dir + "/" + IdentityKey.fileName
        let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect((attributes[.size] as? Int) == 32)
        _ = try await first.commit(LaneStoreTests.step(), at: Date())
        let reopened = try LaneStore(path: dir + "/passages.sqlite")
        _ = try await reopened.commit(LaneStoreTests.step(), at: Date())
        let rows = try await reopened.passages()
        #expect(rows.count == 2)
        #expect(rows[0].idHash == rows[1].idHash, "the same card gives the same hash across restarts")
        #expect(rows[0].idHash == reopened.identityKey.hash("079190012345"))
        #expect(rows[0].idHash?.count == 64)
        #expect(IdentityKey.ephemeral().hash("079190012345") != rows[0].idHash, "another installation's key gives another hash")

        // A damaged key is refused with a clear message rather than silently replaced.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: keyPath))
        #expect { try LaneStore(path: dir + "/passages.sqlite") } throws: { "\($0)".contains("not 32") }
    }

    @Test func afterThePurgeNoFullIdentityNumberIsLeftAnywhere() async throws {
        let dir = Self.directory()
        let path = dir + "/passages.sqlite"
        let store = try LaneStore(path: path)
        let old = Date().addingTimeInterval(-20 * 86400), recent = Date().addingTimeInterval(-86400)
        _ = try await store.commit(LaneStoreTests.step(), at: old)
        _ = try await store.commit(LaneStoreTests.step(), at: recent)
        #expect(try Self.allText(path).contains { $0.contains("079190012345") }, "the payload is kept during retention")

        #expect(try await store.purgePayloads(before: Date().addingTimeInterval(-14 * 86400)) == 1)
        let kept = try await store.payloadsKept()
        #expect(kept.count == 1)
        #expect(try await store.purgePayloads(before: Date()) == 1)
        #expect(try await store.passageCount() == 2, "the passages themselves stay")
        let texts = try Self.allText(path)
        #expect(!texts.contains { $0.contains("079190012345") || $0.contains("Nguyễn Văn An") })
        #expect(texts.contains("2345"), "the last 4 characters stay")
    }
}
