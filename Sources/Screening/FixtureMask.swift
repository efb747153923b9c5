import Thermal

/// The blackbody and the warm things fixed to it (its housing, its stand) as a pixel mask that the person finder
/// never counts as skin. A housing is warm and can be as large as a face; it is mapped as what is warm and
/// connected to the disc, within a few disc radii of it, so that a traveller standing beside it is not cut away.
enum FixtureMask {
    /// How far from the disc's centre (in disc radii) the housing may reach.
    static let reachInRadii = 5
    /// Warmer than the room by this much (centi-kelvin) is part of the housing.
    static let overRoomCK = 150.0

    static func around(_ disc: ReferenceTracker, in frame: ThermalFrame, roomCK: Double) -> [Bool] {
        let w = frame.width, h = frame.height
        var mask = [Bool](repeating: false, count: w * h)
        let reach = disc.radius * reachInRadii
        let box = disc.radius + 4
        let xs = max(0, disc.x - reach)...max(0, min(w - 1, disc.x + reach))
        let ys = max(0, disc.y - reach)...max(0, min(h - 1, disc.y + reach))
        guard disc.x - reach < w, disc.y - reach < h, disc.x + reach >= 0, disc.y + reach >= 0 else { return mask }
        let warm = UInt16(clamping: Int(roomCK + overRoomCK))
        var stack: [Int] = []
        for y in ys {
            for x in xs where abs(x - disc.x) <= box && abs(y - disc.y) <= box {
                mask[y * w + x] = true
                stack.append(y * w + x)
            }
        }
        while let i = stack.popLast() {
            let x = i % w, y = i / w
            for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)]
            where xs.contains(nx) && ys.contains(ny) && !mask[ny * w + nx] && frame[nx, ny] >= warm {
                mask[ny * w + nx] = true
                stack.append(ny * w + nx)
            }
        }
        return mask
    }
}
