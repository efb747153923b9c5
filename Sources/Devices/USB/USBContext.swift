import CLibUSB

/// A libusb failure, with libusb's own name for it (`LIBUSB_ERROR_ACCESS` …) and what it means for a technician.
public struct USBError: Error, CustomStringConvertible, Equatable {
    public var operation: String
    public var code: Int32

    init(_ operation: String, _ code: Int32) {
        self.operation = operation
        self.code = code
    }

    public var deviceGone: Bool { code == LIBUSB_ERROR_NO_DEVICE.rawValue }

    public var description: String {
        let name = String(cString: libusb_error_name(code))
        let hint: String
        switch code {
        case LIBUSB_ERROR_ACCESS.rawValue: hint = " (no permission on /dev/bus/usb: are the udev rules installed and the service in group checkpoint?)"
        case LIBUSB_ERROR_BUSY.rawValue: hint = " (another program holds the interface)"
        case LIBUSB_ERROR_NO_DEVICE.rawValue: hint = " (unplugged)"
        default: hint = ""
        }
        return "\(operation): \(name)\(hint)"
    }
}

/// One libusb context. libusb contexts are thread-safe; this owner keeps the pointer private and frees it once.
/// Each scanner thread has its own context, so one scanner's event handling never waits on another's.
final class USBContext: @unchecked Sendable {
    let pointer: OpaquePointer

    init() throws(USBError) {
        var context: OpaquePointer?
        let status = libusb_init(&context)
        guard status == 0, let context else { throw USBError("libusb_init", status) }
        pointer = context
        _ = clibusb_set_log_level(context, Int32(LIBUSB_LOG_LEVEL_NONE.rawValue))
    }

    deinit { libusb_exit(pointer) }

    /// Calls `body` with every device currently attached (the list is freed afterwards).
    func withDevices<T>(_ body: ([OpaquePointer]) throws -> T) rethrows -> T {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(pointer, &list)
        defer { if let list { libusb_free_device_list(list, 1) } }
        guard count > 0, let list else { return try body([]) }
        return try body((0..<count).compactMap { list[$0] })
    }
}
