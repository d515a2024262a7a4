import Synchronization

/// What a template sees: text, numbers, flags, lists and objects. Nothing dynamic, so a page's
/// shape can be computed without casts (see `Templates.render`).
public enum TemplateValue: Sendable {
    case text(String)
    case number(Int)
    case flag(Bool)
    case list([TemplateValue])
    case object(TemplateObject)
    /// A value walked once (see `FrozenValue`); templates see the value itself.
    case frozen(FrozenValue)
}

/// A part of a page that many requests share — the Audit log's fifty rows, remembered with the
/// page data they show — with its shape walk done once: each render then copies the walk's result
/// instead of visiting every row again, and holds the rows by one reference instead of building
/// and freeing them.
public final class FrozenValue: @unchecked Sendable {  // immutable once made; owns its two buffers
    let value: TemplateValue
    /// What `ShapeWalk` writes for `value`.
    let signature: [UInt8]
    /// Its leaves (texts and numbers, in visiting order) HTML-escaped end to end; leaf `i` ends at
    /// `ends[i]`. Allocated here and freed with the value, so a render may read them by pointer.
    let bytes: UnsafeMutableBufferPointer<UInt8>
    let ends: UnsafeMutableBufferPointer<Int>

    var leafCount: Int { ends.count }

    public init(_ value: TemplateValue) {
        var walk = ShapeWalk(signature: [])
        walk.visit(value)
        let writer = LeafWriter(walk)
        // Never empty, so both have an address; the counts are the leaves' (deallocation takes the start).
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, walk.leafCapacity))
        let allEnds = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(1, walk.slotCount))
        var o = 0
        for slot in 0..<walk.slotCount {
            o = writer.write(slot, into: buffer, at: o)
            allEnds[slot] = o
        }
        ends = UnsafeMutableBufferPointer(rebasing: allEnds[..<walk.slotCount])
        bytes = buffer
        self.value = value
        signature = walk.signature
    }

    deinit {
        bytes.deallocate()
        ends.baseAddress?.deallocate()
    }

    /// Bytes of escaped text held.
    var escapedCount: Int { ends.last ?? 0 }
}

/// The values a template context may hold.
public protocol TemplateValueConvertible: Sendable {
    var templateValue: TemplateValue { get }
}

extension String: TemplateValueConvertible {
    public var templateValue: TemplateValue { .text(self) }
}

extension Int: TemplateValueConvertible {
    public var templateValue: TemplateValue { .number(self) }
}

extension Bool: TemplateValueConvertible {
    public var templateValue: TemplateValue { .flag(self) }
}

extension TemplateValue: TemplateValueConvertible {
    public var templateValue: TemplateValue { self }
}

extension Array: TemplateValueConvertible where Element: TemplateValueConvertible {
    public var templateValue: TemplateValue { .list(map(\.templateValue)) }
}

// Literals need no wrapping: `["title": .text(title), "count": 3, "on": true]`.
extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .flag(value) }
}

/// An ordered set of named values: `["title": .text(title), "count": 3]`. The literal takes
/// `TemplateValue`s, not existentials: building contexts is on every request's path.
public struct TemplateObject: Sendable, ExpressibleByDictionaryLiteral, TemplateValueConvertible {
    public private(set) var entries: [(String, TemplateValue)]

    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        entries = elements
    }

    /// Entries in order; each key once.
    public init(entries: [(String, TemplateValue)]) {
        self.entries = entries
    }

    public var templateValue: TemplateValue { .object(self) }

    /// The same keys as `other`, in the same order (the values may differ).
    func hasKeys(of other: TemplateObject) -> Bool {
        guard entries.count == other.entries.count else { return false }
        for i in entries.indices where entries[i].0 != other.entries[i].0 { return false }
        return true
    }

    /// Adds `key`, which the object must not hold yet, without looking for it: for the rows of
    /// long lists, where the subscript's search adds up.
    public mutating func add(_ key: String, _ value: TemplateValue) {
        assert(!entries.contains { $0.0 == key }, "\(key) is already set")
        entries.append((key, value))
    }

    /// Setting nil removes the key, so an absent value is simply not there for the template.
    public subscript(key: String) -> (any TemplateValueConvertible)? {
        get { entries.first { $0.0 == key }?.1 }
        set {
            let index = entries.firstIndex { $0.0 == key }
            switch (index, newValue) {
            case let (index?, value?): entries[index].1 = value.templateValue
            case let (index?, nil): entries.remove(at: index)
            case let (nil, value?): entries.append((key, value.templateValue))
            case (nil, nil): break
            }
        }
    }
}

/// Frozen values by key, for values derived from remembered reads (the key names the read). Bounded
/// like `ShapeCache`: full, it is cleared, so memory stays flat however many keys come.
final class FrozenMemo: Sendable {
    private let values = Mutex<[String: FrozenValue]>([:])
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func value(_ key: String, make: () -> TemplateValue) -> TemplateValue {
        if let found = values.withLock({ $0[key] }) { return .frozen(found) }
        let made = FrozenValue(make())
        values.withLock { values in
            if values.count >= capacity { values.removeAll() }
            values[key] = made
        }
        return .frozen(made)
    }
}
