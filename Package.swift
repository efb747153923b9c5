// swift-tools-version:6.2
// Checkpoint Lane: one health-checkpoint lane (thermal camera + QR scanner) as a Linux appliance.
// Data flows one way: Devices -> Thermal frames / scans -> Screening -> Lane (pairing) -> Store, LaneDisplay.
// Pure modules (Thermal, Screening, Declarations, Lane) do no I/O and read no clock.
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "checkpoint-lane",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "checkpointd", targets: ["checkpointd"]),
        .executable(name: "checkpointctl", targets: ["checkpointctl"]),
        // The province's side: receives every lane's passages into PostgreSQL, feeds districts, counts.
        .executable(name: "checkpoint-hub", targets: ["checkpoint-hub"]),
        // For the benchmark package in bench/ (kept separate so `make test` does not build it).
        // The parsers that read untrusted bytes, as one static library for the libFuzzer harnesses (`make fuzz`).
        .library(name: "ParsersForFuzzing", type: .static, targets: ["Declarations", "ScannerProtocols", "Thermal", "ConfigFile", "Zlib"]),
        .library(name: "CheckpointLaneKit", targets: [
                "Thermal", "Screening", "ScreeningEvaluation", "Declarations", "ScannerProtocols", "Lane", "Devices", "Store", "Zlib",
                "LaneFeed", "LaneDisplay", "HeadlessBrowser", "Appliance", "LaneControl", "PageLatency", "UplinkProtocol", "Uplink", "Hub", "ConfigFile", "ServerLimits",
            ]),
    ],
    dependencies: [
        // Exact pins: Package.resolved is not committed, so these are the lock.
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", exact: "1.7.4"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
    ],
    targets: [
        // Pure domain.
        .target(name: "Thermal", swiftSettings: settings),
        .target(name: "Screening", dependencies: ["Thermal"], swiftSettings: settings),
        // Scores the engine against simulated travellers with known temperatures (tests and `make bench-accuracy`).
        .target(name: "ScreeningEvaluation", dependencies: ["Thermal", "Screening"], swiftSettings: settings),
        .target(
            name: "Declarations",
            dependencies: [
                "Zlib", .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"), .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: settings),
        // zlib and gzip streams (recordings, EU-DCC): the one place zlib's C pointers are handled.
        .target(name: "Zlib", dependencies: ["CZlib"], swiftSettings: settings),
        // Scanner protocols: keyboard-wedge and HID POS reports, serial framing (bytes and time in, scans out).
        .target(name: "ScannerProtocols", swiftSettings: settings),
        .target(name: "Lane", dependencies: ["Thermal", "Screening", "Declarations"], swiftSettings: settings),
        // Adapters at the edge.
        .target(
            name: "Devices", dependencies: ["Thermal", "Lane", "ScannerProtocols", "Zlib", "CV4L2", "CPNG", "CLibUSB"],
            swiftSettings: settings),
        // System libraries, each behind a tiny shim header (fixed-arity wrappers for C macros and variadics).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CV4L2", pkgConfig: "libv4l2", providers: [.apt(["libv4l-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CLibUSB", pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"])]),
        .target(
            name: "Store",
            dependencies: [
                "Lane", "Screening", "Thermal", "Declarations", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: settings),
        // What a running lane publishes for the processes' other parts: its events (the in-process bus, with the
        // device states a late page needs), its latest frame, its counters. Read by the pages, the speaker, the uplink.
        .target(
            name: "LaneFeed",
            dependencies: ["Lane", "Thermal", .product(name: "Prometheus", package: "swift-prometheus")],
            swiftSettings: settings),
        // What every HTTP listener allows a client (connections, idle time, head size): shared by the pages and the hub.
        .target(
            name: "ServerLimits",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: settings),
        .target(
            name: "LaneDisplay",
            dependencies: [
                "Lane", "LaneFeed", "Thermal", "Store", "Screening", "ServerLimits",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings),
        // Headless Chromium over the DevTools pipe: the browser tests and the page latency benchmark.
        .target(name: "HeadlessBrowser", swiftSettings: settings),
        // The strict TOML subset and the key-checking reader that both services' configurations use.
        .target(name: "ConfigFile", swiftSettings: settings),
        // The lane -> province wire format (docs/uplink.md) and its validation: pure, shared by both sides.
        .target(name: "UplinkProtocol", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: settings),
        // Lane side of the provincial link: the outbox sent over HTTPS with async-http-client.
        .target(
            name: "Uplink",
            dependencies: [
                "UplinkProtocol", "Store", "Declarations",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: settings),
        // Province side: checkpoint-hub (PostgreSQL through postgres-nio, HTTP through Hummingbird).
        .target(
            name: "Hub",
            dependencies: [
                "UplinkProtocol", "ConfigFile", "ServerLimits",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings),
        .executableTarget(
            name: "checkpoint-hub",
            dependencies: [
                "Hub", .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings),
        // Composition root: configuration, wiring, lifecycle.
        .target(
            name: "Appliance",
            dependencies: [
                "Thermal", "Screening", "Declarations", "ScannerProtocols", "Lane", "LaneFeed", "Devices", "Store", "LaneDisplay",
                "ConfigFile", "UplinkProtocol", "Uplink",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings),
        .executableTarget(name: "checkpointd", dependencies: ["Appliance"], swiftSettings: settings),
        // The page-latency benchmark's harness (a lane page in headless Chromium): in the kit for bench/, not in
        // the service, which never links the browser.
        .target(
            name: "PageLatency",
            dependencies: [
                "Appliance", "HeadlessBrowser", "Lane", "LaneFeed", "LaneDisplay", "Screening", "Store", "Thermal",
                .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings),
        // The technician's operations (lanes and their stores, frame sources, calibration runs, the exit-code
        // table), called by checkpointctl and by tests in-process.
        .target(
            name: "LaneControl", dependencies: ["Appliance", "Declarations", "Devices", "Lane", "Screening", "Store", "Thermal"],
            swiftSettings: settings),
        .executableTarget(
            name: "checkpointctl",
            dependencies: [
                "Appliance", "ConfigFile", "LaneControl", "Declarations", "Lane", "Screening", "ScreeningEvaluation", "ScannerProtocols", "Devices", "Store", "Thermal", "Uplink", "UplinkProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: settings),

        // Tests: one target per library target, fakes shared through TestSupport.
        .target(
            name: "TestSupport", dependencies: ["Thermal", "Lane"], path: "Tests/TestSupport",
            swiftSettings: settings),
        .testTarget(name: "ThermalTests", dependencies: ["Thermal", "TestSupport"], swiftSettings: settings),
        .testTarget(
            name: "ScreeningTests", dependencies: ["Screening", "ScreeningEvaluation", "Thermal", "TestSupport"],
            swiftSettings: settings),
        .testTarget(
            name: "DeclarationsTests",
            dependencies: [
                "Declarations", "Zlib", "TestSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"), .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: settings),
        .testTarget(name: "ScannerProtocolsTests", dependencies: ["ScannerProtocols"], swiftSettings: settings),
        .testTarget(
            name: "LaneTests", dependencies: ["Lane", "Screening", "Declarations", "TestSupport"],
            swiftSettings: settings),
        .testTarget(
            name: "DevicesTests",
            dependencies: ["Devices", "Thermal", "Lane", "Declarations", "Screening", "ScreeningEvaluation", "ScannerProtocols", "CV4L2", "Zlib", "TestSupport"], swiftSettings: settings),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "Lane", "Screening", "Thermal", "Declarations", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: settings),
        .testTarget(
            name: "LaneDisplayTests",
            dependencies: [
                "LaneDisplay", "LaneFeed", "Lane", "Screening", "TestSupport", "Store", "Thermal", "HeadlessBrowser", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: settings),
        // Both ends of the provincial link against a real PostgreSQL (Tests/postgres/with-postgres.sh, run by make test).
        .testTarget(
            name: "HubTests",
            dependencies: [
                "Hub", "Uplink", "UplinkProtocol", "Store", "Lane", "Screening", "Declarations", "ConfigFile", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: settings),
        .testTarget(
            name: "LaneControlTests",
            dependencies: ["LaneControl", "Appliance", "Lane", "Store", "Screening", "Thermal", "Devices", "TestSupport"],
            swiftSettings: settings),
        .testTarget(
            name: "ApplianceTests",
            dependencies: [
                "Appliance", "Store", "Lane", "Screening", "Declarations", "ScannerProtocols", "Devices", "LaneDisplay", "LaneFeed",
                "TestSupport", "Thermal", "HeadlessBrowser", "PageLatency", "ConfigFile", "Uplink", "UplinkProtocol", "Zlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings),
    ],
    swiftLanguageModes: [.v6]
)
