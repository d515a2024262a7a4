import Foundation
import Mustache

/// Every Mustache template under `Templates/`, parsed and cross-checked once at start-up: a
/// missing page, a syntax error or a partial that names no template stops the process with a
/// message that says which file, instead of a blank page at request time.
public struct Templates: Sendable {
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The templates the code renders by name; each must exist.
    static let required = ["layout", "login", "errors/error"] + SettingsTab.allCases.map { "settings/\($0.rawValue)" }

    let library: MustacheLibrary

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
        var library = MustacheLibrary()
        for (name, text) in texts {
            do {
                try library.register(text, named: name)
            } catch {
                throw LoadError(description: "Template \(name).mustache does not parse: \(error)")
            }
        }
        for name in Self.required where texts[name] == nil {
            throw LoadError(description: "Template \(name).mustache is missing from \(root.path).")
        }
        let reference = try NSRegularExpression(pattern: #"\{\{\s*[<>]\s*([A-Za-z0-9_/.-]+)\s*\}\}"#)
        for (name, text) in texts {
            for match in reference.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let partial = String(text[Range(match.range(at: 1), in: text)!])
                if texts[partial] == nil {
                    throw LoadError(description: "Template \(name).mustache uses “\(partial)”, which does not exist.")
                }
            }
        }
        self.library = library
    }

    /// Renders a template that `init` has checked exists.
    public func render(_ name: String, _ context: [String: Any]) -> String {
        guard let html = library.render(context, withTemplate: name) else {
            preconditionFailure("template \(name) was checked at start-up")
        }
        return html
    }
}
