import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// What every HTTP listener of the appliance allows one client, so that no number of idle, slow or half-open
/// connections on the checkpoint's LAN can stop the process. Before these, 1,100 idle TCP connections to the
/// supervisor port ran `checkpointd` out of file descriptors (1,024) and libdispatch aborted it; the hub stopped
/// answering its lanes.
///
/// - At most `maxConnections` are open at once; past it the listener stops accepting (the kernel queues up to
///   `backlog` more, then refuses), so descriptors stay bounded. Size `LimitNOFILE` in the unit above the sum.
/// - A connection with no request in progress for `idleTimeout` is closed: one that never sends a request, one
///   that sends half a header and stops, a kept-alive one left behind. A response being written (an open event
///   stream) is not idle.
/// - Request heads are capped by the HTTP decoder's limits (field size, field count); bodies by each route.
public struct ServerLimits: Sendable {
    public var maxConnections: Int
    public var idleTimeout: Duration
    public var backlog: Int

    public init(maxConnections: Int, idleTimeout: Duration, backlog: Int = 128) {
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.backlog = backlog
    }

    /// The lane page: the kiosk browser and a few phones per lane.
    public static let lanePage = ServerLimits(maxConnections: 128, idleTimeout: .seconds(10))
    /// The supervisor page: a few staff.
    public static let supervisor = ServerLimits(maxConnections: 64, idleTimeout: .seconds(10))
    /// The provincial hub: hundreds of lanes keeping a connection alive between batches, districts, reports.
    public static let hub = ServerLimits(maxConnections: 512, idleTimeout: .seconds(30), backlog: 256)

    public func configuration(address: BindAddress, serverName: String, logger: Logger) -> ApplicationConfiguration {
        ApplicationConfiguration(
            address: address, serverName: serverName, backlog: backlog,
            availableConnectionsDelegate: MaximumAvailableConnections(maxConnections, logger: logger))
    }

    /// HTTP/1.1 with the idle timeout and head limits (16 KB per field, 64 KB and 64 fields per head).
    public var http1: HTTPServerBuilder {
        .http1(
            configuration: .init(
                idleTimeout: .nanoseconds(Int64(idleTimeout.components.seconds) * 1_000_000_000 + idleTimeout.components.attoseconds / 1_000_000_000),
                httpDecoderConfiguration: .init(maxHeaderFieldSize: 16 << 10, maxHeaderListSize: 64 << 10, maxHeaderFieldCount: 64)))
    }
}
