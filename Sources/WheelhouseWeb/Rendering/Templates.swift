import Foundation
import Mustache

/// Every Mustache template under `Templates/`, parsed and cross-checked once at start-up: a
/// missing template (any case of `Template`), an unreadable one, a syntax error, a partial that
/// names no file or a use the render cache cannot honour stops the process with a message that
/// says which file, instead of a failure at request time.
///
/// ## The template rules
///
/// `render` does not run Mustache on every request. It renders each *shape* of a page once —
/// the same template with the same keys, flags, list lengths and empty texts — with every
/// non-empty text or number replaced by a numbered placeholder, cuts that output at the
/// placeholders, and later fills the pieces with each request's values, HTML-escaped exactly as
/// swift-mustache escapes them. That is only right if every template keeps these rules (this is
/// the one place they are written down; `ShapeCache` and `ShapeWalk` rely on them):
///
/// 1. The output depends only on the context's shape (which keys are present, flags, list
///    lengths, which texts are empty) and on the texts and numbers it prints.
/// 2. Texts and numbers are printed escaped and unchanged: `{{name}}`, never `{{{name}}}` or
///    `{{& name}}` (the filled value is always escaped), and no transform or lambda that reads or
///    changes a value (`{{uppercased(name)}}`): it would see the placeholder, not the value.
/// 3. A section tests a flag, a list or an object. A section over a text or number tests only
///    that the key is present (swift-mustache treats any present value, even "" or 0, as true),
///    which the shape records; nothing may branch on what a text or number says.
/// 4. Partials are named in the template (`{{> partials/csrf}}`), never chosen by a value
///    (`{{>*name}}`), and every one named exists (checked here).
/// 5. Templates stay HTML: no `{{% CONTENT_TYPE }}` pragma (it would change escaping) and no
///    private-use characters U+E000/U+E001, which mark the placeholders.
/// 6. Every template the code renders is a case of `Template` (checked here: each must exist).
///
/// Rules 2, 4 and 5 are checked here when the files are loaded. Tests turn on
/// `verifiesEveryRender`, which renders every page directly with swift-mustache as well and
/// compares, so a template breaking rule 1 or 3 fails the first test that renders it.
public struct Templates: Sendable {
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// swift-mustache rendered nothing for a template; cannot happen for one checked by `init`,
    /// and the caller answers 500 rather than stopping the process if it ever does.
    struct RenderError: Error, CustomStringConvertible {
        let template: Template
        var description: String { "template \(template.fileName) could not be rendered" }
    }

    /// Variable only so a test can take templates away from a checked value.
    var library: MustacheLibrary
    let shapes = ShapeCache()
    /// Tests set this: every render is also done directly by swift-mustache and compared.
    var verifiesEveryRender = false

    public init(directory: String) throws {
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else {
            throw LoadError(description: "Templates folder \(root.path) does not exist or cannot be read.")
        }
        var texts: [String: String] = [:]
        for case let relative as String in enumerator where relative.hasSuffix(".mustache") {
            let name = String(relative.dropLast(".mustache".count))
            guard let text = try? String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8) else {
                throw LoadError(description: "Template \(relative) is not readable UTF-8 text.")
            }
            texts[name] = text
        }
        for template in Template.allCases where texts[template.rawValue] == nil {
            throw LoadError(description: "Template \(template.fileName) is missing from \(root.path).")
        }
        var library = MustacheLibrary()
        // Sorted, so that with several broken files the same one is named every time.
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) {
            do {
                try library.register(text, named: name)
            } catch {
                throw LoadError(description: "Template \(name).mustache does not parse: \(error)")
            }
            if let broken = Self.brokenRule(text) {
                throw LoadError(description: "Template \(name).mustache \(broken) (see the template rules in Templates.swift).")
            }
        }
        let reference = try NSRegularExpression(pattern: #"\{\{\s*[<>]\s*([A-Za-z0-9_/.-]+)\s*\}\}"#)
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) {
            for match in reference.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let partial = String(text[Range(match.range(at: 1), in: text)!])
                if texts[partial] == nil {
                    throw LoadError(description: "Template \(name).mustache uses “\(partial)”, which does not exist.")
                }
            }
        }
        self.library = library
    }

    /// What in `text` breaks the rules the render cache relies on (2, 4 and 5), if anything.
    static func brokenRule(_ text: String) -> String? {
        if text.contains("{{{") || text.range(of: #"\{\{\s*&"#, options: .regularExpression) != nil {
            return "prints a value unescaped ({{{ }}} or {{& }})"
        }
        if text.range(of: #"\{\{\s*>\s*\*"#, options: .regularExpression) != nil {
            return "chooses a partial by a value ({{>* }})"
        }
        if text.range(of: #"\{\{\s*%"#, options: .regularExpression) != nil {
            return "sets a pragma ({{% }})"
        }
        if text.unicodeScalars.contains(where: { $0.value == 0xE000 || $0.value == 0xE001 }) {
            return "contains U+E000 or U+E001, which mark placeholders"
        }
        return nil
    }

    /// Renders `template` as UTF-8 bytes, through the shape cache described above: the per-request
    /// cost drops from millions of instructions to a copy, the Mustache semantics stay swift-mustache's.
    func render(_ template: Template, _ context: TemplateObject) throws -> [UInt8] {
        var walk = ShapeWalk(signature: Array(template.rawValue.utf8))
        // A page's signature runs to kilobytes: growing it by doubling copied it a dozen times.
        walk.signature.reserveCapacity(16 << 10)
        walk.leaves.reserveCapacity(1024)
        walk.frozen.reserveCapacity(8)
        walk.visit(.object(context))
        let pieces = try shapes.pieces(for: walk.signature) {
            var counter = 0
            let placeholders = Self.mustacheValue(.object(context), placeholders: &counter)
            return Pieces(splitting: try renderDirectly(template, placeholders))
        }
        // One allocation: the literals plus each leaf at its longest written (`leafCapacity`).
        let writer = LeafWriter(walk)
        let out = [UInt8](unsafeUninitializedCapacity: pieces.literals.count + walk.leafCapacity) { buffer, count in
            var o = 0
            pieces.literals.withUnsafeBufferPointer { literals in
                pieces.ends.withUnsafeBufferPointer { ends in
                    pieces.slots.withUnsafeBufferPointer { slots in
                        var from = 0
                        for i in 0..<ends.count {
                            let length = ends[i] - from
                            if length > 0 { (buffer.baseAddress! + o).update(from: literals.baseAddress! + from, count: length) }
                            o += length
                            from = ends[i]
                            if slots[i] >= 0 { o = writer.write(slots[i], into: buffer, at: o) }
                        }
                    }
                }
            }
            count = o
        }
        if verifiesEveryRender {
            var counter = -1
            let direct = try renderDirectly(template, Self.mustacheValue(.object(context), placeholders: &counter))
            precondition(Array(direct.utf8) == out, "memoized render of \(template.fileName) differs from swift-mustache")
        }
        return out
    }

    private func renderDirectly(_ template: Template, _ context: Any) throws -> String {
        guard let html = library.render(context, withTemplate: template.rawValue) else { throw RenderError(template: template) }
        return html
    }

    /// The value swift-mustache renders: with `counter >= 0`, every non-empty text or number
    /// becomes placeholder number `counter` (counting up in visiting order); with -1, the real values.
    static func mustacheValue(_ value: TemplateValue, placeholders counter: inout Int) -> Any {
        switch value {
        case .text(let text) where text.isEmpty: return text
        case .text(let text):
            guard counter >= 0 else { return text }
            defer { counter += 1 }
            return Pieces.placeholder(counter)
        case .number(let number):
            guard counter >= 0 else { return number }
            defer { counter += 1 }
            return Pieces.placeholder(counter)
        case .flag(let flag): return flag
        case .list(let items): return items.map { mustacheValue($0, placeholders: &counter) }
        case .frozen(let frozen): return mustacheValue(frozen.value, placeholders: &counter)
        case .object(let object):
            var dictionary: [String: Any] = [:]
            for (key, value) in object.entries { dictionary[key] = mustacheValue(value, placeholders: &counter) }
            return dictionary
        }
    }
}
