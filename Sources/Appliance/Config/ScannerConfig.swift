import ConfigFile
import Uplink
import UplinkProtocol
import Foundation
import Declarations
import Devices
import Lane
import ScannerProtocols
import Screening
import Thermal

/// `[lane.scanner]` (one or several): the QR scanners of a lane.
extension ApplianceConfig {
    public enum ScannerConfig: Sendable {
        /// Reads the simulated travellers' payloads (needs a simulated camera on the same lane).
        case simulated
        /// A USB HID scanner (keyboard wedge or HID POS) read through libusb.
        case usb(ScannerSelector, ScanFraming)
        /// A scanner in serial mode (CDC-ACM or USB-serial tty).
        case serial(path: String, baud: Int, framing: ScanFraming)
    }


    /// One `[lane.scanner]` (or `[[lane.scanner]]`) table; nil for `source = "none"`.
    static func parseScanner(_ scanner: ConfigReader, camera: CameraConfig) throws(ConfigError) -> ScannerConfig? {
        let source = try scanner.oneOf("source", ["simulated", "usb", "serial", "none"], default: "simulated")
        func framing() throws(ConfigError) -> ScanFraming {
            ScanFraming(
                layout: KeyboardLayout(rawValue: try scanner.oneOf("layout", KeyboardLayout.allCases.map(\.rawValue), default: "us"))!,
                suffix: ScanSuffix(rawValue: try scanner.oneOf("suffix", ScanSuffix.allCases.map(\.rawValue), default: "enter"))!,
                gapSeconds: try scanner.double("gap_ms", default: 60, range: 10...1000) / 1000)
        }
        switch source {
        case "simulated":
            guard case .simulated = camera else {
                throw ConfigError(
                    key: scanner.key("source"), line: scanner.table["source"]?.line,
                    message: "a simulated scanner needs a simulated camera on the same lane (use \"usb\", \"serial\" or \"none\")")
            }
            return .simulated
        case "usb":
            let id = try scanner.optionalString("usb_id")
            if let id, USBID(id) == nil {
                throw ConfigError(key: scanner.key("usb_id"), line: scanner.table["usb_id"]?.line, message: "'\(id)' is not VID:PID in hex, like 0c2e:0b61")
            }
            let selector = ScannerSelector(
                usbID: id, serial: try scanner.optionalString("serial"), port: try scanner.optionalString("usb_port"))
            return .usb(selector, try framing())
        case "serial":
            let baud = try scanner.int("baud", default: 9600, range: 1200...115200)
            guard SerialPortSpeeds.supported.contains(baud) else {
                throw ConfigError(
                    key: scanner.key("baud"), line: scanner.table["baud"]?.line,
                    message: "\(baud) is not one of \(SerialPortSpeeds.supported.map(String.init).joined(separator: ", "))")
            }
            return .serial(path: try scanner.string("device"), baud: baud, framing: try framing())
        default:
            return nil
        }
    }
}
