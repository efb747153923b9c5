import Foundation
import Lane
import Synchronization
import Thermal

/// A radiometric camera on V4L2, as a `ThermalCamera`. Capture runs on a thread of its own (poll + DQBUF block;
/// they do not belong on the cooperative pool) and hands upright centi-kelvin frames to async code.
///
/// Hot-plug: when the device goes away the lane is told `offline`, and the thread looks every 250 ms for a camera
/// with the same identity (USB ID, serial or port; not the `/dev/videoN` number, which changes) and resumes.
public final class V4L2Camera: ThermalCamera, Sendable {
    public let name: String
    public let selector: CameraSelector
    public let profile: CameraProfile?
    public let orientation: Orientation
    private let syscalls: @Sendable () -> any V4L2Syscalls
    private let discover: @Sendable () -> [VideoNode]
    /// Frames the driver produced that never reached us (gaps in the buffer sequence numbers).
    public let droppedFrames = Atomic<Int>(0)
    public let framesCaptured = Atomic<Int>(0)
    static let rediscoverInterval = 0.25

    public init(
        selector: CameraSelector, profile: CameraProfile? = nil, orientation: Orientation = .upright,
        syscalls: @escaping @Sendable () -> any V4L2Syscalls = { LibV4L2() },
        discover: @escaping @Sendable () -> [VideoNode] = { VideoDevices.list() }
    ) {
        self.selector = selector
        self.profile = profile
        self.orientation = orientation
        self.syscalls = syscalls
        self.discover = discover
        name = "camera:" + (selector.devicePath ?? selector.usbID ?? "auto")
    }

    public func events() -> AsyncStream<CameraEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: CameraEvent.self, bufferingPolicy: .bufferingNewest(16))
        let stop = StopFlag()
        continuation.onTermination = { _ in stop.set() }
        let thread = Thread { [self] in self.captureLoop(continuation, stop: stop) }
        thread.name = "v4l2-capture"
        thread.start()
        return stream
    }

    private func captureLoop(_ out: AsyncStream<CameraEvent>.Continuation, stop: StopFlag) {
        var online: Bool?
        var lastProblem: String?
        func status(_ s: DeviceStatus) {
            if online != (s == .online) { out.yield(.status(s)) }
            online = s == .online
        }
        func problem(_ text: String) {
            if text != lastProblem { out.yield(.problem(text)) }
            lastProblem = text
        }
        while !stop.isSet {
            guard let node = selector.find(in: discover()) else {
                status(.offline)
                problem("no camera matches \(selector.usbID ?? selector.devicePath ?? "a supported USB ID")")
                Thread.sleep(forTimeInterval: Self.rediscoverInterval)
                continue
            }
            do {
                try capture(from: node, out: out, stop: stop, status: status)
            } catch let error as V4L2Error where error.deviceGone {
                status(.offline)
                problem(error.description)
            } catch {
                status(.offline)
                problem("\(error)")
                // A refused format or a busy device will not fix itself in 250 ms: look again less often.
                Thread.sleep(forTimeInterval: 2)
            }
        }
        out.finish()
    }

    private func capture(
        from node: VideoNode, out: AsyncStream<CameraEvent>.Continuation, stop: StopFlag, status: (DeviceStatus) -> Void
    ) throws {
        let device = try V4L2Device(path: node.path, syscalls: syscalls())
        defer { device.close() }
        let cap = try device.capability()
        guard cap.canCapture && cap.canStream else { throw CameraSetupError.notACaptureDevice(node.path) }
        guard let profile = profile ?? node.profile else { throw CameraSetupError.unknownCamera(node.path, node.usbID) }
        let offered = try device.formats()
        // Prefer the size with telemetry rows (Lepton 160×122) when the camera offers it.
        let sizes = offered.first { $0.fourcc == profile.fourcc }?.sizes ?? []
        let size = profile.streamSizes.reversed().first(where: sizes.contains) ?? profile.streamSizes.first
            ?? sizes.first ?? .init(160, 120)
        if sizes.isEmpty, let other = offered.first {
            throw CameraFormatError.notRadiometric(fourcc: other.fourcc.description)
        }
        let format = try device.setFormat(profile.fourcc, width: size.width, height: size.height)
        let decoder = try FrameDecoder(profile: profile, format: format)
        try device.startStreaming()
        status(.online)
        var lastSequence: UInt32?
        var pixels: [UInt16] = []
        while !stop.isSet {
            guard let filled = try device.next(timeoutMilliseconds: 250) else { continue }
            if let last = lastSequence, filled.sequence > last &+ 1 {
                droppedFrames.add(Int(filled.sequence &- last &- 1), ordering: .relaxed)
            }
            lastSequence = filled.sequence
            let telemetry: FrameDecoder.Telemetry?
            do {
                telemetry = try device.withBytes(of: filled) { try decoder.decode($0, into: &pixels) }
            } catch {
                try device.requeue(filled.index)
                continue  // a short or damaged frame: skip it, the next one is 115 ms away
            }
            try device.requeue(filled.index)
            let frame = ThermalFrame(
                width: decoder.imageSize.width, height: decoder.imageSize.height, pixels: pixels,
                timestamp: filled.timestamp, sequence: UInt64(filled.sequence), fpaTemperatureC: telemetry?.fpaTemperatureC,
                msSinceFFC: telemetry?.msSinceFFC)
            framesCaptured.add(1, ordering: .relaxed)
            out.yield(.frame(orientation.apply(to: frame)))
        }
    }
}

public enum CameraSetupError: Error, CustomStringConvertible {
    case notACaptureDevice(String)
    case unknownCamera(String, String?)

    public var description: String {
        switch self {
        case .notACaptureDevice(let p): "\(p) cannot capture video by streaming (not a camera's capture node)"
        case .unknownCamera(let p, let id):
            "\(p) (USB \(id ?? "unknown")) is not a supported thermal camera; name a profile in the configuration if it is a radiometric Y16 core"
        }
    }
}

/// A stop signal shared between async code and a capture thread.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { flag.load(ordering: .sequentiallyConsistent) }
}
