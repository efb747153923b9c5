import ServiceLifecycle

/// A listener (the lane page, the supervisor page) whose failure names it: "Address already in use" alone does
/// not tell a technician which port to free.
struct NamedListener<Wrapped: Service>: Service {
    let name: String
    let host: String
    let port: Int
    let wrapped: Wrapped

    func run() async throws {
        do {
            try await wrapped.run()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ListenerFailure(name: name, host: host, port: port, underlying: String(describing: error))
        }
    }
}

public struct ListenerFailure: Error, CustomStringConvertible {
    public let name: String, host: String, port: Int
    public let underlying: String

    public var description: String {
        let hint = underlying.contains("in use")
            ? "; another program (or a second checkpointd) holds it: `ss -ltnp 'sport = :\(port)'` shows which"
            : ""
        return "the \(name) cannot listen on \(host):\(port): \(underlying)\(hint)"
    }
}
