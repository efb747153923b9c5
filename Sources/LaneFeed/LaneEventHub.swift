import Lane

/// Fans lane events out to every open page, and remembers each lane's device health.
///
/// A page that connects late first receives the last status of every device of its lane, then the lane's last
/// few events, so it shows the current verdict and health at once instead of a blank screen.
public actor LaneEventHub {
    private var subscribers: [Int: (lane: String?, continuation: AsyncStream<LaneEvent>.Continuation)] = [:]
    private var recent: [String: [LaneEvent]] = [:]
    /// The last status event per lane and device (camera, scanner, storage, speaker, uplink), and the reference
    /// under "reference" (its paused/resumed events).
    private var devices: [String: [String: LaneEvent]] = [:]
    private var nextID = 0
    static let replayCount = 12

    public init() {}

    public func publish(_ events: [LaneEvent]) {
        for event in events {
            if event.type == .device, let device = event.device {
                devices[event.lane, default: [:]][device] = event
            } else if event.type == .paused || event.type == .resumed {
                devices[event.lane, default: [:]]["reference"] = event
            } else {
                // The first referenced reading shows the reference works (before any pause or resume said so).
                if event.type == .measured, event.referenced == true, devices[event.lane]?["reference"] == nil {
                    var resumed = LaneEvent(type: .resumed, lane: event.lane, t: event.t)
                    resumed.at = event.at
                    devices[event.lane, default: [:]]["reference"] = resumed
                }
                recent[event.lane, default: []].append(event)
                if recent[event.lane]!.count > Self.replayCount { recent[event.lane]!.removeFirst() }
            }
            for (_, subscriber) in subscribers where subscriber.lane == nil || subscriber.lane == event.lane {
                subscriber.continuation.yield(event)
            }
        }
    }

    /// Events for one lane (or all lanes when `lane` is nil), starting with the device states and recent events.
    public func subscribe(lane: String?) -> AsyncStream<LaneEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: LaneEvent.self, bufferingPolicy: .bufferingNewest(256))
        let id = nextID
        nextID += 1
        let lanes = lane.map { [$0] } ?? Array(Set(recent.keys).union(devices.keys)).sorted()
        for name in lanes {
            for event in (devices[name] ?? [:]).values.sorted(by: { $0.t < $1.t }) { continuation.yield(event) }
            for event in recent[name] ?? [] { continuation.yield(event) }
        }
        subscribers[id] = (lane, continuation)
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        return stream
    }

    /// Each lane's devices and whether they work: `["lane-1": ["camera": "online", "reference": "paused", …]]`.
    public func health() -> [String: [String: String]] {
        devices.mapValues { byDevice in
            byDevice.mapValues { event in
                switch event.type {
                case .paused: "paused: " + (event.reason ?? "?")
                case .resumed: "online"
                default: event.status?.rawValue ?? event.reason ?? "?"
                }
            }
        }
    }

    public var subscriberCount: Int { subscribers.count }

    private func unsubscribe(_ id: Int) { subscribers[id] = nil }

    /// Ends every open stream (used at shutdown).
    public func finishAll() {
        for (_, subscriber) in subscribers { subscriber.continuation.finish() }
        subscribers.removeAll()
    }
}
