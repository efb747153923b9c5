import Foundation

/// A serial scanner's tty (CDC-ACM `/dev/ttyACM*`, USB-serial `/dev/ttyUSB*`) in raw mode: bytes exactly as the
/// scanner sends them (no echo, no line editing, no CR/LF translation), so UTF-8 arrives untouched.
final class SerialPort {
    let path: String
    private let fd: Int32

    struct Failure: Error, CustomStringConvertible {
        var description: String
        /// The port went away (unplugged): reopen later rather than give up.
        var gone: Bool
    }

    init(path: String, baud: Int) throws(Failure) {
        self.path = path
        let fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw Failure(description: "open \(path): \(String(cString: strerror(code)))", gone: code == ENOENT || code == ENODEV || code == ENXIO)
        }
        var tio = termios()
        guard tcgetattr(fd, &tio) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "\(path) is not a serial port: \(message)", gone: false)
        }
        cfmakeraw(&tio)
        tio.c_cflag |= tcflag_t(CLOCAL | CREAD)
        withUnsafeMutableBytes(of: &tio.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        _ = cfsetspeed(&tio, Self.speed(baud))
        guard tcsetattr(fd, TCSANOW, &tio) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "configure \(path): \(message)", gone: false)
        }
        tcflush(fd, TCIFLUSH)  // bytes from before we opened belong to nobody
        self.fd = fd
    }

    deinit { close(fd) }

    /// Waits up to `timeout` seconds for bytes. Returns them (empty on timeout); throws when the port is gone.
    func read(timeout: Double) throws(Failure) -> [UInt8] {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, Int32(timeout * 1000))
        if ready == 0 { return [] }
        if ready < 0 {
            if errno == EINTR { return [] }
            throw Failure(description: "poll \(path): \(String(cString: strerror(errno)))", gone: true)
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = Glibc.read(fd, &buffer, buffer.count)
        if count > 0 { return Array(buffer.prefix(count)) }
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return [] }
        // 0 bytes after POLLIN, POLLHUP or EIO: the device (or the pty's other side) is gone.
        throw Failure(description: "\(path) disconnected", gone: true)
    }

    static func speed(_ baud: Int) -> speed_t {
        switch baud {
        case 1200: speed_t(B1200)
        case 2400: speed_t(B2400)
        case 4800: speed_t(B4800)
        case 19200: speed_t(B19200)
        case 38400: speed_t(B38400)
        case 57600: speed_t(B57600)
        case 115200: speed_t(B115200)
        default: speed_t(B9600)
        }
    }

}

public enum SerialPortSpeeds {
    public static let supported = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]
}
