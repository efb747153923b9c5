import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import UplinkProtocol

/// POSTs batches as JSON over HTTPS with async-http-client. The hub's certificate must chain to the configured
/// CA (the system's CA store is not consulted when a CA file is given); a client certificate is presented when
/// configured. One client, one connection pool, for all of the box's lanes.
public final class HTTPSUplinkTransport: UplinkTransport {
    let client: HTTPClient
    let url: String
    let timeout: TimeAmount
    /// TCP connect and TLS handshake: a 3G link connects in well under a second; longer means nobody answers.
    static let connectTimeout = TimeAmount.seconds(5)

    public init(settings: UplinkSettings) throws(UplinkSetupError) {
        let tls = try Self.tlsConfiguration(settings)
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            timeout: .init(connect: Self.connectTimeout, read: .milliseconds(Int64(settings.timeout * 1000))))
        configuration.httpVersion = .http1Only
        // The client's own retries of a failed connection (a refusal, a wrong CA) hid the cause behind the whole
        // request timeout; the drainer already retries with its backoff, so a failure is reported at once.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        url = settings.url
        timeout = .milliseconds(Int64(settings.timeout * 1000))
    }

    /// The TLS settings from the configured files; throws naming the file that cannot be read. The service
    /// calls it at start, so a wrong path stops `checkpointd` with a clear message instead of failing later.
    public static func tlsConfiguration(_ settings: UplinkSettings) throws(UplinkSetupError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12  // NIOSSL's default still allows TLS 1.0
        do {
            if let ca = settings.caFile { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca)) }
        } catch { throw UplinkSetupError("uplink.ca_file \(settings.caFile ?? ""): \(error)") }
        if let cert = settings.clientCertificateFile, let key = settings.clientKeyFile {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            } catch { throw UplinkSetupError("uplink.client_certificate/client_key: \(error)") }
        }
        return tls
    }

    public func send(_ batch: UplinkBatch, token: String) async -> UplinkSendResult {
        let body: Data
        do { body = try JSONEncoder().encode(batch) } catch { return .failed("cannot encode the batch: \(error)") }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 4 << 20)
            let data = Data(bytes.readableBytesView)
            return Self.interpret(status: Int(response.status.code), body: data)
        } catch {
            return .failed(Self.describe(error, url: url, timeout: timeout))
        }
    }

    /// Reads the hub's answer. Pure, so every status is tested without a network.
    public static func interpret(status: Int, body: Data) -> UplinkSendResult {
        switch status {
        case 200:
            guard let answer = try? JSONDecoder().decode(UplinkAnswer.self, from: body) else {
                return .failed("HTTP 200 without the hub's answer (a captive portal or a proxy?)")
            }
            return .stored(answer)
        case 401, 403:
            return .failed("HTTP \(status): the hub refused this lane's token")
        case 408, 429:
            return .failed("HTTP \(status): the hub asks to wait")
        case 400..<500:
            let refusal = (try? JSONDecoder().decode(UplinkRefusal.self, from: body))
                ?? UplinkRefusal(error: String(decoding: body.prefix(300), as: UTF8.self))
            return .refused(status: status, refusal)
        default:
            return .failed("HTTP \(status) from the hub")
        }
    }

    /// A failure in a technician's words: what happened and what to check.
    static func describe(_ error: any Error, url: String, timeout: TimeAmount) -> String {
        let components = URLComponents(string: url)
        let host = components?.host ?? url
        let address = "\(host):\(components?.port ?? (components?.scheme == "https" ? 443 : 80))"
        let seconds = { (t: TimeAmount) in "\(t.nanoseconds / 1_000_000_000) s" }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "the hub at \(address) refused the connection: nothing listens there (is checkpoint-hub running? is the port in uplink.url right?)"
            case ENETUNREACH, EHOSTUNREACH: return "no route to the hub at \(address): check the lane's network link and gateway"
            case ECONNRESET, EPIPE: return "the hub at \(address) closed the connection mid-way (a proxy or firewall in between?)"
            default: return "cannot reach the hub at \(address): \(String(cString: strerror(io.errnoCode)))"
            }
        }
        if let http = error as? HTTPClientError {
            switch http {
            case .connectTimeout: return "the hub at \(address) did not accept a connection within \(seconds(connectTimeout)): check the network link, the address in uplink.url and the province's firewall"
            case .tlsHandshakeTimeout: return "the TLS handshake with the hub at \(address) did not finish within \(seconds(connectTimeout)): is it an https port?"
            case .deadlineExceeded, .readTimeout: return "the hub at \(address) did not answer within \(seconds(timeout)) (it or its database is overloaded or away)"
            case .remoteConnectionClosed: return "the hub at \(address) closed the connection before answering"
            default: break
            }
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return "TLS with the hub at \(address) failed (\(error)): is the hub's certificate signed by uplink.ca_file and issued for \(host)? is the lane's clock right?"
        }
        if error is NIOConnectionError { return "cannot reach the hub at \(address): is the name in uplink.url right, and does the lane's DNS answer?" }
        return "no answer from the hub at \(address): \(error)"
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}

public struct UplinkSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
