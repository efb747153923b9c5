import Foundation
import Thermal

/// A V4L2 device node with what sysfs says about the USB device behind it. Its identity (USB ID plus serial, or
/// USB port path) survives replugging; `/dev/videoN` numbers do not.
public struct VideoNode: Sendable, Equatable, Codable {
    public var path: String
    public var name: String
    /// 0 for a UVC camera's capture node (its metadata node has 1).
    public var index: Int
    public var usbID: String?
    public var serial: String?
    /// USB port path such as `1-2.3` (stable for a given socket).
    public var port: String?

    public var profile: CameraProfile? { usbID.flatMap(USBID.init).flatMap(CameraProfile.matching) }

    public init(path: String, name: String, index: Int, usbID: String? = nil, serial: String? = nil, port: String? = nil) {
        self.path = path
        self.name = name
        self.index = index
        self.usbID = usbID
        self.serial = serial
        self.port = port
    }

    enum CodingKeys: String, CodingKey { case path, name, index, serial, port; case usbID = "usb_id" }
}

/// Finds video nodes through sysfs (`/sys/class/video4linux`); the root is a parameter so tests can lay out a tree.
public enum VideoDevices {
    public static func list(sysfs: String = "/sys", dev: String = "/dev") -> [VideoNode] {
        let classDir = sysfs + "/class/video4linux"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: classDir)) ?? []
        return names.filter { $0.hasPrefix("video") }.sorted { (Int($0.dropFirst(5)) ?? 0) < (Int($1.dropFirst(5)) ?? 0) }.map { entry in
            let base = classDir + "/" + entry
            var node = VideoNode(
                path: dev + "/" + entry, name: read(base + "/name") ?? entry, index: Int(read(base + "/index") ?? "0") ?? 0)
            // device → the USB interface; its parent directory is the USB device with idVendor/idProduct/serial.
            let interface = URL(fileURLWithPath: base + "/device").resolvingSymlinksInPath()
            var usb = interface.deletingLastPathComponent()
            for _ in 0..<3 where read(usb.path + "/idVendor") == nil { usb = usb.deletingLastPathComponent() }
            if let vendor = read(usb.path + "/idVendor"), let product = read(usb.path + "/idProduct") {
                node.usbID = vendor + ":" + product
                node.serial = read(usb.path + "/serial")
                node.port = usb.lastPathComponent
            }
            return node
        }
    }

    static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let s = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return s.isEmpty ? nil : s
    }
}

/// Which camera a lane uses: a fixed node, or the first capture node whose USB identity matches.
public struct CameraSelector: Sendable, Equatable {
    public var devicePath: String?
    public var usbID: String?
    public var serial: String?
    public var port: String?

    public init(devicePath: String? = nil, usbID: String? = nil, serial: String? = nil, port: String? = nil) {
        self.devicePath = devicePath
        self.usbID = usbID
        self.serial = serial
        self.port = port
    }

    public func matches(_ node: VideoNode) -> Bool {
        if let devicePath, node.path != devicePath { return false }
        if node.index != 0 { return false }
        if let usbID, node.usbID?.lowercased() != usbID.lowercased() { return false }
        if let serial, node.serial != serial { return false }
        if let port, node.port != port { return false }
        if devicePath == nil && usbID == nil && serial == nil && port == nil { return node.profile != nil }
        return true
    }

    public func find(in nodes: [VideoNode]) -> VideoNode? { nodes.first(where: matches) }
}
