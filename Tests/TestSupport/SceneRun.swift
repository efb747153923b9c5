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
