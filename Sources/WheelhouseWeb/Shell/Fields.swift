import WheelhouseCore

/// One form field as the `field` partial renders it: label, input, hint and errors, linked for
/// screen readers.
struct FieldView {
    var name: String
    var label: String
    var value: String
    var type: String = "text"
    var errors: FieldErrors
    var hint: String? = nil
    var autocomplete: String? = nil
    var autofocus = false
    var required = false
    var maxLength: Int? = nil
    var min: Int? = nil
    var max: Int? = nil
    /// The id of a `<datalist>` of suggestions.
    var list: String? = nil
    /// Off for secret values and keys.
    var spellcheck = true

    var context: TemplateObject {
        let messages = errors.messages(for: name)
        var describedBy: [String] = []
        if hint != nil { describedBy.append("\(name)-hint") }
        if !messages.isEmpty { describedBy.append("\(name)-error") }
        var context: TemplateObject = [
            "name": .text(name), "id": .text("field-\(name)"), "label": .text(label), "value": .text(TextRules.displayable(value)),
            "type": .text(type), "multiline": .flag(type == "textarea"), "errors": messages.templateValue,
            "invalid": .flag(!messages.isEmpty), "autofocus": .flag(autofocus), "required": .flag(required),
            "noSpellcheck": .flag(!spellcheck),
        ]
        if let list { context["list"] = list }
        if !describedBy.isEmpty { context["describedBy"] = describedBy.joined(separator: " ") }
        if let hint { context["hint"] = hint }
        if let autocomplete { context["autocomplete"] = autocomplete }
        if let maxLength { context["maxLength"] = maxLength }
        if let min { context["min"] = min }
        if let max { context["max"] = max }
        return context
    }
}

/// A field of the credential forms (Secrets, Providers), drawn by `partials/field`: never
/// autocompleted or spell-checked, optionally with a datalist of suggested names.
struct CredentialField {
    var name: String
    var label: String
    var value: String = ""
    var type: String = "text"
    var errors: FieldErrors
    var hint: String? = nil
    var list: String? = nil
    var required = false
    var maxLength: Int? = nil

    var context: TemplateObject {
        FieldView(
            name: name, label: label, value: value, type: type, errors: errors, hint: hint, autocomplete: "off",
            required: required, maxLength: maxLength, list: list, spellcheck: false
        ).context
    }
}

extension FieldErrors {
    /// Beside a secret value or key a refused credential form does not send back.
    static let valueNotKept = "For your safety the value is not sent back to the browser: paste it again."

    /// After a credential form's 422: when a value was typed and has no error of its own, says
    /// why its field is now empty.
    mutating func noteValueNotKept<Field: RawRepresentable>(_ field: Field, typed value: String) where Field.RawValue == String {
        if byField[field.rawValue] == nil && !value.isEmpty { add(field.rawValue, Self.valueNotKept) }
    }

    /// For the `form-errors` partial: absent when there is nothing to say, so the section renders once.
    var formContext: TemplateObject? { form.isEmpty ? nil : ["messages": form.templateValue] }

    /// For a hand-written field: its messages wrapped the same way.
    func fieldContext(_ name: String) -> TemplateObject? {
        messages(for: name).isEmpty ? nil : ["messages": messages(for: name).templateValue]
    }
}
