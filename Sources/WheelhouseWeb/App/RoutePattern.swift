/// The methods the console answers. HEAD is answered as GET (`WebApp.respond`).
public enum HTTPMethod: String, CaseIterable, Sendable {
    case get = "GET", post = "POST"
}

/// The routes of one part of the console below a fixed prefix (a tab's
/// `/orgs/{org}/settings/{tab}`, the account area, the API): each leaf names its method and
/// prints its own path segments, and one table of patterns parses them.
///
/// The table is the single list of what the part answers: parsing reads it, and so do the tests
/// that must cover every route (the print → parse round trip, the route × actor matrix, the audit
/// trail), through `examples`, one value per pattern. A leaf missing from the table cannot be
/// reached; a leaf in the table cannot escape the tests.
public protocol RouteLeaves: Equatable, Sendable {
    static var patterns: [RoutePattern<Self>] { get }
    var method: HTTPMethod { get }
    var segments: [String] { get }
}

extension RouteLeaves {
    /// The leaf with these segments and method, if any.
    public init?(_ method: HTTPMethod, _ segments: ArraySlice<String>) {
        for pattern in Self.patterns where pattern.method == method {
            if let leaf = pattern.match(segments) { self = leaf; return }
        }
        return nil
    }

    /// Whether some leaf has these segments, whatever its method: 405 rather than 404.
    static func exists(_ segments: ArraySlice<String>) -> Bool {
        patterns.contains { $0.match(segments) != nil }
    }

    /// The pattern this leaf was parsed by, e.g. `{id}/role`.
    public var pattern: String {
        Self.patterns.first { $0.method == method && $0.match(segments[...]) != nil }!.text
    }

    /// One leaf per pattern, with example ids, keys and tokens.
    public static var examples: [Self] { patterns.map(\.example) }
}

/// One route shape, e.g. `POST {id}/role`: literal segments, `{id}` (a positive 64-bit integer),
/// `{key}` (any non-empty segment: a workspace key, a secret or provider id, a file name), and the
/// leaf built from what they captured.
public struct RoutePattern<Leaf>: Sendable {
    enum Segment: Equatable, Sendable {
        case literal(String), id, key
    }

    /// What the `{id}` and `{key}` segments captured, in order.
    public struct Captures: Sendable {
        let values: [String]
        public func id(_ index: Int) -> Int64 { Int64(values[index])! }
        public func key(_ index: Int) -> String { values[index] }
    }

    let method: HTTPMethod
    let shape: [Segment]
    let make: @Sendable (Captures) -> Leaf
    /// The pattern as written, e.g. `{id}/role`.
    public let text: String
    public var name: String { "\(method.rawValue) \(text.isEmpty ? "(tab)" : text)" }

    init(_ method: HTTPMethod, _ text: String, _ make: @escaping @Sendable (Captures) -> Leaf) {
        self.method = method
        self.shape = text.split(separator: "/").map { part in
            switch part {
            case "{id}": .id
            case "{key}": .key
            default: .literal(String(part))
            }
        }
        self.make = make
        self.text = text
    }

    public static func get(_ text: String, _ make: @escaping @Sendable (Captures) -> Leaf) -> Self { Self(.get, text, make) }
    public static func post(_ text: String, _ make: @escaping @Sendable (Captures) -> Leaf) -> Self { Self(.post, text, make) }

    func match(_ segments: ArraySlice<String>) -> Leaf? {
        guard segments.count == shape.count else { return nil }
        var captured: [String] = []
        for (segment, expected) in zip(segments, shape) {
            switch expected {
            case .literal(let literal): guard segment == literal else { return nil }
            case .id:
                guard let id = Int64(segment), id > 0, String(id) == segment else { return nil }
                captured.append(segment)
            case .key:
                guard !segment.isEmpty else { return nil }
                captured.append(segment)
            }
        }
        return make(Captures(values: captured))
    }

    /// The leaf with example captures: 7 for ids, "example" for keys.
    var example: Leaf {
        make(
            Captures(
                values: shape.compactMap { segment in
                    switch segment {
                    case .literal: nil
                    case .id: "7"
                    case .key: "example"
                    }
                }))
    }
}
