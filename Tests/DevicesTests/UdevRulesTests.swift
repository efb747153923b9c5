import Devices
import Foundation
import ScannerProtocols
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
        for vendor in ScannerVendor.supported {
            let id = String(USBID(vendor: vendor.vendorID, product: 0).description.prefix(4))
            #expect(rules.contains("SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", ATTR{idVendor}==\"\(id)\", GROUP=\"checkpoint\""))
            #expect(rules.contains("SUBSYSTEM==\"tty\", ATTRS{idVendor}==\"\(id)\""))
        }
        let grants = rules.components(separatedBy: "GROUP=\"checkpoint\", MODE=\"0660\"").count - 1
        #expect(grants == 2 * CameraProfile.supported.count + 2 * ScannerVendor.supported.count)
    }
}
