import Foundation

/// Serial ports that may be scanners: `/dev/ttyACM*` (CDC-ACM) and `/dev/ttyUSB*` (USB-serial), with the USB
/// identity of the device behind them, read from sysfs.
public struct SerialCandidate: Sendable, Equatable {
    public var path: String
    public var usbID: String?
    public var product: String?
    public var serial: String?
    public var port: String?
    public var kernelDriver: String?
}

public enum SerialDevices {
    public static func list(sysfs: String = "/sys", dev: String = "/dev") -> [SerialCandidate] {
        let classDir = sysfs + "/class/tty"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: classDir)) ?? []
        return names.filter { $0.hasPrefix("ttyACM") || $0.hasPrefix("ttyUSB") }.sorted().map { name in
            var candidate = SerialCandidate(path: "\(dev)/\(name)")
            // …/usb1/1-1/1-1:1.0/tty/ttyACM0 (ACM) or …/1-1:1.0/ttyUSB0/tty/ttyUSB0: walk up to the USB device.
            var dir = URL(fileURLWithPath: "\(classDir)/\(name)").resolvingSymlinksInPath()
            for _ in 0..<6 {
                dir.deleteLastPathComponent()
                if let driver = try? FileManager.default.destinationOfSymbolicLink(atPath: dir.path + "/driver"),
                    candidate.kernelDriver == nil, dir.lastPathComponent.contains(":")
                {
                    candidate.kernelDriver = (driver as NSString).lastPathComponent
                }
                if let vendor = USBScannerDiscovery.sysfsText(dir.path + "/idVendor"),
                    let product = USBScannerDiscovery.sysfsText(dir.path + "/idProduct")
                {
                    candidate.usbID = "\(vendor):\(product)"
                    candidate.product = USBScannerDiscovery.sysfsText(dir.path + "/product")
                    candidate.serial = USBScannerDiscovery.sysfsText(dir.path + "/serial")
                    candidate.port = dir.lastPathComponent
                    break
                }
            }
            return candidate
        }
    }
}
