import ScannerProtocols
import Thermal

/// Which scanner a lane uses: by USB ID (with an optional serial or port when several identical scanners are
/// attached) or by device path (`/dev/ttyACM0` for serial scanners). With nothing set, any device from a known
/// scanner vendor (`ScannerVendor.supported`) — never an arbitrary keyboard, which would swallow a technician's typing.
public struct ScannerSelector: Sendable, Equatable, CustomStringConvertible {
    public var usbID: String?
    public var serial: String?
    public var port: String?
    public var devicePath: String?

    public init(usbID: String? = nil, serial: String? = nil, port: String? = nil, devicePath: String? = nil) {
        self.usbID = usbID?.lowercased()
        self.serial = serial
        self.port = port
        self.devicePath = devicePath
    }

    /// Parses `--device VID:PID|PATH|PORT` as technicians type it.
    public init(device: String) {
        if USBID(device) != nil {
            self.init(usbID: device)
        } else if device.hasPrefix("/") {
            self.init(devicePath: device)
        } else {
            self.init(port: device)
        }
    }

    public var isSerialPath: Bool { devicePath.map { !$0.hasPrefix("/dev/bus/usb/") } ?? false }

    public func matches(_ candidate: USBScannerCandidate) -> Bool {
        if let usbID, candidate.usbID != usbID { return false }
        if let serial, candidate.serial != serial { return false }
        if let port, candidate.port != port { return false }
        if let devicePath, candidate.devicePath != devicePath { return false }
        if usbID == nil && devicePath == nil {
            guard let id = USBID(candidate.usbID), ScannerVendor.named(id.vendor) != nil else { return false }
        }
        return true
    }

    public var description: String {
        [usbID, serial.map { "serial \($0)" }, port.map { "port \($0)" }, devicePath].compactMap { $0 }.joined(separator: " ")
            .nonEmpty ?? "any known scanner"
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
