import Devices
import Foundation
import Testing
import Thermal

@Suite struct UdevRulesTests {
    @Test func theCommittedRulesAreTheGeneratedOnes() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("udev/70-checkpoint-lane.rules").path
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        #expect(committed == UdevRules.generate(), "regenerate: checkpointctl udev-rules > udev/70-checkpoint-lane.rules")
    }

    @Test func everySupportedDeviceGetsTheGroupAndNoDesktopAccess() {
        let rules = UdevRules.generate()
        for profile in CameraProfile.supported {
            for id in profile.usbIDs {
                #expect(rules.contains("ATTRS{idVendor}==\"\(id.description.prefix(4))\", ATTRS{idProduct}==\"\(id.description.suffix(4))\""))
            }
        }
        #expect(!rules.contains("uaccess"))
        #expect(rules.components(separatedBy: "GROUP=\"checkpoint\", MODE=\"0660\"").count - 1 == 2 * CameraProfile.supported.count)
    }
}
