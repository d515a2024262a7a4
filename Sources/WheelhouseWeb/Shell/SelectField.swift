import WheelhouseCore

/// One `<select>` as the `select-field` partial renders it: label, options (the chosen one
/// selected), hint and errors, linked for screen readers.
struct SelectField {
    var name: String
    var label: String
    var hint: String
    var options: [(value: String, title: String)]
    var chosen: String
    var errors: FieldErrors

    var context: TemplateObject {
        let messages = errors.messages(for: name)
        var object: TemplateObject = [
            "name": .text(name), "id": .text("field-\(name)"), "label": .text(label), "hint": .text(hint),
            "options": .list(
                options.map { option in
                    .object(["value": .text(option.value), "title": .text(option.title), "selected": .flag(option.value == chosen)])
                }),
        ]
        if !messages.isEmpty {
            object["errors"] = messages.templateValue
            object["invalid"] = true
        }
        return object
    }

    /// The default-language choice of new work and of a workspace (`WorkLanguages`).
    static func language(name: String, label: String, hint: String, chosen: String, errors: FieldErrors) -> SelectField {
        SelectField(
            name: name, label: label, hint: hint, options: WorkLanguages.all.map { ($0.tag, $0.name) }, chosen: chosen, errors: errors)
    }
}
