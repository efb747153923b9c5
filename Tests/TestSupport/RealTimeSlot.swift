/// One lane running in real time at a time: each of these tests is a whole service keeping pace with a simulated
/// clock, and two of them beside a CPU-heavy test would leave none of them a core (the end-to-end lane then
/// misses travellers, which is right for an overloaded box and wrong for a test).
public func inRealTimeSlot<T>(_ body: () async throws -> T) async rethrows -> T {
    await RealTimeSlot.shared.acquire()
    do {
        let result = try await body()
        await RealTimeSlot.shared.release()
        return result
    } catch {
        await RealTimeSlot.shared.release()
        throw error
    }
}

actor RealTimeSlot {
    static let shared = RealTimeSlot()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
