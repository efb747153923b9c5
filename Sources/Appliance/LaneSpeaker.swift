import Devices
import Lane
import LaneFeed
import Logging
import ServiceLifecycle

/// A lane's voice: follows the lane's events, asks the `Announcer` what to say, and plays it on the lane's ALSA
/// device. Its health ("speaker" online/offline) goes to the status strip like any device's.
struct LaneSpeaker: Service {
    let laneID: String
    let config: ApplianceConfig.SpeakerConfig
    let hub: LaneEventHub
    let timeline: any LaneTimeline
    let logger: Logger

    func run() async throws {
        guard let device = config.device else {
            logger.notice("lane \(laneID): no speaker configured (device = \"none\")")
            await hub.publish([.device("speaker", nil, lane: laneID, t: timeline.now(), reason: "không dùng / none")])
            // A service that returns would stop the whole group: stay until the service stops.
            try? await gracefulShutdown()
            return
        }
        let library = PromptLibrary(directory: config.prompts, recorded: config.recorded, languages: config.english ? ["vi", "en"] : ["vi"])
        if !library.missing.isEmpty {
            logger.warning(
                "lane \(laneID): \(library.missing.count) prompt file(s) missing in \(config.prompts) (run `make prompts`); those prompts are shown but not spoken")
        }
        for problem in library.unreadable { logger.error("lane \(laneID): prompt not usable: \(problem)") }
        let (hub, laneID, timeline, logger) = (hub, laneID, timeline, logger)
        let status: @Sendable (DeviceStatus, String?) -> Void = { status, reason in
            let event = LaneEvent.device("speaker", status, lane: laneID, t: timeline.now(), reason: reason)
            Task { await hub.publish([event]) }
        }
        let speaker = AlsaSpeaker(
            device: device,
            onProblem: { problem in
                logger.warning("lane \(laneID): \(problem)")
                status(.offline, "no sound")
            },
            onRecovered: {
                logger.notice("lane \(laneID): speaker works again")
                status(.online, nil)
            })
        status(.online, nil)
        var announcer = Announcer(english: config.english)
        for await event in await hub.subscribe(lane: laneID).cancelOnGracefulShutdown() {
            let cues = announcer.cues(for: event)
            if !cues.isEmpty, let clip = library.clip(for: cues, volume: config.volume) { speaker.play(clip) }
        }
    }
}
