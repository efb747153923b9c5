import Foundation

/// Server-sent events from a byte stream: `event:` and `data:` lines up to a blank line make one message.
public struct EventStreamParser: Sendable {
    public struct Message: Sendable, Equatable {
        public var event: String?
        public var data: String
        public init(event: String?, data: String) {
            self.event = event
            self.data = data
        }
    }
    private var pending: [UInt8] = []
    private var event: String?
    private var data: [String] = []

    public init() {}

    public mutating func feed(_ bytes: [UInt8]) -> [Message] {
        pending += bytes
        var messages: [Message] = []
        while let newline = pending.firstIndex(of: 0x0A) {
            var line = String(decoding: pending[..<newline], as: UTF8.self)
            pending.removeSubrange(...newline)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty {
                if !data.isEmpty { messages.append(Message(event: event, data: data.joined(separator: "\n"))) }
                event = nil
                data = []
            } else if line.hasPrefix("event:") {
                event = line.dropFirst(6).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("data:") {
                data.append(String(line.dropFirst(5)).trimmingCharacters(in: .init(charactersIn: " ")))
            }
        }
        return messages
    }
}
