import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Tells systemd how the service is doing (`Type=notify`): one datagram per state to the socket systemd names in
/// `$NOTIFY_SOCKET` ("READY=1", "WATCHDOG=1", "STOPPING=1", "STATUS=…"). No libsystemd needed.
public struct SystemdNotifier: Sendable {
    public let socketPath: String

    /// nil when not started by systemd with `Type=notify` (no `$NOTIFY_SOCKET`).
    public init?(environment: [String: String]) {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty, path.utf8.count < 108 else { return nil }
        socketPath = path
    }

    /// How often to send WATCHDOG=1: half of `$WATCHDOG_USEC`, when the watchdog is meant for this process.
    public static func watchdogInterval(environment: [String: String]) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"].flatMap({ Int32($0) }), pid != getpid() { return nil }
        return .microseconds(usec / 2)
    }

    /// Sends one message. False when the socket is gone (systemd restarted or never listened).
    @discardableResult
    public func send(_ message: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        // "@name" is a socket in the abstract namespace: its address starts with a zero byte.
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.enumerated() { raw[i] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count)
        let sent = message.withCString { text in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, text, strlen(text), 0, $0, length) }
            }
        }
        return sent >= 0
    }
}
