import Lane
import Screening
import Testing

@Suite struct AnnouncerTests {
    static func event(_ type: LaneEvent.EventType, _ t: Double, prompt: Prompt?, verdict: Verdict? = nil) -> LaneEvent {
        var e = LaneEvent(type: type, lane: "l", t: t)
        e.prompt = prompt
        e.verdict = verdict
        return e
    }

    @Test func everyReadingGetsItsToneThenItsWordsVietnameseFirst() {
        var announcer = Announcer(english: true)
        #expect(announcer.cues(for: Self.event(.measured, 1, prompt: .normal, verdict: .normal))
            == [.chime, .prompt(id: "normal", language: "vi"), .prompt(id: "normal", language: "en")])
        #expect(announcer.cues(for: Self.event(.measured, 1.5, prompt: .elevated, verdict: .elevated))
            == [.alarm, .prompt(id: "elevated", language: "vi"), .prompt(id: "elevated", language: "en")])
        // Two normal readings in a row (two travellers) are both announced.
        var vietnameseOnly = Announcer()
        _ = vietnameseOnly.cues(for: Self.event(.measured, 1, prompt: .normal, verdict: .normal))
        #expect(vietnameseOnly.cues(for: Self.event(.measured, 2, prompt: .normal, verdict: .normal)) == [.chime, .prompt(id: "normal", language: "vi")])
    }

    @Test func aRepeatedInstructionIsSpokenOncePerWindow() {
        var announcer = Announcer(repeatAfter: 6)
        let still = Prompt.retry(.moving)
        #expect(announcer.cues(for: Self.event(.retry, 10, prompt: still)) == [.prompt(id: "stand-still", language: "vi")])
        #expect(announcer.cues(for: Self.event(.retry, 10.2, prompt: still)).isEmpty)
        #expect(announcer.cues(for: Self.event(.retry, 15.9, prompt: still)).isEmpty)
        #expect(announcer.cues(for: Self.event(.retry, 11, prompt: .retry(.tooFar))) == [.prompt(id: "too-far", language: "vi")], "a different instruction is spoken at once")
        #expect(announcer.cues(for: Self.event(.retry, 16.1, prompt: still)) == [.prompt(id: "stand-still", language: "vi")])
    }

    @Test func statusChangesAndTheIdleInvitationAreShownNotSpoken() {
        var announcer = Announcer()
        #expect(announcer.cues(for: Self.event(.left, 1, prompt: .scanQR)).isEmpty)
        #expect(announcer.cues(for: Self.event(.resumed, 1, prompt: .scanQR)).isEmpty)
        #expect(announcer.cues(for: Self.event(.device, 1, prompt: nil)).isEmpty)
        var complete = Self.event(.passage, 1, prompt: .normal)
        complete.outcome = .complete
        #expect(announcer.cues(for: complete).isEmpty)
        var noDeclaration = Self.event(.passage, 2, prompt: .scanQR)
        noDeclaration.outcome = .measuredNoDeclaration
        #expect(announcer.cues(for: noDeclaration) == [.prompt(id: "scan-qr", language: "vi")], "a reading without a declaration asks for the QR")
        #expect(announcer.cues(for: Self.event(.paused, 3, prompt: .paused)) == [.prompt(id: "paused", language: "vi")])
    }

    @Test func everyPromptHasAnIdOfItsOwn() {
        let ids = Prompt.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.contains("face-camera") && ids.contains("certificate-invalid") && !ids.isEmpty)
    }
}
