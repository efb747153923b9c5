import CV4L2
import Devices
import Foundation
import Lane
import Synchronization
import Testing
import Thermal

@Suite struct V4L2CameraTests {
    static let lepton = VideoNode(path: "/dev/video0", name: "PureThermal", index: 0, usbID: "1e4e:0100", serial: "801f0024", port: "1-2")

    @Test(.timeLimit(.minutes(1))) func unplugGoesOfflineAndTheSameCameraResumesOnItsNewNode() async throws {
        let plugged = Atomic<Bool>(true)
        let opens = Atomic<Int>(0)
        let opened = Mutex<[String]>([])
        let camera = V4L2Camera(
            selector: CameraSelector(usbID: "1e4e:0100", serial: "801f0024"), orientation: try Orientation(rotation: 90),
            syscalls: {
                let kernel = ScriptedV4L2()
                kernel.onOpen = { path in opened.withLock { $0.append(path) } }
                // The first session's camera is unplugged after 5 frames; after replugging it keeps streaming.
                if opens.add(1, ordering: .relaxed).newValue == 1 {
                    kernel.failDequeueAt = 6
                    kernel.onFailure = { plugged.store(false, ordering: .relaxed) }
                }
                return kernel
            },
            discover: {
                // A camera with another identity is always present; ours only while plugged, and after the replug on
                // a new node number (as the kernel numbers a camera that came back).
                let other = VideoNode(path: "/dev/video4", name: "Webcam", index: 0, usbID: "046d:0825", serial: "X", port: "1-4")
                var moved = Self.lepton
                moved.path = "/dev/video2"
                guard plugged.load(ordering: .relaxed) else { return [other] }
                return opens.load(ordering: .relaxed) == 0 ? [other, Self.lepton] : [other, moved]
            })
        var log: [String] = []
        var replugAt: ContinuousClock.Instant?
        var resumedAfter: Duration?
        var frames: [ThermalFrame] = []
        for await event in camera.events() {
            switch event {
            case .status(let s):
                log.append(s.rawValue)
                if s == .offline {
                    // Plug it back in a little later.
                    try await Task.sleep(for: .milliseconds(300))
                    replugAt = .now
                    plugged.store(true, ordering: .relaxed)
                }
                if s == .online, let replugAt { resumedAfter = .now - replugAt }
            case .frame(let f): frames.append(f)
            case .problem(let p): log.append("problem: \(p)")
            }
            if log.filter({ $0 == "online" }).count == 2 && frames.count >= 8 { break }
        }
        #expect(log.first == "online")
        #expect(log.contains("offline"))
        #expect(log.contains { $0.contains("VIDIOC_DQBUF on /dev/video0: no such device (ENODEV)") })
        // It came back by itself (how soon is the rediscovery poll's pace, not a unit test's bound).
        let resumed = try #require(resumedAfter)
        print("camera resumed \(resumed) after the replug")
        #expect(opened.withLock { $0 } == ["/dev/video0", "/dev/video2"], "the same camera found again by its identity, on its new node")
        // Frames are upright: the 160×120 stream turned 90° clockwise is 120×160.
        #expect(frames.allSatisfy { $0.width == 120 && $0.height == 160 })
        #expect(opens.load(ordering: .relaxed) == 2)
    }

    @Test func nodesAreSelectedByIdentityNotByNumber() {
        let webcam = VideoNode(path: "/dev/video0", name: "Webcam", index: 0, usbID: "046d:0825", serial: nil, port: "1-4")
        var meta = Self.lepton
        meta.path = "/dev/video3"
        meta.index = 1
        let nodes = [webcam, meta, Self.lepton]
        #expect(CameraSelector().find(in: nodes) == Self.lepton)  // auto: the first supported capture node
        #expect(CameraSelector(usbID: "1E4E:0100", port: "1-2").find(in: nodes) == Self.lepton)
        #expect(CameraSelector(usbID: "1e4e:0100", serial: "other").find(in: nodes) == nil)
        #expect(CameraSelector(devicePath: "/dev/video0").find(in: nodes) == webcam)
    }

    @Test func sysfsIsReadForUSBIdentity() throws {
        let root = NSTemporaryDirectory() + "sysfs-\(UUID().uuidString)"
        let usb = root + "/devices/pci0000:00/usb1/1-2"
        let fm = FileManager.default
        try fm.createDirectory(atPath: usb + "/1-2:1.0", withIntermediateDirectories: true)
        try "1e4e\n".write(toFile: usb + "/idVendor", atomically: true, encoding: .utf8)
        try "0100\n".write(toFile: usb + "/idProduct", atomically: true, encoding: .utf8)
        try "801f0024\n".write(toFile: usb + "/serial", atomically: true, encoding: .utf8)
        let node = root + "/class/video4linux/video2"
        try fm.createDirectory(atPath: node, withIntermediateDirectories: true)
        try "PureThermal (fw:v1.3.0)\n".write(toFile: node + "/name", atomically: true, encoding: .utf8)
        try "0\n".write(toFile: node + "/index", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: node + "/device", withDestinationPath: usb + "/1-2:1.0")
        let found = VideoDevices.list(sysfs: root)
        #expect(found == [VideoNode(path: "/dev/video2", name: "PureThermal (fw:v1.3.0)", index: 0, usbID: "1e4e:0100", serial: "801f0024", port: "1-2")])
        #expect(found.first?.profile?.kind == .lepton)
    }
}
