import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy between the lanes and the hub whose behaviour the chaos test switches while passages flow:
/// it passes bytes, refuses connections, delays every chunk, answers 503 itself, swallows requests without an
/// answer, or forwards a request and then cuts the connection before the hub's answer reaches the lane (the hub
/// stored the batch; the lane must send it again and the hub must not count it twice).
final class ChaosProxy: Sendable {
    enum Mode: Sendable, Equatable, CustomStringConvertible {
        case pass, refuse, delay(milliseconds: Int64), unavailable, blackhole, loseAnswers
        var description: String {
            switch self {
            case .pass: "pass"
            case .refuse: "refuse connections"
            case .delay(let ms): "delay \(ms) ms per chunk"
            case .unavailable: "answer 503"
            case .blackhole: "swallow requests"
            case .loseAnswers: "lose the hub's answers"
            }
        }
    }

    let modes: Modes
    final class Modes: Sendable {
        let current = Mutex(Mode.pass)
        /// Open connections from the lanes: a change of mode cuts them, as a link change would, so a lane's
        /// kept-alive connection cannot carry it through the next mode untouched.
        let open = Mutex<[ObjectIdentifier: any Channel]>([:])
        /// The hub's port: it can change when the hub restarts on another one.
        let upstreamPort: Atomic<Int>
        init(upstreamPort: Int) { self.upstreamPort = Atomic(upstreamPort) }
    }
    private let server: any Channel
    let port: Int
    /// Connections seen and answers cut, for the test's report.
    let stats = Stats()

    final class Stats: Sendable {
        let connections = Atomic(0)
        let cutAnswers = Atomic(0)
    }

    init(upstreamPort: Int) async throws {
        let modes = Modes(upstreamPort: upstreamPort), stats = stats
        self.modes = modes
        server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                stats.connections.add(1, ordering: .relaxed)
                let mode = modes.current.withLock { $0 }
                let id = ObjectIdentifier(inbound)
                modes.open.withLock { $0[id] = inbound }
                inbound.closeFuture.whenComplete { _ in modes.open.withLock { _ = $0.removeValue(forKey: id) } }
                switch mode {
                case .refuse:
                    return inbound.close()
                case .unavailable:
                    return inbound.pipeline.addHandler(Answer503())
                case .blackhole:
                    return inbound.pipeline.addHandler(Swallow())
                default:
                    let delay: TimeAmount? = if case .delay(let ms) = mode { .milliseconds(ms) } else { nil }
                    let lose = mode == .loseAnswers
                    return ClientBootstrap(group: inbound.eventLoop)
                        .connect(host: "127.0.0.1", port: modes.upstreamPort.load(ordering: .relaxed))
                        .flatMap { outbound in
                            let (toHub, toLane) = Glue.pair(delay: delay, loseAnswers: lose, stats: stats)
                            return outbound.pipeline.addHandler(toLane).flatMap { inbound.pipeline.addHandler(toHub) }
                        }
                        .flatMapError { _ in inbound.close() }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = server.localAddress?.port ?? 0
    }

    /// Sends later connections to a hub now listening on `port`.
    func setUpstream(port: Int) { modes.upstreamPort.store(port, ordering: .relaxed) }

    func set(_ newMode: Mode) {
        modes.current.withLock { $0 = newMode }
        for channel in modes.open.withLock({ Array($0.values) }) { channel.close(promise: nil) }
    }

    func close() async { try? await server.close() }
}

/// Forwards reads to the partner channel, optionally late; with `loseAnswers` the hub's answer is dropped and the
/// lane's connection closed when it arrives.
private final class Glue: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: Glue?
    private var context: ChannelHandlerContext?
    private let delay: TimeAmount?
    private let isHubSide: Bool
    private let loseAnswers: Bool
    private let stats: ChaosProxy.Stats

    private init(delay: TimeAmount?, isHubSide: Bool, loseAnswers: Bool, stats: ChaosProxy.Stats) {
        self.delay = delay
        self.isHubSide = isHubSide
        self.loseAnswers = loseAnswers
        self.stats = stats
    }

    /// (handler on the lane's connection, handler on the hub's connection)
    static func pair(delay: TimeAmount?, loseAnswers: Bool, stats: ChaosProxy.Stats) -> (Glue, Glue) {
        let lane = Glue(delay: delay, isHubSide: false, loseAnswers: loseAnswers, stats: stats)
        let hub = Glue(delay: delay, isHubSide: true, loseAnswers: loseAnswers, stats: stats)
        lane.partner = hub
        hub.partner = lane
        return (lane, hub)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if isHubSide && loseAnswers {
            stats.cutAnswers.add(1, ordering: .relaxed)
            partner?.closeNow()
            context.close(promise: nil)
            return
        }
        guard let partner else { return }
        if let delay {
            context.eventLoop.scheduleTask(in: delay) { partner.send(bytes) }
        } else {
            partner.send(bytes)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.closeNow()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }

    private func send(_ bytes: ByteBuffer) {
        guard let context else { return }
        let target = context
        if target.eventLoop.inEventLoop {
            target.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        } else {
            target.eventLoop.execute { target.writeAndFlush(self.wrapOutboundOut(bytes), promise: nil) }
        }
    }

    private func closeNow() {
        guard let context else { return }
        let target = context
        if target.eventLoop.inEventLoop { target.close(promise: nil) } else { target.eventLoop.execute { target.close(promise: nil) } }
    }
}

/// Answers 503 to whatever arrives, then closes (an overloaded reverse proxy in front of the hub).
private final class Answer503: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let text = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text))).whenComplete { _ in context.close(promise: nil) }
    }
}

/// Reads and never answers: the lane's request timeout has to fire.
private final class Swallow: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
