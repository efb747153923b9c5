import Declarations
import Foundation
import GRDB
import Lane
import Screening

/// The lane's durable record in SQLite (through GRDB, on the system libsqlite3).
///
/// One owner of the database file. A step of the lane (its passages, their outbox rows for the provincial uplink,
/// and the lane events) is written in one transaction, and the lane publishes nothing before that transaction
/// has committed. `synchronous=FULL` makes every commit durable against power loss in WAL mode.
public final class LaneStore: Sendable {
    let writer: any DatabaseWriter
    /// Hashes identity numbers (see `IdentityKey`).
    public let identityKey: IdentityKey

    /// Opens (creating if needed) the database at `path`, in WAL mode with full synchronous commits, with the
    /// installation's identity key from the same directory. `maxBytes` caps the database's size (SQLite's
    /// max_page_count): a full database fails its commits cleanly instead of filling the system disk.
    public init(path: String, maxBytes: Int? = nil) throws {
        // One process at a time creates the identity key and migrates (see `withSetupLock`).
        let lock = try Self.setupLock(path: path)
        defer { Self.release(lock) }
        Self.keepPrivate(path)
        identityKey = try IdentityKey.load(directory: (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
        var configuration = Configuration()
        // checkpointctl (calibration, purge) writes while the service runs: wait for the other's lock.
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // A purged payload is overwritten on disk, not just unlinked from its row, or the QR text (an ID number,
            // a name) stays readable in the file's free space after its retention. Debian's SQLite does this by
            // default; SQLite's own default does not, so it is said here.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            if let maxBytes {
                let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                try db.execute(sql: "PRAGMA max_page_count = \(max(16, maxBytes / pageSize))")
            }
        }
        writer = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(writer)
    }

    /// The database holds full QR payloads for days: only the service's user may read it, however the service was
    /// started (outside systemd the umask gave 0755 and 0644). The database file is made 0600 before SQLite opens
    /// it (its -wal and -shm files take the database's mode), and its directory 0700 when this user owns it.
    static func keepPrivate(_ path: String) {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let files = FileManager.default
        func tighten(_ file: String, to mode: Int) {
            guard let attributes = try? files.attributesOfItem(atPath: file),
                (attributes[.ownerAccountID] as? NSNumber)?.uint32Value == geteuid(),
                let current = (attributes[.posixPermissions] as? NSNumber)?.intValue, current & 0o077 != 0
            else { return }
            try? files.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
        }
        tighten(directory, to: 0o700)
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)  // an empty file is an empty SQLite database
        if fd >= 0 { close(fd) }
        for file in [path, path + "-wal", path + "-shm", path + ".setup-lock"] { tighten(file, to: 0o600) }
    }

    /// Opening a new database is done one process at a time. The service, `checkpointctl` and tests may open it at
    /// the same moment: each would read the list of applied migrations before the other committed and apply the
    /// same step twice ("duplicate column name", "already exists"), or read the identity key while another was
    /// still writing it (0 bytes). An exclusive lock on a file beside the database, held from creating the key to
    /// the end of the migration, makes the second wait and then find everything done.
    static func setupLock(path: String) throws -> Int32 {
        let lockPath = path + ".setup-lock"
        let lock = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw SetupLockError(message: "cannot create \(lockPath): \(String(cString: strerror(errno)))") }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(lock)
                throw SetupLockError(message: "cannot lock \(lockPath): \(reason)")
            }
        }
        return lock
    }

    struct SetupLockError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    static func release(_ lock: Int32) {
        flock(lock, LOCK_UN)
        close(lock)
    }

    /// An in-memory database for tests.
    public init(inMemory: Void = ()) throws {
        identityKey = .ephemeral()
        writer = try DatabaseQueue()
        try Self.migrator.migrate(writer)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-passages-events-outbox") { db in
            try db.create(table: "passage") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("lane", .text).notNull()
                t.column("outcome", .text).notNull()
                t.column("recorded_at", .text).notNull()
                t.column("opened_t", .double).notNull()
                t.column("closed_t", .double).notNull()
                t.column("verdict", .text)
                t.column("temperature_c", .double)
                t.column("skin_c", .double)
                t.column("uncertainty_c", .double)
                t.column("threshold_c", .double)
                t.column("referenced", .boolean)
                t.column("site_x", .integer)
                t.column("site_y", .integer)
                t.column("face_width_px", .integer)
                t.column("declaration_kind", .text)
                t.column("id_last4", .text)
                t.column("masked_name", .text)
                t.column("birth_year", .text)
                t.column("payload", .text)
                t.column("symbology", .text)
                t.column("scanner", .text)
                t.column("notes", .text).notNull().defaults(to: "")
            }
            try db.create(index: "passage_recorded_at", on: "passage", columns: ["recorded_at"])
            try db.create(table: "lane_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("lane", .text).notNull()
                t.column("recorded_at", .text).notNull()
                t.column("type", .text).notNull()
                t.column("json", .text).notNull()
            }
            try db.create(table: "outbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("passage", onDelete: .cascade).notNull().unique()
                t.column("created_at", .text).notNull()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("last_error", .text)
            }
        }
        migrator.registerMigration("v2-calibration") { db in
            try db.create(table: "calibration") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("lane", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("recorded_at", .text).notNull()
                t.column("technician", .text).notNull()
                t.column("summary", .text).notNull()
                t.column("json", .text).notNull()
            }
            try db.create(index: "calibration_lane_kind", on: "calibration", columns: ["lane", "kind", "id"])
        }
        migrator.registerMigration("v3-identity-hash") { db in
            try db.alter(table: "passage") { t in t.add(column: "id_hash", .text) }
            try db.create(index: "passage_id_hash", on: "passage", columns: ["id_hash"])
        }
        // Every reading and every scan on its own, whether or not it became part of a passage: how many people
        // were measured but never scanned (and the other way round) is a number officials ask for.
        migrator.registerMigration("v4-readings-scans") { db in
            try db.create(table: "reading") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("lane", .text).notNull()
                t.column("recorded_at", .text).notNull()
                t.column("t", .double).notNull()
                t.column("verdict", .text).notNull()
                t.column("temperature_c", .double).notNull()
                t.column("skin_c", .double)
                t.column("uncertainty_c", .double)
                t.column("threshold_c", .double)
                t.column("referenced", .boolean)
            }
            try db.create(table: "scan") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("lane", .text).notNull()
                t.column("recorded_at", .text).notNull()
                t.column("t", .double).notNull()
                t.column("declaration_kind", .text)
                t.column("masked_id", .text)
                t.column("device", .text)
                t.column("rejected", .boolean).notNull().defaults(to: false)
            }
            try db.create(index: "reading_recorded_at", on: "reading", columns: ["recorded_at"])
            try db.create(index: "scan_recorded_at", on: "scan", columns: ["recorded_at"])
        }
        migrator.registerMigration("v5-secondary-check") { db in
            // The clinical reading taken at the secondary check of an elevated passage, one per passage.
            try db.create(table: "secondary_check") { t in
                t.primaryKey("passage_id", .integer).references("passage", onDelete: .cascade)
                t.column("checked_at", .text).notNull()
                t.column("clinical_c", .double).notNull()
                t.column("staff", .text).notNull()
            }
            try db.create(index: "passage_verdict_recorded_at", on: "passage", columns: ["verdict", "recorded_at"])
        }
        migrator.registerMigration("v6-uplink", migrate: Self.createUplinkState)
        // When the hub acknowledged each passage, and which province key its identity was sealed to (NULL: sent
        // without one). The technician sees whether an identity left the lane, never what it was.
        migrator.registerMigration("v7-uplink-sent") { db in
            try db.alter(table: "passage") { t in
                t.add(column: "uplink_sent_at", .text)
                t.add(column: "identity_sealed_to", .text)
            }
        }
        return migrator
    }

    /// Writes one lane step durably. Returns the step's events with the passages' row ids filled in, ready to
    /// publish. Steps with nothing worth keeping (no passage and only transient events) still record their events.
    public func commit(_ step: LaneCore.Step, at wallTime: Date) async throws -> [LaneEvent] {
        let stamp = Self.timestamp(wallTime)
        return try await writer.write { db in
            var events = step.events.map { event -> LaneEvent in
                var e = event
                e.at = stamp
                return e
            }
            var passageIDs: [Int64] = []
            for passage in step.passages {
                var row = PassageRow(passage, recordedAt: stamp, identityKey: identityKey)
                try row.insert(db)
                let id = row.id!
                passageIDs.append(id)
                try db.execute(sql: "INSERT INTO outbox (passageId, created_at) VALUES (?, ?)", arguments: [id, stamp])
            }
            // Pair each passage event with its row id, in order.
            var next = passageIDs.makeIterator()
            for i in events.indices where events[i].type == .passage { events[i].passageID = next.next() }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for event in events {
                switch event.type {
                case .measured:
                    try db.execute(
                        sql: "INSERT INTO reading (lane, recorded_at, t, verdict, temperature_c, skin_c, uncertainty_c, threshold_c, referenced) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        arguments: [event.lane, stamp, event.t, event.verdict?.rawValue ?? "", event.temperatureC ?? 0, event.skinC, event.uncertaintyC, event.thresholdC, event.referenced])
                case .scanned, .scanRejected:
                    try db.execute(
                        sql: "INSERT INTO scan (lane, recorded_at, t, declaration_kind, masked_id, device, rejected) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        arguments: [event.lane, stamp, event.t, event.declarationKind?.rawValue, event.maskedID, event.device, event.type == .scanRejected])
                default: break
                }
                let json = String(decoding: try encoder.encode(event), as: UTF8.self)
                try db.execute(
                    sql: "INSERT INTO lane_event (lane, recorded_at, type, json) VALUES (?, ?, ?, ?)",
                    arguments: [event.lane, stamp, event.type.rawValue, json])
            }
            return events
        }
    }

    /// The newest passages first; only `lane`'s when given, only those recorded at or after `since` when given.
    public func passages(lane: String? = nil, since: Date? = nil, limit: Int = 100) async throws -> [PassageRow] {
        let stamp = since.map(Self.timestamp)
        return try await writer.read { db in
            var request = PassageRow.order(Column("id").desc)
            if let lane { request = request.filter(Column("lane") == lane) }
            if let stamp { request = request.filter(Column("recorded_at") >= stamp) }
            return try request.limit(limit).fetchAll(db)
        }
    }

    public func passageCount() async throws -> Int {
        try await writer.read { db in try PassageRow.fetchCount(db) }
    }

    /// Readings and scans recorded (each on its own, whether or not it became part of a passage).
    public func readingAndScanCounts() async throws -> (readings: Int, scans: Int) {
        try await writer.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reading") ?? 0, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM scan") ?? 0)
        }
    }

    public func outboxCount() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
    }

    /// Copies the write-ahead log into the database file and empties it (old page images, purged text among
    /// them, leave the -wal file).
    public func checkpoint() async throws {
        try await writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    public func integrityCheck() async throws -> String {
        try await writer.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
