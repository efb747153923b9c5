import Testing
import TestSupport
import Thermal

@Suite struct PixelMapTests {
    /// An empty scene with the reference disc (whose edges must not count as bad pixels), plus bad pixels.
    static func frames(hot: [PixelPosition], cold: PixelPosition, stuck: PixelPosition, seconds: Double = 1.5) -> [ThermalFrame] {
        var settings = SceneSettings()
        settings.hotPixels = hot
        var simulator = SceneSimulator(settings: settings, travellers: [])
        var frames: [ThermalFrame] = []
        playScene(&simulator, until: seconds) { frame in
            var frame = frame
            frame.pixels[cold.y * frame.width + cold.x] = 25000
            frame.pixels[stuck.y * frame.width + stuck.x] = 29540  // the background's level, but never a flicker of noise
            frames.append(frame)
        }
        return frames
    }

    @Test func hotColdStuckAndAdjacentPairsAreFoundAndNothingElse() async throws {
        let hot = [PixelPosition(x: 10, y: 12), PixelPosition(x: 80, y: 40), PixelPosition(x: 81, y: 40)]
        let cold = PixelPosition(x: 120, y: 20), stuck = PixelPosition(x: 50, y: 90)
        let (map, findings) = try await cpuHeavy { try BadPixelFinder.find(in: Self.frames(hot: hot, cold: cold, stuck: stuck)) }
        let byPlace = Dictionary(uniqueKeysWithValues: findings.map { (PixelPosition(x: $0.x, y: $0.y), $0.kind) })
        for pixel in hot { #expect(byPlace[pixel] == .hot, "\(pixel)") }
        #expect(byPlace[cold] == .cold)
        #expect(byPlace[stuck] == .stuck)
        #expect(findings.count == 5, "unexpected: \(findings)")
        #expect(map.bad == [12 * 160 + 10, 20 * 160 + 120, 40 * 160 + 80, 40 * 160 + 81, 90 * 160 + 50])
    }

    @Test func deadColumnsAndRowsAreFoundWholeButTheReferenceDiscsEdgesAreNot() async throws {
        var frames = Self.frames(hot: [], cold: PixelPosition(x: 120, y: 20), stuck: PixelPosition(x: 50, y: 90))
        for i in frames.indices {
            for y in 0..<120 { for x in [78, 79] { frames[i].pixels[y * 160 + x] = 26000 } }  // two dead columns
            for x in 0..<160 { frames[i].pixels[60 * 160 + x] &+= 900 }  // a row reading 9 K high
        }
        let input = frames
        let (map, findings) = try await cpuHeavy { try BadPixelFinder.find(in: input) }
        let columns = Set(findings.filter { $0.kind == .cold && $0.x >= 78 && $0.x <= 79 }.map { $0.y * 160 + $0.x })
        #expect(columns.count == 240, "both columns whole: \(columns.count)")
        let row = findings.filter { $0.y == 60 && $0.kind == .hot }
        #expect(row.count >= 158, "the row: \(row.count)")
        let reference = SceneSettings().reference!
        #expect(!findings.contains { abs($0.x - reference.x) <= 9 && abs($0.y - reference.y) <= 9 && $0.y != 60 })
        #expect(map.bad.count == findings.count)
    }

    @Test func aSceneFullOfStructureIsRefusedRatherThanMapped() async throws {
        var frames = Self.frames(hot: [], cold: PixelPosition(x: 1, y: 1), stuck: PixelPosition(x: 50, y: 90))
        // Rough texture of ±20 K, fixed over time: something in front of the lens, not a plain wall.
        var state: UInt64 = 12345
        let texture = (0..<(160 * 120)).map { _ -> Int in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % 4000 - 2000
        }
        for i in frames.indices {
            for p in frames[i].pixels.indices { frames[i].pixels[p] = UInt16(Int(frames[i].pixels[p]) + texture[p]) }
        }
        let textured = frames
        let finding = try await cpuHeavy { () -> String in
            do { _ = try BadPixelFinder.find(in: textured) } catch { return "\(error)" }
            return "accepted"
        }
        #expect(finding.contains("look bad: point the camera at a plain wall"), "\(finding)")
        #expect(throws: BadPixelFinder.Failure.tooFewFrames(3)) { try BadPixelFinder.find(in: Array(frames.prefix(3))) }
    }

    @Test func repairedPixelsTakeTheirNeighboursValue() async throws {
        let hot = [PixelPosition(x: 80, y: 40), PixelPosition(x: 81, y: 40)]
        let frames = Self.frames(hot: hot, cold: PixelPosition(x: 120, y: 20), stuck: PixelPosition(x: 50, y: 90))
        let (map, _) = try await cpuHeavy { try BadPixelFinder.find(in: frames) }
        let repaired = map.repair(frames[5])
        for index in map.bad {
            let x = index % 160, y = index / 160
            let around = [repaired[x, y - 1], repaired[x, y + 1]].map(Double.init)
            #expect(abs(Double(repaired[x, y]) - around.reduce(0, +) / 2) < 30, "(\(x), \(y)) = \(repaired[x, y])")
        }
        var untouched = repaired
        for index in map.bad { untouched.pixels[index] = frames[5].pixels[index] }
        #expect(untouched == frames[5], "only the bad pixels change")
        let other = ThermalFrame(width: 80, height: 60, pixels: .init(repeating: 30000, count: 4800), timestamp: 0, sequence: 0)
        #expect(map.repair(other) == other, "a map of another camera size is not applied")
    }

    @Test(arguments: [90, 180, 270])
    func theMapTurnsWithTheImage(rotation: Int) throws {
        let orientation = try Orientation(rotation: rotation)
        var pixels = [UInt16](repeating: 30000, count: 160 * 120)
        pixels[12 * 160 + 10] = 33000
        let frame = ThermalFrame(width: 160, height: 120, pixels: pixels, timestamp: 0, sequence: 0)
        let upright = orientation.apply(to: frame)
        let turned = PixelMap(width: 160, height: 120, bad: [12 * 160 + 10]).oriented(by: orientation)
        #expect(turned.width == upright.width && turned.height == upright.height)
        #expect(turned.bad == [upright.pixels.firstIndex(of: 33000)!])
    }
}
