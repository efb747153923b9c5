import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Debian's Chromium, headless, driven over the DevTools protocol through a pipe (`--remote-debugging-pipe`:
/// commands on the browser's fd 3, answers and events on its fd 4, each message JSON ending in a NUL byte).
/// No WebSocket and no port: nothing else on the box can talk to this browser.
///
/// Used by the browser tests and the latency benchmark to load the real lane page the way the kiosk shows it.
/// Calls block: run them off the cooperative pool.
public final class HeadlessChromium: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let pid: pid_t
    private let toBrowser: Int32
    private let fromBrowser: Int32
    private let profile: String
    private var buffer: [UInt8] = []
    private var nextID = 1
    private let lock = NSLock()
    /// The page's session (after `open`).
    private var session: String?

    public static let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
    public static var executable: String? { candidates.first { FileManager.default.isExecutableFile(atPath: $0) } }

    public init(width: Int = 1280, height: Int = 720) throws {
        guard let executable = Self.executable else { throw Failure(description: "Chromium is not installed (apt-get install chromium)") }
        profile = NSTemporaryDirectory() + "checkpoint-chromium-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var commands: [Int32] = [0, 0], answers: [Int32] = [0, 0]
        guard pipe(&commands) == 0, pipe(&answers) == 0 else { throw Failure(description: "pipe() failed: errno \(errno)") }
        let arguments = [
            executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars", "--mute-audio", "--disable-dev-shm-usage",
            "--user-data-dir=\(profile)", "--window-size=\(width),\(height)", "about:blank",
        ]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, commands[0], 3)
        posix_spawn_file_actions_adddup2(&actions, answers[1], 4)
        let devNull = open("/dev/null", O_WRONLY)
        posix_spawn_file_actions_adddup2(&actions, devNull, 1)
        posix_spawn_file_actions_adddup2(&actions, devNull, 2)
        // Nothing else of ours may leak into the browser: an inherited listening socket would keep the port
        // after the server closed it (the browser outlives servers in the tests).
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) } ?? []
        for fd in open where fd > 4 { posix_spawn_file_actions_addclose(&actions, fd) }
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, &argv, environ)
        close(devNull)
        close(commands[0])
        close(answers[1])
        guard status == 0 else { throw Failure(description: "cannot start \(executable): error \(status)") }
        pid = child
        toBrowser = commands[1]
        fromBrowser = answers[0]
    }

    deinit { quit() }

    private var closed = false

    public func quit() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        close(toBrowser)
        close(fromBrowser)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(atPath: profile)
    }

    /// Sends one command and waits for its answer's `result` (events that arrive meanwhile are dropped).
    @discardableResult
    public func send(_ method: String, _ params: [String: Any] = [:], page: Bool = true, timeout: Double = 30) throws -> [String: Any] {
        lock.lock()
        defer { lock.unlock() }
        let id = nextID
        nextID += 1
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if page, let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(toBrowser, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "the browser closed its pipe (\(method))") }
            offset += n
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = buffer.firstIndex(of: 0) {
                let text = Array(buffer[..<end])
                buffer.removeFirst(end + 1)
                guard let object = try? JSONSerialization.jsonObject(with: Data(text)) as? [String: Any],
                    object["id"] as? Int == id
                else { continue }
                if let error = object["error"] as? [String: Any] {
                    throw Failure(description: "\(method): \(error["message"] as? String ?? "error")")
                }
                return object["result"] as? [String: Any] ?? [:]
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw Failure(description: "no answer to \(method) within \(timeout) s") }
            var poller = pollfd(fd: fromBrowser, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(min(left, 1) * 1000)) >= 0 else { continue }
            guard poller.revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = read(fromBrowser, &chunk, chunk.count)
            guard n > 0 else { throw Failure(description: "the browser exited (\(method))") }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// Opens a tab on `url` and waits until its document has loaded.
    public func load(_ url: String) throws {
        let target = try send("Target.createTarget", ["url": "about:blank"], page: false)
        guard let targetID = target["targetId"] as? String else { throw Failure(description: "no target id") }
        let attached = try send("Target.attachToTarget", ["targetId": targetID, "flatten": true], page: false)
        lock.withLock { session = attached["sessionId"] as? String }
        try send("Page.enable")
        let navigation = try send("Page.navigate", ["url": url])
        if let error = navigation["errorText"] as? String { throw Failure(description: "\(url): \(error)") }
        let deadline = Date().addingTimeInterval(30)
        let loaded = "location.href === \(String(decoding: try JSONSerialization.data(withJSONObject: [url]), as: UTF8.self))[0] && document.readyState === 'complete'"
        while (try? evaluate(loaded)) as? Bool != true {
            guard Date() < deadline else {
                let state = (try? evaluate("location.href + ' ' + document.readyState")) as? String ?? "?"
                throw Failure(description: "\(url) did not load within 30 s (\(state))")
            }
            usleep(50_000)
        }
    }

    /// The value of a JavaScript expression in the page (JSON-compatible values only).
    public func evaluate(_ expression: String) throws -> Any? {
        let result = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] as? [String: Any] {
            throw Failure(description: "script failed: \((exception["exception"] as? [String: Any])?["description"] as? String ?? "\(exception)")")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// A PNG screenshot of the viewport.
    public func screenshot() throws -> Data {
        let result = try send("Page.captureScreenshot", ["format": "png"])
        guard let base64 = result["data"] as? String, let data = Data(base64Encoded: base64) else {
            throw Failure(description: "no screenshot data")
        }
        return data
    }
}
