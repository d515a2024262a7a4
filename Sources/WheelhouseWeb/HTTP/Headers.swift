/// A request's headers. Names are case-insensitive (RFC 9110 §5.1): they are kept lower-cased and
/// every lookup lower-cases the name it is given, so `headers["Content-Type"]` and
/// `headers["content-type"]` are the same header whoever built the request.
public struct Headers: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    private var storage: [String: String]

    public init(_ headers: [String: String] = [:]) {
        storage = [:]
        storage.reserveCapacity(headers.count)
        for (name, value) in headers { self[name] = value }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        storage = [:]
        for (name, value) in elements { self[name] = value }
    }

    public subscript(name: String) -> String? {
        get { storage[Self.canonical(name)] }
        set { storage[Self.canonical(name)] = newValue }
    }

    public var count: Int { storage.count }

    /// (name, value) pairs, names lower-cased, in no particular order.
    public func makeIterator() -> Dictionary<String, String>.Iterator { storage.makeIterator() }

    /// The name lower-cased; without a copy when it already is (every name the code itself uses).
    static func canonical(_ name: String) -> String {
        name.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ? name.lowercased() : name
    }
}
