import CLibUSB
import Foundation
import ScannerProtocols
import Thermal

/// A USB HID interface that may be a scanner, as `checkpointctl scanner list` shows it and the service opens it.
public struct USBScannerCandidate: Sendable, Equatable, Codable {
    public var usbID: String
    public var bus: Int
    public var address: Int
    /// Physical port path such as `1-1.2` (stable across replugging into the same socket).
    public var port: String
    public var product: String?
    public var serial: String?
    public var interfaceNumber: Int
    /// `keyboard` (boot keyboard), `hid-pos` (usage page 0x8C) or `hid` (not known until opened).
    public var transport: String
    /// The kernel driver bound to the interface now (`usbhid` until we detach it), or nil.
    public var kernelDriver: String?
    var endpoint: UInt8
    var maxPacketSize: Int
    var reportDescriptorLength: Int

    public var devicePath: String { String(format: "/dev/bus/usb/%03d/%03d", bus, address) }
    public var vendorName: String? { USBID(usbID).flatMap { ScannerVendor.named($0.vendor)?.name } }
}

/// Finds HID interfaces with an interrupt-IN endpoint. Reads descriptors through libusb (no device is opened) and
/// names, serials and bound drivers from sysfs, so listing disturbs nothing.
enum USBScannerDiscovery {
    static func list(context: USBContext, sysfs: String = "/sys") -> [USBScannerCandidate] {
        context.withDevices { devices in devices.flatMap { candidates(of: $0, sysfs: sysfs) } }
    }

    static func candidates(of device: OpaquePointer, sysfs: String) -> [USBScannerCandidate] {
        var descriptor = libusb_device_descriptor()
        guard libusb_get_device_descriptor(device, &descriptor) == 0 else { return [] }
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(device, &config) == 0, let config else { return [] }
        defer { libusb_free_config_descriptor(config) }

        let bus = Int(libusb_get_bus_number(device)), address = Int(libusb_get_device_address(device))
        var ports = [UInt8](repeating: 0, count: 8)
        let depth = libusb_get_port_numbers(device, &ports, Int32(ports.count))
        guard depth > 0 else { return [] }  // root hub
        let port = "\(bus)-" + ports.prefix(Int(depth)).map(String.init).joined(separator: ".")
        let deviceDir = "\(sysfs)/bus/usb/devices/\(port)"
        let usbID = USBID(vendor: descriptor.idVendor, product: descriptor.idProduct).description

        var found: [USBScannerCandidate] = []
        for i in 0..<Int(config.pointee.bNumInterfaces) {
            let interface = config.pointee.interface[i]
            guard interface.num_altsetting > 0 else { continue }
            let setting = interface.altsetting[0]
            guard setting.bInterfaceClass == UInt8(LIBUSB_CLASS_HID.rawValue) else { continue }
            var endpoint: (UInt8, Int)?
            for e in 0..<Int(setting.bNumEndpoints) {
                let ep = setting.endpoint[e]
                if ep.bEndpointAddress & 0x80 != 0, ep.bmAttributes & 3 == UInt8(LIBUSB_TRANSFER_TYPE_INTERRUPT.rawValue) {
                    endpoint = (ep.bEndpointAddress, Int(ep.wMaxPacketSize))
                    break
                }
            }
            guard let endpoint else { continue }
            let extra = setting.extra.map { Array(UnsafeBufferPointer(start: $0, count: Int(setting.extra_length))) } ?? []
            let interfaceDir = "\(deviceDir):\(config.pointee.bConfigurationValue).\(setting.bInterfaceNumber)"
            var transport = setting.bInterfaceSubClass == 1 && setting.bInterfaceProtocol == 1 ? "keyboard" : "hid"
            if transport == "hid", let bytes = sysfsReportDescriptor(interfaceDir), let kind = classify(bytes) {
                transport = kind
            }
            found.append(
                USBScannerCandidate(
                    usbID: usbID, bus: bus, address: address, port: port, product: sysfsText(deviceDir + "/product"),
                    serial: sysfsText(deviceDir + "/serial"), interfaceNumber: Int(setting.bInterfaceNumber),
                    transport: transport,
                    kernelDriver: (try? FileManager.default.destinationOfSymbolicLink(atPath: interfaceDir + "/driver"))
                        .map { ($0 as NSString).lastPathComponent },
                    endpoint: endpoint.0, maxPacketSize: endpoint.1, reportDescriptorLength: reportDescriptorLength(extra)))
        }
        return found
    }

    /// `keyboard` or `hid-pos` from a report descriptor, nil when it is neither.
    static func classify(_ bytes: [UInt8]) -> String? {
        guard let descriptor = try? HIDReportDescriptor(bytes) else { return nil }
        if (try? HIDPOSLayout(descriptor)) != nil { return "hid-pos" }
        if descriptor.applications.contains(.keyboard) { return "keyboard" }
        return nil
    }

    /// wDescriptorLength of the report descriptor, from the HID class descriptor (type 0x21) after the interface.
    static func reportDescriptorLength(_ extra: [UInt8]) -> Int {
        var i = 0
        while i + 1 < extra.count {
            let length = Int(extra[i])
            guard length >= 2 else { break }
            if extra[i + 1] == 0x21, length >= 9, i + length <= extra.count {
                let count = Int(extra[i + 5])
                for n in 0..<count where i + 8 + 3 * n < i + length {
                    let at = i + 6 + 3 * n
                    if extra[at] == 0x22 { return Int(extra[at + 1]) | Int(extra[at + 2]) << 8 }
                }
            }
            i += length
        }
        return 0
    }

    /// With usbhid bound, the kernel exposes the report descriptor under the interface's HID device.
    static func sysfsReportDescriptor(_ interfaceDir: String) -> [UInt8]? {
        guard let children = try? FileManager.default.contentsOfDirectory(atPath: interfaceDir) else { return nil }
        for child in children where child.filter({ $0 == ":" }).count == 2 {
            if let data = FileManager.default.contents(atPath: "\(interfaceDir)/\(child)/report_descriptor") { return Array(data) }
        }
        return nil
    }

    static func sysfsText(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
