/// What a page shows, as one value. A controller reads what the page needs and builds the page's
/// struct (`MembersPage`, `UsagePage`, …); the struct alone decides the template's values, so the
/// flags a template tests (`invalid`, `canManage`, …) are derived in one place, from typed fields,
/// never assembled by hand in a controller.
protocol PageValues {
    /// Adds the page's own values to the layout's context.
    func fill(_ context: inout TemplateObject)
}

extension Shell {
    /// The layout's context with the page's values, rendered.
    func render(_ template: Template, _ page: some PageValues, layout: TemplateObject, status: Int = 200) -> Response {
        var context = layout
        page.fill(&context)
        return self.page(template, context, status: status)
    }
}

/// A form's field names for its template, taken from the form's field enum: the template writes
/// `name="{{names.emails}}"`, so markup, decoding (`FormReader`) and errors (`FieldErrors`) share
/// one spelling of each name.
enum FieldNames {
    static func of<Field: RawRepresentable & CaseIterable>(_: Field.Type) -> TemplateValue where Field.RawValue == String {
        .object(TemplateObject(entries: Field.allCases.map { ($0.rawValue, .text($0.rawValue)) }))
    }
}
