/// What may be shown on the lane display, by the 1405 masking rule: the first 6 characters of an identity number
/// hidden, the day and month of birth hidden; names reduced to initials plus the given name, so staff can address
/// the traveller without the screen exposing the full name to the queue.
public enum Masking {
    /// `079190012345` → `********2345`: the same last 4 characters the store, the export and the supervisor page
    /// keep, so staff compare one number everywhere. IDs of 4 characters or fewer show nothing.
    public static func id(_ id: String) -> String {
        let chars = Array(id)
        guard chars.count > 4 else { return String(repeating: "*", count: chars.count) }
        return String(repeating: "*", count: chars.count - 4) + lastFour(id)
    }

    /// `1990-04-15` → `**/**/1990`.
    public static func dateOfBirth(_ iso: String) -> String {
        "**/**/" + iso.prefix(4)
    }

    /// `Nguyễn Thị Ánh Tuyết` → `N. T. Á. Tuyết`.
    public static func name(_ name: String) -> String {
        let words = name.split(separator: " ")
        guard let given = words.last else { return "" }
        let initials = words.dropLast().compactMap { $0.first.map { "\($0)." } }
        return (initials + [String(given)]).joined(separator: " ")
    }

    /// The last 4 characters, kept in storage beside the keyed hash so staff can confirm a card.
    public static func lastFour(_ id: String) -> String { String(id.suffix(4)) }
}
