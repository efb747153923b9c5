import UplinkProtocol

/// Sends one batch to the province. The real one is `HTTPSUplinkTransport`; tests of the lane-side logic may put a
/// scripted one beside it.
public protocol UplinkTransport: Sendable {
    func send(_ batch: UplinkBatch, token: String) async -> UplinkSendResult
}

public enum UplinkSendResult: Sendable, Equatable {
    /// 200: the hub holds these keys now.
    case stored(UplinkAnswer)
    /// 4xx about the batch itself: nothing was stored, and sending it again unchanged will not help.
    case refused(status: Int, UplinkRefusal)
    /// Anything worth retrying later as it is: no link, timeout, 5xx, 429, a refused token (a technician fixes it
    /// while the passages wait), an answer that is not the hub's.
    case failed(String)
}
