import Lane

/// Fans lane events out to every open page. A page that connects late first receives the lane's last few events,
/// so it shows the current verdict and device status at once instead of a blank screen.
public actor LaneEventHub {
    private var subscribers: [Int: (lane: String?, continuation: AsyncStream<LaneEvent>.Continuation)] = [:]
    private var recent: [String: [LaneEvent]] = [:]
    private var nextID = 0
    static let replayCount = 12

    public init() {}

    public func publish(_ events: [LaneEvent]) {
        for event in events {
            recent[event.lane, default: []].append(event)
            if recent[event.lane]!.count > Self.replayCount { recent[event.lane]!.removeFirst() }
            for (_, subscriber) in subscribers where subscriber.lane == nil || subscriber.lane == event.lane {
                subscriber.continuation.yield(event)
            }
        }
    }

    /// Events for one lane (or all lanes when `lane` is nil), starting with the recent ones.
    public func subscribe(lane: String?) -> AsyncStream<LaneEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: LaneEvent.self, bufferingPolicy: .bufferingNewest(256))
        let id = nextID
        nextID += 1
        let replay = lane.map { recent[$0] ?? [] } ?? recent.values.flatMap { $0 }.sorted { $0.t < $1.t }
        for event in replay { continuation.yield(event) }
        subscribers[id] = (lane, continuation)
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        return stream
    }

    public var subscriberCount: Int { subscribers.count }

    private func unsubscribe(_ id: Int) { subscribers[id] = nil }

    /// Ends every open stream (used at shutdown).
    public func finishAll() {
        for (_, subscriber) in subscribers { subscriber.continuation.finish() }
        subscribers.removeAll()
    }
}
