import Thermal

/// Plays a simulated scene frame by frame at the Lepton's 8.77 Hz, skipping the frames a flat-field correction
/// swallows, and hands each frame to `body`. Shared by the screening and lane tests.
public func playScene(
    _ simulator: inout SceneSimulator, from start: Double = 0, until end: Double, fps: Double = 8.77,
    _ body: (ThermalFrame) -> Void
) {
    var sequence: UInt64 = 0
    var t = start
    while t < end {
        if !simulator.isInFFC(at: t) {
            body(simulator.frame(at: t, sequence: sequence))
            sequence += 1
        }
        t += 1 / fps
    }
}

/// An empty simulated scene (the lane's reference disc in view) for `seconds`, with a second reference disc of
/// `secondC` held at (`x`, `y`): what a technician's `calibrate check` sees. The second disc carries the same
/// camera bias as the rest of the image and a little fixed-pattern texture.
public func framesWithSecondDisc(
    settings: SceneSettings = SceneSettings(), secondC: Double, x: Int = 30, y: Int = 30, radius: Int = 6, seconds: Double = 4
) -> [ThermalFrame] {
    var simulator = SceneSimulator(settings: settings, travellers: [])
    var frames: [ThermalFrame] = []
    playScene(&simulator, until: seconds) { frame in
        var frame = frame
        let value = CentiKelvin.fromCelsius(secondC) + settings.cameraBiasCK + settings.driftCKPerMinute * frame.timestamp / 60
        for py in (y - radius)...(y + radius) {
            for px in (x - radius)...(x + radius) where (px - x) * (px - x) + (py - y) * (py - y) <= radius * radius {
                frame.pixels[py * frame.width + px] = UInt16((value + Double((px + py) % 3 - 1) * 4).rounded())
            }
        }
        frames.append(frame)
    }
    return frames
}
