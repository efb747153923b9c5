import Benchmark
import Crypto
import Declarations
import Foundation
import Hub
import Lane
import Logging
import Screening
import ServiceLifecycle
import Store
import Synchronization
import Uplink
import UplinkProtocol

/// The provincial link's numbers (`make bench` runs them against a throwaway PostgreSQL from
/// Tests/postgres/with-postgres.sh):
/// - hub ingest: batches of 100 passages POSTed by the lane's real transport to checkpoint-hub, validated and
///   inserted into PostgreSQL with ON CONFLICT on the idempotency key; target ≥ 5,000 passages/s, also when every
///   passage carries a sealed identity the hub opens (HPKE) and pseudonymises (HMAC);
/// - lane catch-up: a lane's 100,000-passage backlog (a day offline at a busy checkpoint is ~10,000) drained to
///   the hub by `UplinkDrainer`, acknowledgements deleted from SQLite;
/// - tracing: `POST /tracing/person` over 30 days of a province (see `TracingData`); target ≤ 1 s p95.
nonisolated(unsafe) let benchmarks: @Sendable () -> Void = {
    guard let port = ProcessInfo.processInfo.environment["CHECKPOINT_TEST_PG_PORT"].flatMap(Int.init) else {
        print("uplink benchmarks skipped: no PostgreSQL (run `make bench`, which starts one)")
        return
    }
    let hub = BenchHub(pgPort: port)
    let counter = Atomic<Int64>(0)

    func batch(_ lane: Int, size: Int) -> UplinkBatch {
        let id = "bench-cp/lane-\(lane)"
        let first = counter.add(Int64(size), ordering: .relaxed).newValue - Int64(size) + 1
        let passages = (first..<(first + Int64(size))).map { n in
            UplinkPassage(
                key: UplinkPassage.key(lane: id, passageID: n), passageID: n, recordedAt: "2026-11-24T03:00:00.000Z", outcome: "complete",
                verdict: n % 5 == 0 ? "elevated" : "normal", temperatureC: n % 5 == 0 ? 38.1 : 36.6, uncertaintyC: 0.3, thresholdC: 37.5,
                referenced: true, declarationKind: "cccd",
                followUp: n % 5 == 0 ? FollowUp(idNumber: "079190012345", name: "Nguyễn Văn An", dateOfBirth: "1990-04-15") : nil)
        }
        return UplinkBatch(lane: id, sentAt: "2026-11-24T03:00:01.000Z", passages: passages)
    }

    Benchmark(
        "hub: ingest one batch of 100 passages (HTTP, validate, PostgreSQL)",
        configuration: .init(metrics: [.wallClock, .throughput], warmupIterations: 5, scalingFactor: .one, maxDuration: .seconds(10), maxIterations: 2_000)
    ) { benchmark in
        let transport = await hub.transport()
        for _ in benchmark.scaledIterations {
            let result = await transport.send(batch(1, size: 100), token: BenchHub.token(1))
            guard case .stored(let answer) = result, answer.accepted.count == 100 else { fatalError("hub: \(result)") }
        }
    }

    /// 100 passages of `lane`, each with a random person's number sealed to `key`, as a lane with the tracing key sends.
    func sealedBatch(_ lane: Int, to key: TracingKey.PublicKey) -> UplinkBatch {
        var next = batch(lane, size: 100)
        for i in next.passages.indices {
            let number = String(format: "%012d", Int.random(in: 1..<4_000_000))
            next.passages[i].identity = try! SealedIdentity.seal(number, passageKey: next.passages[i].key, to: key)
        }
        return next
    }

    // Sealed on the lanes, before the clock starts: what is measured is the hub's side (open, HMAC, insert).
    let sealedBatches = Mutex<[UplinkBatch]>([])
    Benchmark(
        "hub: ingest one batch of 100 passages, each with a sealed identity (HPKE open, HMAC, PostgreSQL)",
        configuration: .init(
            metrics: [.wallClock, .throughput], warmupIterations: 5, scalingFactor: .one, maxDuration: .seconds(10), maxIterations: 400,
            setup: {
                let key = await hub.tracingPublicKey()
                let batches = (0..<405).map { _ in sealedBatch(2, to: key) }
                sealedBatches.withLock { $0 = batches }
            })
    ) { benchmark in
        let transport = await hub.transport()
        for _ in benchmark.scaledIterations {
            guard let next = sealedBatches.withLock({ $0.popLast() }) else { fatalError("more iterations than sealed batches") }
            let result = await transport.send(next, token: BenchHub.token(2))
            guard case .stored(let answer) = result, answer.accepted.count == 100 else { fatalError("hub: \(result)") }
        }
    }

    // Where a sealed passage's time goes: the whole open (HPKE X25519), and for comparison a P-256 key agreement
    // (the suite first used, twice as slow to open).
    let sealKey = TracingKey.PrivateKey()
    let sealed = (0..<1000).map { i in try! SealedIdentity.seal(String(format: "%012d", i), passageKey: "k\(i)", to: sealKey.publicKey) }
    Benchmark("crypto: open one sealed identity (HPKE X25519, as sent)", configuration: .init(metrics: [.wallClock], scalingFactor: .kilo, maxDuration: .seconds(5))) { benchmark in
        for i in benchmark.scaledIterations { blackHole(try! sealed[i % 1000].open(passageKey: "k\(i % 1000)", with: sealKey)) }
    }
    let peer = P256.KeyAgreement.PrivateKey().publicKey, p256 = P256.KeyAgreement.PrivateKey()
    Benchmark("crypto: one P-256 key agreement (the suite before X25519)", configuration: .init(metrics: [.wallClock], scalingFactor: .kilo, maxDuration: .seconds(5))) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! p256.sharedSecretFromKeyAgreement(with: peer)) }
    }

    // A hub hears many lanes at once: four sending sealed batches together, as the plain 4-lane benchmark.
    let sealedLaneBatches = Mutex<[[UplinkBatch]]>([])
    Benchmark(
        "hub: ingest sealed identities from 4 lanes at once, 4 × 100 passages per iteration",
        configuration: .init(
            metrics: [.wallClock, .throughput], warmupIterations: 3, scalingFactor: .one, maxDuration: .seconds(10), maxIterations: 200,
            setup: {
                let key = await hub.tracingPublicKey()
                let rounds = (0..<205).map { _ in (1...4).map { sealedBatch($0, to: key) } }
                sealedLaneBatches.withLock { $0 = rounds }
            })
    ) { benchmark in
        let transport = await hub.transport()
        for _ in benchmark.scaledIterations {
            guard let round = sealedLaneBatches.withLock({ $0.popLast() }) else { fatalError("more iterations than sealed batches") }
            await withTaskGroup(of: Void.self) { group in
                for (index, next) in round.enumerated() {
                    group.addTask {
                        let result = await transport.send(next, token: BenchHub.token(index + 1))
                        guard case .stored(let answer) = result, answer.accepted.count == 100 else { fatalError("hub: \(result)") }
                    }
                }
            }
        }
    }

    Benchmark(
        "hub: tracing query over 30 days of a province (POST /tracing/person, ±10 min co-travellers)",
        configuration: .init(
            metrics: [.wallClock], warmupIterations: 3, scalingFactor: .one, maxDuration: .seconds(30), maxIterations: 200,
            setup: { try await TracingData.fill(hub: hub, pgPort: port) })
    ) { benchmark in
        _ = await hub.transport()
        let port = await hub.port
        for _ in benchmark.scaledIterations {
            let number = String(format: "%012d", Int.random(in: 1..<TracingData.people))
            let answer = try await TracingData.ask(port: port, number: number)
            // A person passes about 5 times; 1 in 100,000 has no passage with a declaration that names them.
            guard answer.contains("\"nearby_counts\":") else { TracingData.fail("tracing answer for \(number): \(answer.prefix(300))") }
        }
    }

    Benchmark(
        "hub: ingest from 4 lanes at once, 4 × 100 passages per iteration",
        configuration: .init(metrics: [.wallClock, .throughput], warmupIterations: 3, scalingFactor: .one, maxDuration: .seconds(10), maxIterations: 1_000)
    ) { benchmark in
        let transport = await hub.transport()
        for _ in benchmark.scaledIterations {
            let batches = (1...4).map { batch($0, size: 100) }
            await withTaskGroup(of: Void.self) { group in
                for (index, next) in batches.enumerated() {
                    group.addTask {
                        let result = await transport.send(next, token: BenchHub.token(index + 1))
                        guard case .stored = result else { fatalError("hub: \(result)") }
                    }
                }
            }
        }
    }

    Benchmark(
        "lane: catch up a 100,000-passage backlog (SQLite outbox → hub → PostgreSQL)",
        configuration: .init(metrics: [.wallClock], warmupIterations: 0, scalingFactor: .one, maxDuration: .seconds(600), maxIterations: 1)
    ) { benchmark in
        let directory = NSTemporaryDirectory() + "uplink-bench-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try! LaneStore(path: directory + "/passages.sqlite")
        let payload = "079190012345||Nguyễn Văn An|15041990|Nam|12 Lê Lợi, Hội An|01072021"
        let declaration = try! DeclarationParser().parse(payload)
        for chunk in 0..<100 {
            let passages = (0..<1_000).map { i in
                let t = 36.4 + Double((chunk * 1_000 + i) % 13) / 10
                return Passage(
                    laneID: "lane-9", outcome: .complete, openedAt: 1, closedAt: 3,
                    measurement: Measurement(
                        time: 3, temperatureC: t, skinC: t, uncertaintyC: 0.25, verdict: t >= 37.5 ? .elevated : .normal, thresholdC: 37.5,
                        siteX: 70, siteY: 30, faceWidthPx: 44, referenced: true, framesUsed: 5),
                    scan: Scan(time: 1, payload: payload, device: "s", transport: "hid-pos"), declaration: declaration, notes: [])
            }
            _ = try! await store.commit(LaneCore.Step(events: [], passages: passages), at: Date())
        }
        let transport = await hub.transport()
        let settings = UplinkSettings(url: await hub.url, checkpointID: "bench-cp", tokens: ["lane-9": BenchHub.token(9)], batchSize: 500)
        let drainer = UplinkDrainer(lane: "lane-9", settings: settings, store: store, transport: transport)
        benchmark.startMeasurement()
        let (sent, last) = try! await drainer.drain()
        benchmark.stopMeasurement()
        guard sent == 100_000, last == .idle else { fatalError("catch-up sent \(sent), ended with \(last)") }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// One hub on a fresh database, started on first use and kept for all three benchmarks.
actor BenchHub {
    let pgPort: Int
    private var started: (port: Int, transport: HTTPSUplinkTransport)?

    init(pgPort: Int) { self.pgPort = pgPort }

    static func token(_ lane: Int) -> String { "bench-lane-\(lane)-token-0123456789" }

    var url: String { "http://127.0.0.1:\(started?.port ?? 0)/v1/batches" }
    var port: Int { started?.port ?? 0 }
    private(set) var database = ""
    /// The province's tracing keys, written where the hub's `[tracing]` reads them.
    let tracingKey = TracingKey.PrivateKey()
    let pseudonymKeyHex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    static let tracingToken = "bench-tracing-token-0123456789"

    func tracingPublicKey() -> TracingKey.PublicKey { tracingKey.publicKey }

    func transport() async -> HTTPSUplinkTransport {
        if let started { return started.transport }
        let name = "bench_\(UInt32.random(in: 0...UInt32.max))"
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = ["-h", "127.0.0.1", "-p", "\(pgPort)", "-U", "hub", "-d", "postgres", "-qc", "CREATE DATABASE \(name)"]
        try! psql.run()
        psql.waitUntilExit()
        database = name
        let keys = NSTemporaryDirectory() + "bench-tracing-\(name)"
        try! FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        try! TracingKey.pem(tracingKey).write(toFile: keys + "/tracing.key", atomically: true, encoding: .utf8)
        try! pseudonymKeyHex.write(toFile: keys + "/pseudonym.key", atomically: true, encoding: .utf8)
        var text = "[hub]\nport = 0\n[database]\nport = \(pgPort)\nuser = \"hub\"\nname = \"\(name)\"\nconnections = 8\n[[district]]\nid = \"d\"\n"
        for lane in [1, 2, 3, 4, 9] { text += "[[lane]]\nid = \"bench-cp/lane-\(lane)\"\ndistrict = \"d\"\ntoken = \"\(Self.token(lane))\"\n" }
        // 30 days of pseudonyms kept: the tracing benchmark queries a province's 30 days.
        // BENCH_NO_TRACING=1: the hub without tracing keys (identities sent, ignored), to see what opening costs.
        if ProcessInfo.processInfo.environment["BENCH_NO_TRACING"] == nil { text += "[tracing]\nprivate_key_file = \"\(keys)/tracing.key\"\npseudonym_key_file = \"\(keys)/pseudonym.key\"\ntoken = \"\(Self.tracingToken)\"\nretention_days = 31\n" }
        let config = try! HubConfig.parse(text)
        var logger = Logger(label: "bench-hub")
        logger.logLevel = .error
        let bound = Mutex<Int?>(nil)
        let group = HubService(config: config, logger: logger).serviceGroup(signals: false, onRunning: { port in bound.withLock { $0 = port } })
        Task { try await group.run() }
        while bound.withLock({ $0 }) == nil { try? await Task.sleep(for: .milliseconds(50)) }
        let port = bound.withLock { $0 }!
        let transport = try! HTTPSUplinkTransport(
            settings: UplinkSettings(url: "http://127.0.0.1:\(port)/v1/batches", checkpointID: "bench-cp", tokens: [:]))
        started = (port, transport)
        return transport
    }
}
