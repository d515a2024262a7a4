import Foundation
import WheelhouseCore

/// The Compliance tab (Owner only, `exportOrganizationData`).
///
/// - `GET /orgs/{org}/settings/compliance` — the organization's exports, newest first: status,
///   progress, size, who asked and when, expiry, and a signed download link when ready.
/// - `POST …/compliance/exports` — `_csrf` only: queues an export (audited); while one is queued or
///   building another is refused with a message (422), so a double submit makes one export.
/// - `GET …/compliance/exports/{id}/download?expires=E&sig=S` — the archive, streamed from disk,
///   when the signature matches this organization, this export and E, E has not passed and the
///   export is ready; each download is audited. Anything else is a 404 (never the file).
struct ComplianceController {
    let shell: Shell
    let database: AppDatabase
    let exports: DataExportStore

    enum Field: String, CaseIterable { case csrf = "_csrf" }
    /// The deletion forms' fields.
    enum DeletionField: String, CaseIterable {
        case csrf = "_csrf"
        case confirm, version
    }

    func respond(_ route: ComplianceRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        try access.require(.exportOrganizationData)
        switch route {
        case .show: return try show(visit, access: access, refused: nil)
        case .requestExport:
            _ = try visit.form()
            return try shell.submit(
                visit,
                {
                    try database.requestDataExport(orgKey: access.org.key, by: visit.actor)
                    return FormSuccess(
                        .org(access.org.key, .compliance(.show)),
                        flash: "Export requested. It is built in the background; you will be notified when it is ready.")
                },
                refused: { refusal in try show(visit, access: access, refused: refusal) })
        case .download(let id): return try download(id, visit, access: access)
        case .scheduleDeletion: return try scheduleDeletion(visit, access: access)
        case .cancelDeletion: return try cancelDeletion(visit, access: access)
        }
    }

    /// `deletion`: a refused deletion form, with what was typed.
    func show(
        _ visit: Visit, access: OrgAccess, refused: FormRefusal?, deletion: (typed: String, refusal: FormRefusal)? = nil
    ) throws -> Response {
        let listings = try database.dataExports(orgId: access.org.id!)
        let layout = try shell.layout(visit, title: "Compliance · \(access.org.displayName)", access: access, tab: .compliance)
        var page = CompliancePage(
            org: access.org, exports: listings, now: database.now(), errors: refused?.errors ?? FieldErrors(),
            link: { export in signedLink(export, org: access.org) })
        page.deletion = DeletionSection(
            org: access.org, pending: try database.pendingDeletion(orgId: access.org.id!), typed: deletion?.typed ?? "",
            errors: deletion?.refusal.errors ?? FieldErrors())
        let refused = refused ?? deletion?.refusal
        return shell.render(.compliance, page, layout: layout, status: refused?.status ?? 200)
    }

    /// The download path of a ready export, signed for this organization until its expiry.
    private func signedLink(_ export: DataExport, org: Organization) -> String? {
        guard export.status == .ready, let expiresAt = export.expiresAt else { return nil }
        let expires = Int64(expiresAt.timeIntervalSince1970)
        let sig = exports.signature(orgId: org.id!, exportId: export.id, expires: expires)
        return Route.org(org.key, .compliance(.download(export.id))).path(query: [("expires", String(expires)), ("sig", sig)])
    }

    private func download(_ id: Int64, _ visit: Visit, access: OrgAccess) throws -> Response {
        let query = visit.request.queryItems
        let sig = query["sig"] ?? ""
        // Digits only: the value is compared to the stored expiry, never parsed loosely.
        guard let expiresText = query["expires"], expiresText.utf8.count <= 12,
            expiresText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let expires = Int64(expiresText),
            exports.verify(orgId: access.org.id!, exportId: id, expires: expires, signature: sig)
        else { throw DomainError.notFound }
        let now = database.now()
        guard let export = try database.dataExport(orgId: access.org.id!, id: id), export.status == .ready,
            let expiresAt = export.expiresAt, Int64(expiresAt.timeIntervalSince1970) == expires,
            now.timeIntervalSince1970 < Double(expires), let fileName = export.fileName,
            let file = ResponseFile(path: exports.url(of: fileName).path)
        else { throw DomainError.notFound }
        try database.recordDataExportDownload(orgId: access.org.id!, orgKey: access.org.key, exportId: id, by: visit.actor)
        let day = Dates.iso(export.finishedAt ?? now)
        return Response(
            status: 200,
            headers: [
                ("Content-Type", "application/zip"),
                ("Content-Disposition", "attachment; filename=\"\(access.org.key)-export-\(day).zip\""),
                ("Cache-Control", "private, no-store"),
            ], file: file)
    }
}
