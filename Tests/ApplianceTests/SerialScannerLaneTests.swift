import Appliance
import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization
import Testing
import TestSupport

/// The composition root with a real serial scanner (a pseudo-terminal) next to the simulated camera: what the
/// scanner types becomes a stored passage; garbage becomes a "scan again" prompt on the page, and nothing breaks.
@Suite struct SerialScannerLaneTests {
    @Test(.timeLimit(.minutes(2))) func aTypedDeclarationBecomesAPassage() async throws {
        let state = temporaryDirectory()
        let pty = try PseudoTerminal()
        defer { pty.unplug() }
        let config = try ApplianceConfig.parse(
            """
            [checkpoint]
            state_directory = "\(state)"
            [display]
            port = 0
            [[lane]]
            id = "lane-1"
            [lane.camera]
            source = "simulated"
            travellers = 4
            fever_share = 0
            seed = 9
            speed = 4
            [lane.scanner]
            source = "serial"
            device = "\(pty.slavePath)"
            """)
        var logger = Logger(label: "serial-lane")
        logger.logLevel = .warning
        let service = try CheckpointService(config: config, stateDirectory: state, logger: logger)
        let port = Mutex<Int?>(nil)
        let group = service.serviceGroup(onDisplayRunning: { p in port.withLock { $0 = p } }, signals: false)
        let running = Task { try await group.run() }
        _ = await waitUntil(seconds: 60) { port.withLock { $0 } != nil }
        let reader = try SSETestReader(port: try #require(port.withLock { $0 }))
        #expect(
            await waitUntil(seconds: 60) {
                reader.objects.contains { $0["type"] as? String == "device" && $0["status"] as? String == "online" && ($0["device"] as? String)?.contains("pts") == true }
            })

        let declaration = "001099012345||Trần Thị Bích Ngọc|02031999|Nữ|Số 5 Hàng Bài, Hoàn Kiếm, Hà Nội|10052021"
        let typed = [0xFF, 0xFE, 0x0D] + Array(declaration.utf8) + [0x0D]
        pty.write(typed)

        let stored = await waitUntil(seconds: 60) {
            ((try? await service.store.passages(limit: 10)) ?? []).contains { $0.payload == declaration }
        }
        #expect(stored)
        let rejected = reader.objects.first { $0["type"] as? String == "scan-rejected" }
        #expect((rejected?["prompt"] as? [String: Any])?["id"] as? String == "scan-again")
        #expect((rejected?["reason"] as? String)?.contains("not valid UTF-8") == true)
        await group.triggerGracefulShutdown()
        try await running.value
        let row = try #require(try await service.store.passages(limit: 10).first { $0.payload == declaration })
        #expect(row.declarationKind == "cccd")
        #expect(try await service.store.integrityCheck() == "ok")
    }
}
