import Foundation
import Testing
@testable import WheelhouseWeb

/// A frozen part of a context renders exactly as the same value unfrozen would, escaping included,
/// and shares its shapes with it.
@Suite("Frozen values") struct FrozenValueTests {
    static let text = """
        <h1>{{title}}</h1>{{#rows}}<p title="{{title}}">{{n}} {{#on}}on{{/on}}{{^on}}off{{/on}} {{#inner}}[{{x}}]{{/inner}}</p>{{/rows}}
        {{#tail}}<i>{{.}}</i>{{/tail}}
        """

    /// Templates from a copy of the repository's, with the error page replaced by `text`.
    func templates() throws -> Templates {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("wh-frozen-\(UUID())")
        try FileManager.default.copyItem(atPath: templatesDirectory, toPath: copy.path)
        defer { try? FileManager.default.removeItem(at: copy) }
        try Self.text.write(to: copy.appendingPathComponent(Template.error.fileName), atomically: true, encoding: .utf8)
        var templates = try Templates(directory: copy.path)
        templates.verifiesEveryRender = true  // also compared with swift-mustache's own render
        return templates
    }

    static let rows: TemplateValue = .list(
        [
            .object([
                "title": .text("a <b> & \"c\" 'd'"), "n": .number(-42), "on": .flag(true), "inner": .list([.object(["x": "é\u{1F600}"])]),
            ]),
            .object(["title": .text(""), "n": .number(0), "on": .flag(false), "inner": .list([])]),
            .object(["title": .text(">>>"), "n": .number(7), "on": .flag(true), "inner": .list([.object(["x": ""])])]),
        ])

    @Test func aFrozenListRendersAsTheListItself() throws {
        let templates = try templates()
        let plain: TemplateObject = ["title": "T&T", "rows": Self.rows, "tail": .list(["<1>", "2"])]
        let frozenInner = TemplateValue.list([.frozen(FrozenValue(.object(["title": "x&y", "n": 1, "on": true, "inner": .list([])])))])
        let cases: [TemplateObject] = [
            ["title": "T&T", "rows": .frozen(FrozenValue(Self.rows)), "tail": .list(["<1>", "2"])],
            ["title": "T&T", "rows": Self.rows, "tail": .frozen(FrozenValue(.list(["<1>", "2"])))],
            // Frozen inside frozen, and a frozen value shared by two places.
            ["title": "T&T", "rows": .frozen(FrozenValue(Self.rows)), "tail": .frozen(FrozenValue(.list(["<1>", "2"])))],
        ]
        let expected = try templates.render(.error, plain)
        #expect(String(decoding: expected, as: UTF8.self).contains("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;"))
        for context in cases { #expect(try templates.render(.error, context) == expected) }
        let nested: TemplateObject = ["title": "n", "rows": .frozen(FrozenValue(frozenInner))]
        let nestedPlain: TemplateObject = [
            "title": "n", "rows": .list([.object(["title": "x&y", "n": 1, "on": true, "inner": .list([])])]),
        ]
        #expect(try templates.render(.error, nested) == templates.render(.error, nestedPlain))
    }

    @Test func aFrozenValueHasTheShapeOfItsValue() {
        var plain = ShapeWalk(signature: [])
        plain.visit(Self.rows)
        var frozen = ShapeWalk(signature: [])
        frozen.visit(.frozen(FrozenValue(Self.rows)))
        #expect(plain.signature == frozen.signature)
        #expect(plain.slotCount == frozen.slotCount)
        #expect(frozen.leaves.isEmpty)
    }

    @Test func theMemoBuildsOncePerKeyAndStaysBounded() {
        let memo = FrozenMemo(capacity: 2)
        var built = 0
        for key in ["a", "a", "b", "a"] {
            _ = memo.value(key) {
                built += 1; return .text(key)
            }
        }
        #expect(built == 2)
        _ = memo.value("c") {
            built += 1; return "c"
        }  // full: cleared, then "c"
        _ = memo.value("a") {
            built += 1; return "a"
        }
        #expect(built == 4)
    }
}
