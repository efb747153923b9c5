import Appliance
import Foundation
import LaneControl
import Testing
import TestSupport

/// `selftest`'s checks in-process on a simulated lane with the service stopped: what passes, and a disc in a
/// warm scene failing with what to do about it.
@Suite struct SelftestTests {
    static func config(ambient: Double, state: String) throws -> ApplianceConfig {
        try ApplianceConfig.parse("""
            [checkpoint]
            state_directory = "\(state)"
            [display]
            port = 1
            [[lane]]
            id = "lane-1"
            [lane.camera]
            source = "simulated"
            speed = 4
            ambient_c = \(ambient)
            [lane.scanner]
            source = "simulated"
            [lane.speaker]
            device = "none"
            """)
    }

    static func run(ambient: Double) async throws -> [String: Selftest.Result] {
        let state = temporaryDirectory()
        let selftest = Selftest(config: try config(ambient: ambient, state: state), configPath: "test.toml", stateDirectory: state, quiet: true, seconds: 3)
        return Dictionary(uniqueKeysWithValues: await selftest.run().map { ($0.name, $0) })
    }

    @Test(.timeLimit(.minutes(2))) func aSimulatedLaneWithTheServiceStoppedPassesItsDeviceChecks() async throws {
        let results = try await Self.run(ambient: 24)
        for name in ["config", "clock", "disk-space", "storage", "camera lane-1", "reference lane-1", "scanner lane-1", "speaker lane-1"] {
            #expect(results[name]?.ok == true, "\(name): \(results[name]?.detail ?? "missing")")
        }
        #expect(results["lane-page"]?.ok == false, "nothing listens on port 1")
        #expect(results["reference lane-1"]?.detail.contains("scene") == true)
    }

    @Test(.timeLimit(.minutes(2))) func aDiscBarelyWarmerThanAWarmSceneFailsWithWhatToDo() async throws {
        let results = try await Self.run(ambient: 33)
        let reference = try #require(results["reference lane-1"])
        #expect(!reference.ok, "\(reference.detail)")
        #expect(reference.detail.contains("raise the set-point or shade the disc") || reference.detail.contains("reference-low-contrast"), "\(reference.detail)")
    }
}
