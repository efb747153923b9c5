import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Synchronization

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
/// - One peer address holds at most `perPeer` of them; more are closed as they arrive, so one machine cannot take
///   every slot from the others (the lanes behind a checkpoint's NAT share one address: they need a few each).
/// - Request heads are capped by the HTTP decoder's limits (field size, field count); bodies by each route.
public struct ServerLimits: Sendable {
    public var maxConnections: Int
    public var perPeer: Int
    public var idleTimeout: Duration
    public var backlog: Int

    public init(maxConnections: Int, perPeer: Int, idleTimeout: Duration, backlog: Int = 128) {
        self.maxConnections = maxConnections
        self.perPeer = perPeer
        self.idleTimeout = idleTimeout
        self.backlog = backlog
    }

    /// The lane page: the kiosk browser and a few phones per lane.
    public static let lanePage = ServerLimits(maxConnections: 128, perPeer: 48, idleTimeout: .seconds(10))
    /// The supervisor page: a few staff.
    public static let supervisor = ServerLimits(maxConnections: 64, perPeer: 24, idleTimeout: .seconds(10))
    /// The provincial hub: hundreds of lanes keeping a connection alive between batches, districts, reports.
    public static let hub = ServerLimits(maxConnections: 512, perPeer: 64, idleTimeout: .seconds(15), backlog: 256)

    public func configuration(address: BindAddress, serverName: String, logger: Logger) -> ApplicationConfiguration {
        ApplicationConfiguration(
            address: address, serverName: serverName, backlog: backlog,
            availableConnectionsDelegate: MaximumAvailableConnections(maxConnections, logger: logger))
    }

    /// HTTP/1.1 with the idle timeout and head limits (16 KB per field, 64 KB and 64 fields per head).
    public var http1: HTTPServerBuilder {
        let peers = PeerConnections(limit: perPeer)
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [PeerLimitHandler(peers: peers)],
                idleTimeout: .nanoseconds(Int64(idleTimeout.components.seconds) * 1_000_000_000 + idleTimeout.components.attoseconds / 1_000_000_000),
                httpDecoderConfiguration: .init(maxHeaderFieldSize: 16 << 10, maxHeaderListSize: 64 << 10, maxHeaderFieldCount: 64)))
    }
}

/// Open connections per peer address, shared by one listener's connections.
final class PeerConnections: Sendable {
    let limit: Int
    private let counts = Mutex<[String: Int]>([:])

    init(limit: Int) { self.limit = limit }

    /// Counts a new connection from `peer`; false (not counted) when the peer already holds `limit`.
    func open(_ peer: String) -> Bool {
        counts.withLock { counts in
            guard counts[peer, default: 0] < limit else { return false }
            counts[peer, default: 0] += 1
            return true
        }
    }

    func close(_ peer: String) {
        counts.withLock { counts in
            let n = counts[peer, default: 1] - 1
            counts[peer] = n > 0 ? n : nil
        }
    }
}

/// Closes a connection at once when its peer already holds its share of the listener's connections.
final class PeerLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Never
    let peers: PeerConnections
    private var counted: String?

    init(peers: PeerConnections) { self.peers = peers }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let peer = context.channel.remoteAddress?.ipAddress else { return }
        if peers.open(peer) { counted = peer } else { context.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if let peer = counted { peers.close(peer) }
        counted = nil
    }
}

/// A request context that knows the peer's address: for the logs of refused tokens and the tracing audit.
public struct PeerContext: RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
