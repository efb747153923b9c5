#if canImport(Glibc)
    import Glibc
#endif
import Devices
import Foundation
import Synchronization
import Testing
import TestSupport

/// `checkpointd` under `Type=notify` as systemd runs it: a datagram socket in `$NOTIFY_SOCKET` receives READY=1,
/// then WATCHDOG=1 at half of `$WATCHDOG_USEC`, then STOPPING=1 on SIGTERM.
@Suite struct SystemdNotifyTests {
    /// A bound datagram socket collecting what the service sends.
    final class NotifySocket: Sendable {
        let path: String
        let fd: Int32
        let messages = Mutex<[String]>([])

        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            Thread { [self] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = recv(fd, &buffer, buffer.count, 0)
                    if n > 0 { messages.withLock { $0.append(String(decoding: buffer[..<n], as: UTF8.self)) } }
                    if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { break }
                }
            }.start()
        }

        func count(_ prefix: String) -> Int { messages.withLock { $0.filter { $0.hasPrefix(prefix) }.count } }
        deinit { shutdown(fd, Int32(SHUT_RDWR)); close(fd); unlink(path) }
    }

    @Test(.timeLimit(.minutes(10))) func readyThenWatchdogThenStopping() async throws {
        try await inRealTimeSlot {
            let binary = try #require(builtProduct("checkpointd"))
            let dir = temporaryDirectory()
            try EndToEndTests.config(travellers: 50, speed: 4, state: dir + "/state").write(toFile: dir + "/lane.toml", atomically: true, encoding: .utf8)
            let notify = try NotifySocket(path: dir + "/notify")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--config", dir + "/lane.toml"]
            var environment = ProcessInfo.processInfo.environment
            environment["NOTIFY_SOCKET"] = dir + "/notify"
            environment["WATCHDOG_USEC"] = "1000000"
            process.environment = environment
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { process.terminate() } }

            #expect(await waitUntil(seconds: 30) { notify.count("READY=1") == 1 }, "messages: \(notify.messages.withLock { $0 })")
            #expect(notify.messages.withLock { $0.first { $0.hasPrefix("READY=1") }?.contains("STATUS=1 lane(s)") } == true)
            // Every 0.5 s (half of WATCHDOG_USEC) while the lanes run. A busy machine may send them late, never
            // early: so the test waits for four more, and checks only that they did not come faster than that.
            let (count, seconds) = await Self.watchdogMessages(notify, atLeast: 4, within: 60)
            #expect(count >= 4, "\(count) watchdog messages in \(seconds) s")
            #expect(Double(count) <= seconds / 0.5 + 2, "\(count) watchdog messages in \(seconds) s: more often than every 0.5 s")
            kill(process.processIdentifier, SIGTERM)
            #expect(await waitUntil(seconds: 10) { !process.isRunning })
            #expect(process.terminationStatus == 0)
            #expect(await waitUntil(seconds: 2) { notify.count("STOPPING=1") == 1 })
        }
    }

    @Test func withoutTheWatchdogForThisProcessNothingIsFed() {
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "20000000"]) == .seconds(10))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"]) == nil, "meant for another process")
        #expect(SystemdNotifier.watchdogInterval(environment: [:]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "soon"]) == nil)
    }
}

extension SystemdNotifyTests {
    /// Waits for `atLeast` more WATCHDOG=1 messages; returns how many came and in how many seconds.
    static func watchdogMessages(_ notify: NotifySocket, atLeast wanted: Int, within limit: Double) async -> (count: Int, seconds: Double) {
        let before = notify.count("WATCHDOG=1")
        let start = Date()
        _ = await waitUntil(seconds: limit) { notify.count("WATCHDOG=1") - before >= wanted }
        return (notify.count("WATCHDOG=1") - before, Date().timeIntervalSince(start))
    }
}
