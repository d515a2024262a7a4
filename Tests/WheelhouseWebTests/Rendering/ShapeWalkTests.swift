import Testing
@testable import WheelhouseWeb

/// The render cache's shape signatures: rows that repeat the row before's keys are written short,
/// and still no two different shapes share a signature.
@Suite("Shape signatures") struct ShapeWalkTests {
    static func signature(_ value: TemplateValue) -> [UInt8] {
        var walk = ShapeWalk(signature: [])
        walk.visit(value)
        return walk.signature
    }

    static func row(_ keys: [String], flag: Bool = true) -> TemplateValue {
        .object(TemplateObject(entries: keys.map { ($0, $0 == "f" ? .flag(flag) : .text("v")) }))
    }

    @Test func repeatedKeysAreWrittenOnceAndDifferentRowsStayApart() {
        let same = Self.signature(.list([Self.row(["a", "b"]), Self.row(["a", "b"]), Self.row(["a", "b"])]))
        #expect(same.filter { $0 == 0xFF }.count == 2)
        #expect(same.count < Self.signature(.list([Self.row(["a", "b"]), Self.row(["b", "a"]), Self.row(["a", "b"])])).count)
        let shapes: [TemplateValue] = [
            .list([Self.row(["a", "b"]), Self.row(["a", "b"])]),
            .list([Self.row(["a", "b"]), Self.row(["a", "c"])]),
            .list([Self.row(["a", "b"]), Self.row(["b", "a"])]),
            .list([Self.row(["a"]), Self.row(["a", "b"])]),
            .list([Self.row(["a", "f"]), Self.row(["a", "f"], flag: false)]),
            .list([Self.row(["a", "f"], flag: false), Self.row(["a", "f"])]),
            .list([Self.row(["a", "b"]), .text("x"), Self.row(["a", "b"])]),
            .list([Self.row(["a", "b"]), Self.row(["a", "b"]), Self.row(["a", "b"])]),
        ]
        let signatures = shapes.map(Self.signature)
        #expect(Set(signatures).count == shapes.count)
    }
}
