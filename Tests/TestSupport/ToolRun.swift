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

/// Runs a tool and measures its peak resident memory (the kernel's maxrss for the child, through python3's
/// `resource`, which the Makefile installs): for the bounded-memory tests of readers of untrusted bytes.
public func runToolMeasuringMemory(_ binary: String, _ arguments: [String], seconds: Double = 300) async throws -> (run: ToolRun, peakMB: Double) {
    let script = """
        import resource, subprocess, sys
        code = subprocess.call(sys.argv[1:])
        sys.stderr.write("\\nPEAK_RSS_KB=%d\\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        sys.exit(code)
        """
    let run = try await runTool("/usr/bin/python3", ["-c", script, binary] + arguments, seconds: seconds)
    let kb = run.stderr.split(separator: "\n").last { $0.hasPrefix("PEAK_RSS_KB=") }.flatMap { Double($0.dropFirst(12)) } ?? .infinity
    return (run, kb / 1024)
}
