import CoreFoundation
import CLibUSB
import Foundation
import ScannerProtocols

/// One opened scanner interface: claimed (kernel driver detached so no keystroke reaches a console), set up for
/// its protocol, reading interrupt-IN reports with one transfer kept in flight. Lives on its scanner's thread only;
/// `close()` releases the interface and re-attaches the kernel driver, leaving the machine as found.
final class USBScannerSession {
    let candidate: USBScannerCandidate
    private(set) var decoder: ScanDecoder
    private let context: USBContext
    private let handle: OpaquePointer
    private var detached = false
    private var claimed = false
    private let reader: InterruptReader
    /// Set up notes for the log (a refused SET_PROTOCOL, a failed re-attach).
    private(set) var notes: [String] = []

    init(context: USBContext, candidate: USBScannerCandidate, framing: ScanFraming) throws {
        self.context = context
        self.candidate = candidate
        var opened: OpaquePointer?
        let status: Int32 = context.withDevices { devices in
            guard let device = devices.first(where: {
                Int(libusb_get_bus_number($0)) == candidate.bus && Int(libusb_get_device_address($0)) == candidate.address
            }) else { return LIBUSB_ERROR_NO_DEVICE.rawValue }
            return libusb_open(device, &opened)
        }
        guard status == 0, let opened else { throw USBError("open \(candidate.devicePath)", status) }
        handle = opened
        let interface = Int32(candidate.interfaceNumber)
        reader = InterruptReader(handle: opened, endpoint: candidate.endpoint, length: max(8, candidate.maxPacketSize))
        decoder = .keyboard(KeyboardWedgeDecoder())
        do {
            // 1 = a kernel driver is bound. Anything else (0, or an error where the platform cannot tell) means none.
            if libusb_kernel_driver_active(opened, interface) == 1 {
                let detach = libusb_detach_kernel_driver(opened, interface)
                guard detach == 0 else { throw USBError("detach kernel driver from interface \(interface)", detach) }
                detached = true
            }
            let claim = libusb_claim_interface(opened, interface)
            guard claim == 0 else { throw USBError("claim interface \(interface)", claim) }
            claimed = true
            decoder = try setUpProtocol(framing: framing)
            try reader.submit()
        } catch {
            close()
            throw error
        }
    }

    /// Boot keyboards are switched to the boot protocol (fixed 8-byte reports); other HID interfaces must declare
    /// a HID POS decoded-data report in their report descriptor.
    private func setUpProtocol(framing: ScanFraming) throws -> ScanDecoder {
        let interface = UInt16(candidate.interfaceNumber)
        if candidate.transport == "keyboard" {
            let status = libusb_control_transfer(handle, 0x21, 0x0B, 0, interface, nil, 0, 1000)  // SET_PROTOCOL(boot)
            if status < 0 { notes.append("SET_PROTOCOL(boot) refused (\(USBError("", status).description)); reading reports as sent") }
            return .keyboard(KeyboardWedgeDecoder(layout: framing.layout, suffix: framing.suffix, gapSeconds: framing.gapSeconds))
        }
        let length = candidate.reportDescriptorLength
        guard length > 0, length <= 4096 else { throw ScannerSetupError.noReportDescriptor(candidate.devicePath) }
        var bytes = [UInt8](repeating: 0, count: length)
        let got = libusb_control_transfer(handle, 0x81, 0x06, 0x2200, interface, &bytes, UInt16(length), 1000)
        guard got > 0 else { throw USBError("read the report descriptor", got) }
        let descriptor = try HIDReportDescriptor(Array(bytes.prefix(Int(got))))
        do {
            return .hidPOS(HIDPOSDecoder(layout: try HIDPOSLayout(descriptor)))
        } catch {
            throw ScannerSetupError.unsupportedInterface(candidate.devicePath, error.description)
        }
    }

    /// Handles libusb events for up to `timeout` seconds; returns the reports that arrived. Throws when the device
    /// is gone or the endpoint failed for good (the caller reopens).
    func poll(timeout: Double) throws(USBError) -> [[UInt8]] {
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        let status = libusb_handle_events_timeout_completed(context.pointer, &tv, nil)
        if status < 0 && status != LIBUSB_ERROR_INTERRUPTED.rawValue { throw USBError("handle events", status) }
        return try reader.take()
    }

    func close() {
        reader.cancelAndWait(context: context)
        let interface = Int32(candidate.interfaceNumber)
        if claimed { _ = libusb_release_interface(handle, interface) }
        if detached {
            let status = libusb_attach_kernel_driver(handle, interface)
            if status != 0 { notes.append("re-attach kernel driver: \(USBError("", status).description)") }
        }
        claimed = false
        detached = false
        libusb_close(handle)
    }
}

/// The interrupt-IN transfer and what its completions delivered. Only touched on the scanner thread (callbacks
/// run inside `libusb_handle_events…` on that thread).
private final class InterruptReader {
    private let transfer: UnsafeMutablePointer<libusb_transfer>
    private let buffer: UnsafeMutablePointer<UInt8>
    private let length: Int
    private var reports: [[UInt8]] = []
    private var failure: USBError?
    private var inFlight = false
    private var stopping = false
    private var consecutiveErrors = 0
    /// Zero-length transfers seen (f_hid sends one after each full-size report); counted, never decoded.
    private(set) var zeroLength = 0

    init(handle: OpaquePointer, endpoint: UInt8, length: Int) {
        self.length = length
        transfer = libusb_alloc_transfer(0)
        buffer = .allocate(capacity: length)
        libusb_fill_interrupt_transfer(
            transfer, handle, endpoint, buffer, Int32(length), interruptCallback, nil, 0)
    }

    deinit {
        // A transfer libusb still owns (cancel never completed) is leaked rather than freed under it.
        guard !inFlight else { return }
        libusb_free_transfer(transfer)
        buffer.deallocate()
    }

    func submit() throws(USBError) {
        transfer.pointee.user_data = Unmanaged.passUnretained(self).toOpaque()
        let status = libusb_submit_transfer(transfer)
        guard status == 0 else { throw USBError("submit interrupt transfer", status) }
        inFlight = true
    }

    func take() throws(USBError) -> [[UInt8]] {
        defer { reports.removeAll(keepingCapacity: true) }
        if let failure, reports.isEmpty { throw failure }
        return reports
    }

    fileprivate func completed() {
        inFlight = false
        let status = transfer.pointee.status
        switch status {
        case LIBUSB_TRANSFER_COMPLETED:
            consecutiveErrors = 0
            let count = Int(transfer.pointee.actual_length)
            if count > 0 { reports.append(Array(UnsafeBufferPointer(start: buffer, count: count))) } else { zeroLength += 1 }
        case LIBUSB_TRANSFER_NO_DEVICE:
            failure = USBError("interrupt transfer", LIBUSB_ERROR_NO_DEVICE.rawValue)
            return
        case LIBUSB_TRANSFER_CANCELLED:
            return
        case LIBUSB_TRANSFER_TIMED_OUT:
            break
        default:  // STALL, OVERFLOW, ERROR: retry a few times, then give up and let the caller reopen
            consecutiveErrors += 1
            if consecutiveErrors > 5 {
                failure = USBError("interrupt transfer (status \(status.rawValue))", LIBUSB_ERROR_IO.rawValue)
                return
            }
        }
        if stopping { return }
        do { try submit() } catch { failure = error }
    }

    func cancelAndWait(context: USBContext) {
        stopping = true
        guard inFlight else { return }
        _ = libusb_cancel_transfer(transfer)
        var waited = 0
        while inFlight && waited < 40 {  // at most 2 s
            var tv = timeval(tv_sec: 0, tv_usec: 50_000)
            _ = libusb_handle_events_timeout_completed(context.pointer, &tv, nil)
            waited += 1
        }
    }
}

private let interruptCallback: libusb_transfer_cb_fn = { transfer in
    guard let user = transfer?.pointee.user_data else { return }
    Unmanaged<InterruptReader>.fromOpaque(user).takeUnretainedValue().completed()
}

public enum ScannerSetupError: Error, CustomStringConvertible {
    case noReportDescriptor(String)
    case unsupportedInterface(String, String)

    public var description: String {
        switch self {
        case .noReportDescriptor(let path): "\(path): the HID interface declares no report descriptor"
        case .unsupportedInterface(let path, let why):
            "\(path) is neither a boot keyboard nor a HID POS scanner (\(why)); program the scanner for HID POS or USB keyboard mode"
        }
    }
}
