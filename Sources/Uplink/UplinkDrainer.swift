import Crypto
import Declarations
import Foundation
import Store
import UplinkProtocol

/// Sends one lane's outbox, a batch at a time, and applies the hub's answer to it. Nothing leaves the outbox
/// unless the hub named it as stored. A refused batch is narrowed down: passages the hub names are set aside
/// with its reason, and a refusal that names none halves the batch until the one passage at fault is found,
/// so one bad passage never blocks the lane's backlog.
public actor UplinkDrainer {
    public nonisolated let lane: String
    public nonisolated let provincialLane: String
    let store: LaneStore
    let transport: any UplinkTransport
    let token: String
    let maxBatch: Int
    let parser: DeclarationParser
    let tracingKey: TracingKey.PublicKey?
    let now: @Sendable () -> Date
    /// The batch size in use: lowered while a refused batch is narrowed down, doubled back after successes.
    private(set) var batchSize: Int

    public enum Step: Sendable, Equatable {
        /// Nothing waits.
        case idle
        case sent(acknowledged: Int, duplicates: Int)
        /// The hub refused the batch; `setAside` passages were put aside (0: the batch was halved instead).
        case narrowed(setAside: Int)
        case failed(String)
    }

    public init(
        lane: String, settings: UplinkSettings, store: LaneStore, transport: any UplinkTransport,
        parser: DeclarationParser = DeclarationParser(), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.lane = lane
        provincialLane = settings.provincialLane(lane)
        self.store = store
        self.transport = transport
        token = settings.tokens[lane] ?? ""
        maxBatch = max(1, min(settings.batchSize, UplinkSchema.maxPassages))
        batchSize = maxBatch
        self.parser = parser
        tracingKey = settings.tracingKey
        self.now = now
    }

    /// One round trip. Storage errors are thrown (the service logs them and tries again later).
    public func step() async throws -> Step {
        let rows = try await store.outboxBatch(lane: lane, limit: batchSize)
        guard !rows.isEmpty else { return .idle }
        let passages = rows.map { UplinkPayload.passage($0, provincialLane: provincialLane, parser: parser, tracingKey: tracingKey) }
        let batch = UplinkBatch(lane: provincialLane, sentAt: UplinkValidation.timestamp(now()), passages: passages)
        switch await transport.send(batch, token: token) {
        case .stored(let answer):
            let byKey = Dictionary(uniqueKeysWithValues: passages.map { ($0.key, $0.passageID) })
            let ids = answer.accepted.compactMap { byKey[$0] }
            let sealed = Dictionary(passages.compactMap { p in p.identity.map { (p.passageID, $0.keyID) } }, uniquingKeysWith: { a, _ in a })
            try await store.acknowledge(lane: lane, passageIDs: ids, sealedTo: sealed, at: now())
            // What the hub refused is set aside with its reason: kept here, counted in the status, sent again only
            // when a technician says so (`checkpointctl uplink retry`).
            for refused in answer.rejected { if let id = byKey[refused.key] { try await store.setAside(passageID: id, reason: refused.reason) } }
            if ids.isEmpty && !answer.rejected.isEmpty { return .narrowed(setAside: answer.rejected.count) }
            if batchSize < maxBatch { batchSize = min(maxBatch, batchSize * 2) }
            if ids.isEmpty { return .failed("the hub answered 200 but acknowledged none of the \(passages.count) passages") }
            if ids.count + answer.rejected.count < passages.count {
                // The hub stored fewer than sent without refusing: the rest stay and go again.
                try await store.recordUplinkFailure(lane: lane, error: "the hub acknowledged \(ids.count) of \(passages.count)", at: now())
            }
            return .sent(acknowledged: ids.count, duplicates: answer.duplicates)
        case .refused(let status, let refusal):
            let keyed = Dictionary(uniqueKeysWithValues: passages.map { ($0.key, $0.passageID) })
            let named = refusal.rejected.compactMap { r in keyed[r.key].map { ($0, r.reason) } }
            try await store.recordUplinkFailure(lane: lane, error: "HTTP \(status): \(refusal.error)", at: now())
            if !named.isEmpty {
                for (id, reason) in named { try await store.setAside(passageID: id, reason: "HTTP \(status): \(reason)") }
                return .narrowed(setAside: named.count)
            }
            if rows.count == 1 {
                try await store.setAside(passageID: rows[0].id ?? 0, reason: "HTTP \(status): \(refusal.error)")
                return .narrowed(setAside: 1)
            }
            batchSize = max(1, rows.count / 2)
            return .narrowed(setAside: 0)
        case .failed(let message):
            try await store.recordUplinkFailure(lane: lane, error: message, at: now())
            return .failed(message)
        }
    }

    /// Sends until the outbox is empty or a round trip fails. Returns the passages acknowledged and the last step.
    public func drain(maxSteps: Int = .max) async throws -> (acknowledged: Int, last: Step) {
        var acknowledged = 0
        var last = Step.idle
        for _ in 0..<maxSteps {
            last = try await step()
            switch last {
            case .sent(let n, _): acknowledged += n
            case .narrowed: continue
            case .idle, .failed: return (acknowledged, last)
            }
        }
        return (acknowledged, last)
    }
}
