import Foundation
import WheelhouseCore

/// The Compliance page's values: the export section (request form, list of exports). The page is
/// in sections so organization deletion can follow the export section.
struct CompliancePage: PageValues {
    let org: Organization
    let exports: [DataExportListing]
    let now: Date
    let errors: FieldErrors
    /// The signed download path of a ready export.
    let link: (DataExport) -> String?
    /// The "Delete the organization" section.
    var deletion: DeletionSection? = nil

    static let names = FieldNames.of(ComplianceController.Field.self)

    /// While an export is queued or building, the page reloads itself (a `<noscript>` refresh, or
    /// app.js with JavaScript) so its progress moves without a click.
    var isBuilding: Bool { exports.contains { $0.export.status.isActive } }

    func fill(_ context: inout TemplateObject) {
        context["export"] =
            [
                "formAction": .text(Route.org(org.key, .compliance(.requestExport)).path),
                "refreshHref": .text(Route.org(org.key, .compliance(.show)).path), "names": Self.names,
                "building": .flag(isBuilding), "empty": .flag(exports.isEmpty),
                "rows": .list(exports.map(row)),
            ] as TemplateObject
        if isBuilding { context["autoRefresh"] = 3 }
        if !errors.isEmpty { context["errorItems"] = ErrorSummary.items(errors) }
        if let deletion {
            context["deletion"] = deletion.value
            if let items = deletion.summaryItems { context["errorItems"] = items }
        }
    }

    private func row(_ listing: DataExportListing) -> TemplateValue {
        let e = listing.export
        var object: TemplateObject = [
            "id": .number(Int(e.id)), "status": .text(Self.statusText(e)), "statusClass": .text(e.status.rawValue),
            "requestedBy": .text(listing.requesterName ?? "A deleted account"),
            "requestedAt": .text(Dates.dayTime(e.createdAt)), "requestedIso": .text(Dates.isoTime(e.createdAt)),
        ]
        if let size = e.byteSize, e.status == .ready { object["size"] = TemplateValue.text(Self.size(size)) }
        if let sha = e.sha256, e.status == .ready { object["sha256"] = TemplateValue.text(sha) }
        if let expires = e.expiresAt, e.status == .ready || e.status == .expired {
            object["expires"] = TemplateValue.text(Dates.dayTime(expires))
            object["expiresIso"] = TemplateValue.text(Dates.isoTime(expires))
        }
        if let href = link(e) { object["download"] = TemplateValue.text(href) }
        if e.status == .failed, let reason = e.error { object["error"] = TemplateValue.text(reason) }
        return .object(object)
    }

    /// "Queued", "Building: 7 of 27 files", "Ready", "Failed", "Expired".
    static func statusText(_ e: DataExport) -> String {
        switch e.status {
        case .queued: "Queued"
        case .building: "Building: \(e.filesDone) of \(e.filesTotal) files"
        case .ready: "Ready"
        case .failed: "Failed"
        case .expired: "Expired (file deleted)"
        }
    }

    /// "1.4 MB", "812 KB", "96 bytes".
    static func size(_ bytes: Int64) -> String {
        if bytes < 1_000 { return Plural.count(Int(bytes), "byte") }
        if bytes < 1_000_000 { return "\(bytes / 1_000) KB" }
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
