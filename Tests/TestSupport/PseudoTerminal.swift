import Foundation

/// A pseudo-terminal pair standing in for a serial scanner: the code under test opens `slavePath` as it would
/// `/dev/ttyACM0`, the test writes the scanner's bytes to the master side. Closing the master is an unplug.
public final class PseudoTerminal: @unchecked Sendable {
    public let master: Int32
    public let slavePath: String

    public init() throws {
        // posix_openpt/unlockpt/ptsname are hidden behind _XOPEN_SOURCE in Swift's Glibc; their ioctls are not.
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0, number: UInt32 = 0
        let TIOCSPTLCK: UInt = 0x4004_5431, TIOCGPTN: UInt = 0x8004_5430  // _IOW/_IOR('T', 0x31/0x30, int)
        guard master >= 0, ioctl(master, TIOCSPTLCK, &unlock) == 0, ioctl(master, TIOCGPTN, &number) == 0 else {
            throw POSIXError(.ENODEV)
        }
        slavePath = "/dev/pts/\(number)"
    }

    public func write(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) } }
    public func unplug() { close(master) }
}
