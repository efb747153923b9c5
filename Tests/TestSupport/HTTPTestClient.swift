#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import Synchronization

/// A minimal HTTP/1.1 client over a real TCP socket on 127.0.0.1, for tests of the real server: plain GETs, and
/// server-sent event streams read line by line on a background thread.
public enum HTTPTestClient {
    public struct Response: Sendable {
        public var status: Int
        public var headers: String
        public var body: String
        public var bytes: Data
    }

    public enum Failure: Error { case connect(Int32), send, malformed }

    /// `timeoutSeconds` bounds each read: generous by default, because a hub opening sealed identities or a tracing
    /// query on a busy machine can take more than the 5 s it once was (an empty answer failed CI as `.malformed`).
    static func connect(port: Int, timeoutSeconds: Int = 60) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw Failure.connect(errno)
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func send(_ fd: Int32, path: String, method: String = "GET", headers: [String: String] = [:], body: String = "") throws {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAccept: */*\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        if method != "GET" { request += "Content-Length: \(body.utf8.count)\r\n" }
        request += "\r\n" + body
        let sent = request.withCString { Glibc.send(fd, $0, strlen($0), 0) }
        guard sent > 0 else { throw Failure.send }
    }

    /// Any method, with headers and a body.
    public static func request(
        port: Int, method: String, path: String, headers: [String: String] = [:], body: String = ""
    ) async throws -> Response {
        try await onOwnThread { try blockingGet(port: port, path: path, method: method, headers: headers, body: body) }
    }

    /// GET a path and read the whole response. The blocking socket calls run on a thread of their own: on the
    /// cooperative pool (2 threads on a 2-core box) they would starve the very server they are waiting for.
    public static func get(port: Int, path: String) async throws -> Response {
        try await onOwnThread { try blockingGet(port: port, path: path) }
    }

    static func blockingGet(
        port: Int, path: String, method: String = "GET", headers: [String: String] = [:], body requestBody: String = ""
    ) throws -> Response {
        let fd = try connect(port: port)
        defer { close(fd) }
        try send(fd, path: path, method: method, headers: headers, body: requestBody)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n"), let rawSplit = data.range(of: Data("\r\n\r\n".utf8)) else { throw Failure.malformed }
        let head = String(text[..<split.lowerBound])
        let statusLine = head.split(separator: "\r\n").first ?? ""
        guard let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { throw Failure.malformed }
        var body = String(text[split.upperBound...])
        if head.lowercased().contains("transfer-encoding: chunked") { body = dechunk(body) }
        return Response(status: status, headers: head, body: body, bytes: data[rawSplit.upperBound...])
    }

    static func dechunk(_ s: String) -> String {
        var out = "", rest = Substring(s)
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let start = lineEnd.upperBound
            let bytes = Array(rest[start...].utf8)
            out += String(decoding: bytes.prefix(size), as: UTF8.self)
            rest = Substring(String(decoding: bytes.dropFirst(size + 2), as: UTF8.self))
        }
        return out
    }
}

/// Reads a server-sent event stream on its own thread and keeps every `data:` line.
public final class SSETestReader: Sendable {
    private let lines = Mutex<[String]>([])
    private let alive = Atomic<Int>(0)
    private let finished = Atomic<Bool>(false)
    private let socket: Int32

    public init(port: Int, path: String = "/events") throws {
        socket = try HTTPTestClient.connect(port: port, timeoutSeconds: 1)
        try HTTPTestClient.send(socket, path: path)
        let fd = socket
        Thread.detachNewThread { [self] in
            // Split on the byte 0x0A: as Characters, "\r\n" is one grapheme and would hide the line break
            // between a chunk-size line and the data line that follows it.
            var pending: [UInt8] = []
            // Inside a named event (`event: alive`, the heartbeat) until the blank line that ends it.
            var named = false
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n == 0 { break }
                if n < 0 {
                    if errno == EAGAIN || errno == EINTR { continue }
                    break
                }
                pending += buffer[0..<n]
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    if line.hasPrefix("event: ") {
                        named = true
                    } else if line.hasPrefix("data: ") {
                        if named {
                            self.alive.add(1, ordering: .relaxed)
                        } else {
                            self.lines.withLock { $0.append(String(line.dropFirst(6))) }
                        }
                    } else if line.isEmpty || line == "\r" {
                        named = false
                    }
                }
            }
            self.finished.store(true, ordering: .sequentiallyConsistent)
        }
    }

    /// Heartbeats (`event: alive`) received so far.
    public var heartbeats: Int { alive.load(ordering: .relaxed) }

    /// The `data:` payloads of lane events (unnamed events) received so far.
    public var dataLines: [String] { lines.withLock { $0 } }
    /// True once the server closed the stream.
    public var isFinished: Bool { finished.load(ordering: .sequentiallyConsistent) }

    /// Decoded JSON objects received so far.
    public var objects: [[String: Any]] {
        dataLines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    deinit { close(socket) }
}

/// Runs blocking work on a new thread and awaits its result without holding a cooperative-pool thread.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

/// Waits for a child process to exit without blocking a cooperative-pool thread.
public func waitForExit(_ process: Process) async {
    while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
}

/// Polls `condition` until it holds or `seconds` pass; returns whether it held.
public func waitUntil(seconds: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// Path of an executable this package built (the tests run from the same build folder).
public func builtProduct(_ name: String) -> String? {
    var candidates: [URL] = []
    if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    for directory in candidates {
        var dir = directory
        for _ in 0..<4 {
            let path = dir.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
            dir = dir.deletingLastPathComponent()
        }
    }
    let fallback = FileManager.default.currentDirectoryPath + "/.build/debug/" + name
    return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
}

/// A fresh temporary directory.
public func temporaryDirectory(_ prefix: String = "checkpoint-test") -> String {
    let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs CPU-heavy test work (simulated scenes, recordings) on a thread of its own, one such job at a time: the
/// cooperative pool stays free and one core stays free for the tests that run devices and servers in real time.
public func cpuHeavy<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await onOwnThread {
        heavyWorkLock.lock()
        defer { heavyWorkLock.unlock() }
        return try work()
    }
}

private let heavyWorkLock = NSLock()
