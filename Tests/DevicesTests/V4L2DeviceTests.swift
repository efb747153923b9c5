import CV4L2
import Devices
import Foundation
import Testing
import Thermal

@Suite struct V4L2DeviceTests {
    @Test func theCaptureCallSequenceFromOpenToClose() throws {
        let kernel = ScriptedV4L2()
        let device = try V4L2Device(path: "/dev/video0", syscalls: kernel)
        let cap = try device.capability()
        #expect(cap.driver == "uvcvideo" && cap.card == "PureThermal (fw:v1.3.0)" && cap.canCapture && cap.canStream)
        let formats = try device.formats()
        #expect(formats.map(\.fourcc) == [.y16] && formats[0].sizes == [.init(160, 120), .init(160, 122)])
        #expect(formats[0].framesPerSecond[.init(160, 122)] == [8.7])
        let format = try device.setFormat(.y16, width: 160, height: 120)
        #expect(format == .init(fourcc: .y16, width: 160, height: 120, bytesPerLine: 320))
        try device.startStreaming()
        let first = try #require(try device.next(timeoutMilliseconds: 100))
        #expect(first.sequence == 0 && first.bytesUsed == 38400 && abs(first.timestamp - 100.114) < 1e-9)
        let decoder = try FrameDecoder(profile: .lepton, format: format)
        var pixels: [UInt16] = []
        _ = try device.withBytes(of: first) { try decoder.decode($0, into: &pixels) }
        #expect(pixels.first == 0x3030)
        try device.requeue(first.index)
        device.close()
        let expected = ["open", "QUERYCAP", "ENUM_FMT", "S_FMT", "REQBUFS"] + Array(repeating: ["QUERYBUF", "mmap"], count: 4).flatMap { $0 }
            + Array(repeating: "QBUF", count: 4) + ["STREAMON", "poll", "DQBUF", "QBUF", "STREAMOFF"] + Array(repeating: "munmap", count: 4) + ["close"]
        #expect(kernel.calls == expected)
    }

    @Test func aBusyCameraIsReportedWithTheCallAndTheDevice() {
        let kernel = ScriptedV4L2()
        kernel.openError = EBUSY
        #expect(throws: V4L2Error(call: "open", device: "/dev/video3", errno: EBUSY)) { try V4L2Device(path: "/dev/video3", syscalls: kernel) }
        #expect(V4L2Error(call: "open", device: "/dev/video3", errno: EBUSY).description == "open on /dev/video3: device busy (EBUSY): another program is using the camera")
    }

    @Test func unpluggingMidStreamThrowsENODEVAndCleanupStillUnmaps() throws {
        let kernel = ScriptedV4L2()
        kernel.failDequeueAt = 3
        let device = try V4L2Device(path: "/dev/video0", syscalls: kernel)
        _ = try device.setFormat(.y16, width: 160, height: 120)
        try device.startStreaming()
        for _ in 0..<2 {
            let f = try #require(try device.next(timeoutMilliseconds: 100))
            try device.requeue(f.index)
        }
        do {
            _ = try device.next(timeoutMilliseconds: 100)
            Issue.record("expected ENODEV")
        } catch {
            #expect(error.errno == ENODEV && error.call == "VIDIOC_DQBUF" && error.deviceGone)
        }
        device.close()
        #expect(kernel.calls.suffix(6) == ["STREAMOFF", "munmap", "munmap", "munmap", "munmap", "close"])
    }

    @Test func aDriverThatSubstitutesAnotherFormatIsCaught() throws {
        let kernel = ScriptedV4L2()
        kernel.substituteFormat = .yuyv
        let device = try V4L2Device(path: "/dev/video0", syscalls: kernel)
        let format = try device.setFormat(.y16, width: 160, height: 120)
        #expect(format.fourcc == .yuyv)
        #expect(throws: CameraFormatError.notRadiometric(fourcc: "YUYV")) { try FrameDecoder(profile: .lepton, format: format) }
    }
}
