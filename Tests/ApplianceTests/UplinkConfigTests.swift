import Appliance
import ConfigFile
import Foundation
import Lane
import Store
import Uplink
import UplinkProtocol
import Testing

/// `[uplink]` and `[lane.uplink]` as technicians write them, and what the strip says about the link.
@Suite struct UplinkConfigTests {
    static let lanes = """
        [[lane]]
        id = "lane-1"
        [lane.camera]
        source = "simulated"
        [lane.uplink]
        token = "lane-one-own-token-0123"
        [[lane]]
        id = "lane-2"
        [lane.camera]
        source = "simulated"
        """

    static func parse(_ uplink: String) throws -> ApplianceConfig { try ApplianceConfig.parse(lanes + "\n[uplink]\n" + uplink) }

    static func error(_ uplink: String) -> String {
        do {
            _ = try parse(uplink)
            return "no error"
        } catch { return "\(error)" }
    }

    @Test func eachLaneGetsItsOwnTokenOrTheSharedOneAndItsProvincialID() throws {
        let config = try Self.parse("url = \"https://hub.soyte.example.vn/v1/batches\"\ncheckpoint_id = \"QL1A-km947\"\ntoken = \"shared-token-0123456789\"\nbatch_size = 200\n")
        let uplink = try #require(config.uplink)
        #expect(uplink.tokens == ["lane-1": "lane-one-own-token-0123", "lane-2": "shared-token-0123456789"])
        #expect(uplink.provincialLane("lane-2") == "QL1A-km947/lane-2" && uplink.batchSize == 200 && uplink.backoff.cap == 300)
        #expect(try ApplianceConfig.parse(Self.lanes).uplink == nil, "no [uplink]: nothing is sent")
    }

    @Test func mistakesAreNamedBeforeAnythingIsSent() {
        let base = "checkpoint_id = \"QL1A-km947\"\ntoken = \"shared-token-0123456789\"\n"
        #expect(Self.error("url = \"http://hub.soyte.example.vn/v1/batches\"\n" + base).contains("uplink.url (line 12): must be https://"))
        #expect(Self.error("url = \"http://127.0.0.1:8443/v1/batches\"\n" + base) == "no error", "plain HTTP to this machine (a local relay)")
        #expect(Self.error("url = \"hub.soyte.example.vn\"\n" + base).contains("is not an https:// URL"))
        #expect(Self.error("url = \"https://hub/v1/batches\"\ncheckpoint_id = \"QL1A km947\"\ntoken = \"shared-token-0123456789\"\n").contains("uplink.checkpoint_id"))
        #expect(Self.error("url = \"https://hub/v1/batches\"\ncheckpoint_id = \"x\"\n").contains("lane 'lane-2' has no uplink token"))
        #expect(Self.error("url = \"https://hub/v1/batches\"\n" + base + "client_certificate = \"/etc/c.pem\"\n").contains("client_certificate and client_key go together"))
        #expect(Self.error("url = \"https://hub/v1/batches\"\n" + base + "batch_size = 5000\n").contains("uplink.batch_size"))
        #expect(Self.error("url = \"https://hub/v1/batches\"\ncheckpoint_id = \"x\"\ntoken = \"short\"\n").contains("at least 16"))
        #expect(Self.error("url = \"https://hub/v1/batches\"\n" + base + "retry = 3\n").contains("uplink.retry (line 15): is not a known setting"))
    }

    @Test func theStripSaysWhetherTheLinkWorksHowManyWaitAndSinceWhen() {
        var status = UplinkLaneStatus(lane: "lane-1")
        status.waiting = 12
        #expect(UplinkStrip.state(status, configured: false, oldestAge: 30) == (nil, "chưa cài / not set · 12 chờ / waiting"))
        status.lastSuccessAt = "2026-11-24T03:00:00.000Z"
        #expect(UplinkStrip.state(status, configured: true, oldestAge: 30) == (.online, "12 chờ / waiting"))
        status.lastErrorAt = "2026-11-24T03:05:00.000Z"
        status.lastError = "no answer from the hub"
        #expect(UplinkStrip.state(status, configured: true, oldestAge: 14 * 60) == (.offline, "mất kết nối / no link · 12 chờ / waiting · 14 phút / min"))
        #expect(UplinkStrip.state(status, configured: true, oldestAge: 3 * 3600) == (.offline, "mất kết nối / no link · 12 chờ / waiting · 3.0 giờ / h"))
        status.waiting = 0
        #expect(UplinkStrip.state(status, configured: true, oldestAge: nil).0 == .online, "an error with nothing waiting is not an outage")
    }
}
