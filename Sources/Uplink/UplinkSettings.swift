import Crypto
import UplinkProtocol

/// Where and how a box sends its lanes' passages (the `[uplink]` table of the configuration).
public struct UplinkSettings: Sendable, Equatable {
    public static func == (a: UplinkSettings, b: UplinkSettings) -> Bool {
        a.url == b.url && a.checkpointID == b.checkpointID && a.caFile == b.caFile && a.clientCertificateFile == b.clientCertificateFile
            && a.clientKeyFile == b.clientKeyFile && a.tokens == b.tokens && a.batchSize == b.batchSize && a.idleInterval == b.idleInterval
            && a.timeout == b.timeout && a.backoff == b.backoff && a.tracingKey?.rawRepresentation == b.tracingKey?.rawRepresentation
    }

    /// The hub's batch endpoint, e.g. `https://hub.soyte.example.vn/v1/batches`.
    public var url: String
    /// The checkpoint's provincial id; a lane's provincial id is `<checkpoint id>/<lane id>`.
    public var checkpointID: String
    /// PEM file of the CA that signed the hub's certificate. Only certificates under it are trusted (no system store).
    public var caFile: String?
    /// Client certificate and key (PEM), when the province asks for mutual TLS.
    public var clientCertificateFile: String?
    public var clientKeyFile: String?
    /// Bearer token per lane id (the box's lane ids, as in `[[lane]] id`).
    public var tokens: [String: String]
    public var batchSize: Int
    /// Seconds between looks at the outbox when everything has been sent.
    public var idleInterval: Double
    /// Seconds a request may take before it counts as failed.
    public var timeout: Double
    public var backoff: Backoff
    /// The province's public tracing key (`tracing_key_file`): identity numbers are sealed to it (`SealedIdentity`).
    public var tracingKey: TracingKey.PublicKey?

    public init(
        url: String, checkpointID: String, caFile: String? = nil, clientCertificateFile: String? = nil,
        clientKeyFile: String? = nil, tokens: [String: String], batchSize: Int = 100, idleInterval: Double = 2,
        timeout: Double = 20, backoff: Backoff = Backoff()
    ) {
        self.url = url
        self.checkpointID = checkpointID
        self.caFile = caFile
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
        self.tokens = tokens
        self.batchSize = batchSize
        self.idleInterval = idleInterval
        self.timeout = timeout
        self.backoff = backoff
    }

    public func provincialLane(_ laneID: String) -> String { "\(checkpointID)/\(laneID)" }
}
