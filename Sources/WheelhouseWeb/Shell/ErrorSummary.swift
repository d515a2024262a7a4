import WheelhouseCore

/// The summary every refused form's page starts with (422, 409, and the sign-in's 401/429): a
/// heading and one line per problem, each linking to the field or control in error. It is
/// rendered by the layout at the top of `main` (`partials/form-errors`) with `tabindex="-1"` and
/// `autofocus`, so focus lands on it with or without JavaScript.
///
/// Controllers need not build it: `WebApp.page` collects it from the context — the `formErrors`
/// messages, every field (`FieldView`) marked invalid, and every object with an `error` and the
/// `errorId` of the element it is shown in — after any items a controller put in `errorItems`.
enum ErrorSummary {
    struct Item: Equatable {
        var text: String
        var href: String?
    }

    static func shows(status: Int) -> Bool { [401, 403, 409, 422, 429].contains(status) }

    static func context(_ context: TemplateObject, status: Int) -> TemplateObject? {
        var items: [Item] = []
        if case .list(let given)? = context["errorItems"]?.templateValue {
            for case .object(let item) in given {
                if case .text(let text)? = item["text"]?.templateValue {
                    var href: String?
                    if case .text(let target)? = item["href"]?.templateValue { href = target }
                    items.append(Item(text: text, href: href))
                }
            }
        }
        collect(.object(context), into: &items)
        var seen: [Item] = []
        for item in items where !seen.contains(item) { seen.append(item) }
        guard !seen.isEmpty || status == 409 || status == 422 else { return nil }
        if seen.isEmpty { seen.append(Item(text: "The form could not be saved. Check the values below.", href: nil)) }
        // A 409 is a stale edit or a refusal by the thing's state (archived, full): the items say which.
        let title = status == 409 ? "This could not be saved" : "There is a problem"
        return [
            "title": .text(title),
            "items": .list(
                seen.map { item in
                    var object: TemplateObject = ["text": .text(item.text)]
                    object["href"] = item.href
                    return .object(object)
                }),
        ]
    }

    /// Items for `errors`: form messages, then each field's, linking to `field-<name>` unless `ids` names another id.
    static func items(_ errors: FieldErrors, ids: [String: String] = [:]) -> TemplateValue {
        var list: [TemplateValue] = errors.form.map { .object(["text": .text($0)]) }
        for field in errors.byField.keys.sorted() {
            for message in errors.messages(for: field) {
                list.append(.object(["text": .text(message), "href": .text("#" + (ids[field] ?? "field-\(field)"))]))
            }
        }
        return .list(list)
    }

    /// The context without any field's `autofocus`: a document may have only one, and with a
    /// summary it belongs to the summary.
    static func withoutAutofocus(_ value: TemplateValue) -> TemplateValue {
        switch value {
        case .list(let values): return .list(values.map(withoutAutofocus))
        case .object(let object):
            var copy = object
            for (key, inner) in object.entries {
                copy[key] = key == "autofocus" ? TemplateValue.flag(false) : withoutAutofocus(inner)
            }
            return .object(copy)
        default: return value
        }
    }

    private static func collect(_ value: TemplateValue, into items: inout [Item]) {
        switch value {
        case .list(let values):
            for value in values { collect(value, into: &items) }
        case .object(let object):
            if case .flag(true)? = object["invalid"]?.templateValue, case .text(let id)? = object["id"]?.templateValue,
                case .list(let errors)? = object["errors"]?.templateValue
            {
                for case .text(let message) in errors { items.append(Item(text: message, href: "#" + id)) }
            }
            if case .text(let message)? = object["error"]?.templateValue, case .text(let id)? = object["errorId"]?.templateValue {
                items.append(Item(text: message, href: "#" + id))
            }
            for (key, inner) in object.entries where key != "errorItems" && key != "errorSummary" {
                if key == "formErrors", case .object(let form) = inner, case .list(let messages)? = form["messages"]?.templateValue {
                    for case .text(let message) in messages { items.append(Item(text: message, href: nil)) }
                    continue
                }
                collect(inner, into: &items)
            }
        default:
            break
        }
    }
}
