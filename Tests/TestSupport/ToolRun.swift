import Foundation

/// What a command-line tool printed and how it exited.
public struct ToolRun: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs one of the package's executables (or any binary) with `stdin` piped in, for at most `seconds`.
public func runTool(_ binary: String, _ arguments: [String], stdin: String = "", environment: [String: String] = [:], seconds: Double = 120) async throws -> ToolRun {
    try await onOwnThread { try runToolBlocking(binary, arguments, stdin: stdin, environment: environment, seconds: seconds) }
}

/// `runTool` for a tool that is CPU-heavy itself (a simulated lane at several times real time): it takes the
/// same one-at-a-time slot as `cpuHeavy`, so the real-time tests keep a core.
public func runHeavyTool(_ binary: String, _ arguments: [String], stdin: String = "", seconds: Double = 120) async throws -> ToolRun {
    try await cpuHeavy { try runToolBlocking(binary, arguments, stdin: stdin, environment: [:], seconds: seconds) }
}

func runToolBlocking(_ binary: String, _ arguments: [String], stdin: String, environment: [String: String], seconds: Double) throws -> ToolRun {
    let dir = temporaryDirectory("tool")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    FileManager.default.createFile(atPath: dir + "/in", contents: Data(stdin.utf8))
    FileManager.default.createFile(atPath: dir + "/out", contents: nil)
    FileManager.default.createFile(atPath: dir + "/err", contents: nil)
    process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: dir + "/in"))
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/out"))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/err"))
    try process.run()
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    return ToolRun(
        status: process.terminationStatus, stdout: try String(contentsOfFile: dir + "/out", encoding: .utf8),
        stderr: try String(contentsOfFile: dir + "/err", encoding: .utf8))
}

extension ToolRun {
    public var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}
