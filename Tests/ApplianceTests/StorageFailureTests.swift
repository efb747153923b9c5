import Appliance
import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization
import Testing
import TestSupport

/// A full disk, as SQLite reports it (SQLITE_FULL, through the database size cap): the lane keeps screening and
/// says so, nothing is half-written, and the passages held meanwhile are written once there is room again.
@Suite struct StorageFailureTests {
    @Test(.timeLimit(.minutes(10))) func aFullDatabaseDegradesVisiblyAndCatchesUp() async throws {
        try await inRealTimeSlot {
            let state = temporaryDirectory()
            let text = EndToEndTests.config(travellers: 2000, speed: 25, state: state)
                .replacingOccurrences(of: "[checkpoint]\n", with: "[checkpoint]\nmax_database_mb = 0.25\n")
            let config = try ApplianceConfig.parse(text)
            #expect(config.maxDatabaseBytes == 262_144)
            var logger = Logger(label: "storage-failure")
            logger.logLevel = .critical
            let service = try CheckpointService(config: config, stateDirectory: state, logger: logger)
            let port = Mutex<Int?>(nil)
            let group = service.serviceGroup(onDisplayRunning: { p in port.withLock { $0 = p } }, signals: false)
            let running = Task { try await group.run() }
            _ = await waitUntil(seconds: 30) { port.withLock { $0 } != nil }
            let reader = try SSETestReader(port: try #require(port.withLock { $0 }))

            func storageStatuses() -> [String] {
                reader.objects.filter { $0["type"] as? String == "device" && $0["device"] as? String == "storage" }.compactMap { $0["status"] as? String }
            }
            #expect(await waitUntil(seconds: 90) { storageStatuses().contains("offline") }, "the database never filled up")
            let offlineAt = reader.objects.count
            // Screening goes on while storage is down: verdicts keep reaching the page.
            #expect(await waitUntil(seconds: 30) { reader.objects.dropFirst(offlineAt).contains { $0["type"] as? String == "measured" } })
            let stored = try await service.store.passageCount()

            // Make room the way the retention does (old lane events out), and the held passages are written.
            let other = try LaneStore(path: state + "/passages.sqlite")
            #expect(try await other.purgeEvents(before: Date().addingTimeInterval(3600)) > 0)
            #expect(await waitUntil(seconds: 30) { storageStatuses().last == "online" }, "statuses: \(storageStatuses())")
            #expect(try await service.store.passageCount() > stored)
            await group.triggerGracefulShutdown()
            try await running.value

            #expect(try await other.integrityCheck() == "ok")
            #expect(try await other.outboxCount() == other.passageCount(), "no passage without its outbox row: nothing half-written")
        }
    }
}
