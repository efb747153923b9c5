import Foundation

/// The PostgreSQL server that `Tests/postgres/with-postgres.sh` (run by `make test`) started for this test run.
/// Each test makes its own database on it, so tests never see each other's rows.
public enum TestPostgres {
    public struct Server: Sendable {
        public let port: Int
        public let user: String
        let script: String
    }

    /// The server, or an error that says how to get one (`make test` starts it; `swift test` alone does not).
    public static func server() throws -> Server {
        let env = ProcessInfo.processInfo.environment
        guard let port = env["CHECKPOINT_TEST_PG_PORT"].flatMap(Int.init), let script = env["CHECKPOINT_TEST_PG_SCRIPT"] else {
            throw TestPostgresError(
                "no test PostgreSQL server: run the hub's tests through `make test`, or `Tests/postgres/with-postgres.sh run swift test --filter HubTests`")
        }
        return Server(port: port, user: env["CHECKPOINT_TEST_PG_USER"] ?? "hub", script: script)
    }

    /// A new, empty database on the test server; returns its name.
    public static func freshDatabase(_ prefix: String = "hub") async throws -> (server: Server, name: String) {
        let server = try server()
        let name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
        let run = try await runTool("/usr/bin/psql", ["-h", "127.0.0.1", "-p", "\(server.port)", "-U", server.user, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name)"])
        guard run.status == 0 else { throw TestPostgresError("CREATE DATABASE failed: \(run.stderr)") }
        return (server, name)
    }

    /// A server of the test's own, for a test that kills and restarts its database: doing that to the shared
    /// server would fail every other hub test running beside it.
    public static func privateServer(_ prefix: String = "hub") async throws -> PrivateServer {
        let shared = try server()
        let directory = "/tmp/checkpoint-pg-\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
        let run = try await runTool("/bin/sh", [shared.script, "new", directory], seconds: 120)
        guard run.status == 0, let port = Int(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestPostgresError("with-postgres.sh new failed: \(run.stderr)")
        }
        let server = PrivateServer(server: Server(port: port, user: shared.user, script: shared.script), directory: directory)
        let created = try await runTool("/usr/bin/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", shared.user, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(prefix)"])
        guard created.status == 0 else {
            await server.remove()
            throw TestPostgresError("CREATE DATABASE failed: \(created.stderr)")
        }
        return server
    }

    public struct PrivateServer: Sendable {
        public let server: Server
        public let directory: String
        public var port: Int { server.port }

        /// Stops the server at once, as a crash or power cut of the database machine would.
        public func kill() async throws { try await control("kill") }

        /// Starts it again on the same port with the same data.
        public func start() async throws { try await control("start") }

        /// Stops it and deletes its files.
        public func remove() async { _ = try? await runTool("/bin/sh", [server.script, "remove", directory], seconds: 60) }

        func control(_ verb: String) async throws {
            let run = try await runTool("/bin/sh", [server.script, verb, directory], seconds: 90)
            guard run.status == 0 else { throw TestPostgresError("with-postgres.sh \(verb) failed: \(run.stderr)") }
        }
    }

    /// Runs one SQL statement with psql and returns its unaligned output.
    public static func psql(_ database: String, _ sql: String, on server: Server? = nil) async throws -> String {
        let server = try server ?? Self.server()
        let run = try await runTool("/usr/bin/psql", ["-h", "127.0.0.1", "-p", "\(server.port)", "-U", server.user, "-d", database, "-tAX", "-v", "ON_ERROR_STOP=1", "-c", sql])
        guard run.status == 0 else { throw TestPostgresError("psql failed: \(run.stderr)") }
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

public struct TestPostgresError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A private CA and a certificate it signed for 127.0.0.1 and localhost, made with openssl for TLS tests.
public struct TestCertificates: Sendable {
    public let directory: String
    public var caCertificate: String { directory + "/ca.pem" }
    public var serverCertificate: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    public var clientCertificate: String { directory + "/client.pem" }
    public var clientKey: String { directory + "/client.key" }

    /// Makes a CA, a server certificate and a client certificate under `name` in a new directory.
    public static func make(name: String = "test") async throws -> TestCertificates {
        let dir = temporaryDirectory("certs")
        let script = """
            set -e
            cd '\(dir)'
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj '/CN=\(name) CA' -keyout ca.key -out ca.pem 2>/dev/null
            for who in server client; do
              openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=\(name) $who" -keyout $who.key -out $who.csr 2>/dev/null
              printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth,clientAuth\\n' > $who.ext
              openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile $who.ext -out $who.pem 2>/dev/null
            done
            """
        let run = try await runTool("/bin/sh", ["-c", script])
        guard run.status == 0 else { throw TestPostgresError("openssl failed: \(run.stderr)") }
        return TestCertificates(directory: dir)
    }
}

/// A TCP socket bound to a free port on 127.0.0.1 (listening, when asked): the descriptor and the port.
func boundLoopbackSocket(listening: Bool) -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    if listening { _ = listen(fd, 64) }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// A free TCP port on 127.0.0.1 (bound and released: a service that must come back on the same port gets it).
public func freeLoopbackPort() -> Int {
    let (fd, port) = boundLoopbackSocket(listening: false)
    close(fd)
    return port
}

/// A port on 127.0.0.1 that is bound but not listening, for as long as this object lives: a connection to it is
/// refused, and no other process can take the port meanwhile (a port bound and released could be).
public final class ClosedLoopbackPort: Sendable {
    public let port: Int
    let fd: Int32

    public init() { (fd, port) = boundLoopbackSocket(listening: false) }

    deinit { close(fd) }
}

/// A TCP listener on 127.0.0.1 that never accepts and never speaks: the kernel completes connections into its
/// backlog, so a client connects and then hears nothing (a frozen server, a half-open link).
public final class SilentListener: Sendable {
    public let port: Int
    let fd: Int32

    public init() { (fd, port) = boundLoopbackSocket(listening: true) }

    deinit { close(fd) }
}

/// Many TCP connections to a loopback port, opened without waiting (non-blocking connect) and left idle, or with
/// half a request head: what an attacker on the checkpoint's LAN can do without a token.
public final class ConnectionFlood: @unchecked Sendable {
    public private(set) var sockets: [Int32] = []

    /// Raises this process's open-file limit so the flood itself fits (the soft limit is often 1,024).
    public static func raiseOwnFileLimit(to wanted: rlim_t = 16384) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        limit.rlim_cur = min(wanted, limit.rlim_max)
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// `from`: the source address (any of 127.0.0.0/8 reaches a loopback listener), so a test can tell the flood's
    /// machine from a lane's.
    public init(port: Int, count: Int, halfRequest: Bool, from source: String? = nil) {
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { break }
            if let source {
                var local = sockaddr_in()
                local.sin_family = sa_family_t(AF_INET)
                local.sin_addr.s_addr = inet_addr(source)
                _ = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            sockets.append(fd)
        }
        if halfRequest {
            usleep(200_000)  // let the connections complete, then send a head that never ends
            for fd in sockets { _ = "GET / HTTP/1.1\r\nHost: lane\r\nX-Slow: ".withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
        }
    }

    public func close() {
        for fd in sockets { Glibc.close(fd) }
        sockets = []
    }

    deinit { close() }
}
