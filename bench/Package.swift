// swift-tools-version:6.2
// Benchmarks for Checkpoint Lane (`make bench`). A package of its own so the main build and `make test` stay lean.
import PackageDescription

let package = Package(
    name: "checkpoint-lane-bench",
    platforms: [.macOS(.v15)],
    dependencies: [
        // The project itself, through a link with a fixed name (made by `make bench`): a path dependency is named
        // after its folder, and a clone may sit in a folder of any name.
        .package(path: ".lane/checkpoint-lane"),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
    ],
    targets: [
        .executableTarget(
            name: "Camera",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CheckpointLaneKit", package: "checkpoint-lane"),
            ],
            path: "Benchmarks/Camera",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "Scanner",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CheckpointLaneKit", package: "checkpoint-lane"),
            ],
            path: "Benchmarks/Scanner",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "Passages",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CheckpointLaneKit", package: "checkpoint-lane"),
            ],
            path: "Benchmarks/Passages",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "Display",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CheckpointLaneKit", package: "checkpoint-lane"),
            ],
            path: "Benchmarks/Display",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "ProvincialLink",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CheckpointLaneKit", package: "checkpoint-lane"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/ProvincialLink",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        // Not a timing benchmark: the engine's accuracy on simulated travellers (`make bench-accuracy`).
        .executableTarget(
            name: "Accuracy",
            dependencies: [.product(name: "CheckpointLaneKit", package: "checkpoint-lane")],
            path: "Accuracy"),
    ],
    swiftLanguageModes: [.v6]
)
