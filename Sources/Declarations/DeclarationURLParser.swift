/// Where a declaration or location URL keeps its ID: a host (a suffix match, so `qr.tokhaiyte.vn` matches
/// `tokhaiyte.vn`) and either a query parameter or the last path segment. Provinces add their own systems in the
/// configuration.
public struct DeclarationURLPattern: Sendable, Equatable {
    public var host: String
    public var idSource: IDSource

    public enum IDSource: Sendable, Equatable {
        case query(String)
        case lastPathSegment
    }

    public init(host: String, idSource: IDSource) {
        self.host = host.lowercased()
        self.idSource = idSource
    }

    /// Parses the configuration form: `query:NAME` or `path:last`.
    public init(host: String, id: String) throws(DeclarationURLPatternError) {
        if id == "path:last" {
            self.init(host: host, idSource: .lastPathSegment)
        } else if id.hasPrefix("query:"), id.count > 6 {
            self.init(host: host, idSource: .query(String(id.dropFirst(6))))
        } else {
            throw DeclarationURLPatternError(value: id)
        }
    }

    public static let defaults: [DeclarationURLPattern] = [
        DeclarationURLPattern(host: "tokhaiyte.vn", idSource: .lastPathSegment),
        DeclarationURLPattern(host: "pccovid.gov.vn", idSource: .lastPathSegment),
        DeclarationURLPattern(host: "kbyt.khambenh.gov.vn", idSource: .query("id")),
    ]
}

public struct DeclarationURLPatternError: Error, CustomStringConvertible {
    public let value: String
    public var description: String { "'\(value)' is not an ID source: use \"query:NAME\" or \"path:last\"" }
}

enum DeclarationURLParser {
    static func parse(_ text: String, patterns: [DeclarationURLPattern]) -> Declaration? {
        let lower = text.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return nil }
        let afterScheme = text[text.index(text.firstIndex(of: ":")!, offsetBy: 3)...]
        let hostEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let host = afterScheme[..<hostEnd].lowercased().split(separator: ":").first.map(String.init) ?? ""
        let rest = afterScheme[hostEnd...].split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let pathAndQuery = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = pathAndQuery.first.map(String.init) ?? ""
        let query = pathAndQuery.count > 1 ? String(pathAndQuery[1]) : ""
        var declaration = Declaration(kind: .url)
        declaration.fields["host"] = host
        guard let pattern = patterns.first(where: { host == $0.host || host.hasSuffix("." + $0.host) }) else {
            declaration.warnings.append("host \(host) is not a known declaration system")
            return declaration
        }
        switch pattern.idSource {
        case .lastPathSegment:
            declaration.id = path.split(separator: "/").last.map(String.init)
        case .query(let name):
            for pair in query.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if kv.count == 2 && kv[0] == name { declaration.id = String(kv[1]) }
            }
        }
        if declaration.id == nil { declaration.warnings.append("no declaration ID found in the link") }
        return declaration
    }
}
