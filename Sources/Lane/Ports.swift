import Thermal

/// The ports the device adapters implement. Real cameras (V4L2), recordings (CPTV replay) and the simulator all
/// look the same from here on: a stream of upright centi-kelvin frames and status changes.
public protocol ThermalCamera: Sendable {
    /// A name for logs and the status strip (never personal data).
    var name: String { get }
    /// Frames and status changes until the stream finishes (recording ended) or the task is cancelled.
    func events() -> AsyncStream<CameraEvent>
}

public enum CameraEvent: Sendable {
    case frame(ThermalFrame)
    case status(DeviceStatus)
    /// Why the camera cannot be used right now (refused format, busy, permission): for the log and the status strip.
    case problem(String)
}

/// A QR scanner: USB HID (keyboard wedge or HID POS), serial, or simulated.
public protocol CodeScanner: Sendable {
    var name: String { get }
    func events() -> AsyncStream<ScannerEvent>
}

public enum ScannerEvent: Sendable {
    case scan(Scan)
    /// Input that arrived but is not a scan (invalid UTF-8, too long, garbage report): the lane asks to scan again.
    case rejected(time: Double, reason: String)
    case status(DeviceStatus)
    /// Why the scanner cannot be used right now, or what it connected as: for the log and the technician.
    case problem(String)
}

public enum DeviceStatus: String, Sendable, Codable, Equatable {
    case online
    case offline
}

/// One decoded scan.
public struct Scan: Sendable, Equatable, Codable {
    /// Seconds on the lane timeline.
    public var time: Double
    public var payload: String
    /// AIM symbology identifier such as `]Q1`, when the scanner sends it.
    public var symbology: String?
    public var device: String
    /// `keyboard`, `hid-pos`, `serial` or `simulated`.
    public var transport: String

    public init(time: Double, payload: String, symbology: String? = nil, device: String, transport: String) {
        self.time = time
        self.payload = payload
        self.symbology = symbology
        self.device = device
        self.transport = transport
    }
}

/// The lane's monotonic timeline. Device timestamps and ticks come from the same timeline so pairing windows are
/// measured consistently (a simulation may run it faster than real time).
public protocol LaneTimeline: Sendable {
    func now() -> Double
    /// The lane has finished with the frame taken at `time`. A simulation that waits for the lane (so that no frame
    /// is dropped) moves on when told; a real clock ignores it.
    func frameScreened(at time: Double)
}

extension LaneTimeline {
    public func frameScreened(at time: Double) {}
}
