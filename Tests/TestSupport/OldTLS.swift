import Foundation

/// Checks that a server refuses TLS 1.0 and 1.1, and that a client refuses a server that speaks nothing newer.
///
/// curl on Debian 12 refuses TLS 1.0/1.1 by itself at OpenSSL's default security level, so a plain
/// `curl --tls-max 1.1` fails whatever the server allows: a test built on it could not fail. The probe lowers
/// curl's security level, and `OldTLSServer` (openssl s_server limited to TLS 1.1) is there to show that the
/// probe does succeed against a server that allows old TLS.
public enum OldTLS {
    /// Whether a TLS 1.0/1.1 handshake with 127.0.0.1:`port` (trusting `ca`) got an HTTP answer.
    public static func accepted(port: Int, ca: String, path: String = "/healthz") async throws -> Bool {
        let run = try await runTool(
            "/usr/bin/curl",
            ["-sS", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ca, "--tlsv1.0", "--tls-max", "1.1",
             "--ciphers", "DEFAULT:@SECLEVEL=0", "https://127.0.0.1:\(port)\(path)"],
            seconds: 30)
        return run.status == 0 && run.stdout != "000"
    }
}

/// openssl s_server on 127.0.0.1 with the test certificates, speaking TLS 1.1 at most: the old server a client
/// must refuse, and the positive control of `OldTLS.accepted`.
public final class OldTLSServer: @unchecked Sendable {
    public let port: Int
    private let process: Process

    public init(certificates: TestCertificates) async throws {
        for _ in 1...5 {
            let port = freeLoopbackPort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = [
                "s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificates.serverCertificate, "-key", certificates.serverKey,
                "-tls1_1", "-cipher", "ALL:@SECLEVEL=0", "-www", "-quiet",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Listening once a TCP connection gets through (the port may have been taken meanwhile: try another).
            let up = await waitUntil(seconds: 10) {
                guard process.isRunning else { return true }
                return (try? await runTool("/usr/bin/curl", ["-s", "-m", "2", "-o", "/dev/null", "telnet://127.0.0.1:\(port)"], seconds: 5))
                    .map { $0.status != 7 } ?? false
            }
            if up && process.isRunning {
                self.port = port
                self.process = process
                return
            }
            process.terminate()
        }
        throw TestPostgresError("openssl s_server did not start")
    }

    deinit { process.terminate() }
}
