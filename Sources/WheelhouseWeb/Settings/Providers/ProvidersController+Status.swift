import Foundation
import WheelhouseCore

/// `GET /orgs/{org}/settings/providers/status`: what the Providers tab's status cells show, as
/// JSON, so app.js can update them in place while tests run (same access as the tab); and the
/// "already removed" answer for a provider removed meanwhile.
extension ProvidersController {
    /// A provider of this organization that was removed: a flash saying so on the list, not the
    /// 404 page. Ids the organization never had (other organizations' included) stay 404.
    func alreadyRemoved(_ route: ProvidersRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        let id: String
        switch route {
        case .edit(let value, _), .test(let value), .delete(let value, _): id = value
        case .list, .add, .new, .status: throw DomainError.notFound
        }
        guard let name = try database.removedProviderName(access, id: id) else { throw DomainError.notFound }
        if case .delete(_, .submit) = route {
            return try shell.redirect(visit, to: tab(access.org.key), flash: "\(name) was already removed.")
        }
        try database.setFlash(
            Flash(
                kind: "error",
                message: "\(name) was already removed, so there is nothing to "
                    + (route == .test(id)
                        ? "test."
                        : route == .edit(id, .submit) || route == .edit(id, .show) ? "edit; your changes were not saved." : "remove.")),
            for: visit.signedIn!.session)
        return .redirect(to: tab(access.org.key).path)
    }

    struct StatusRow: Encodable {
        var id: String
        var status: String
        var statusClass: String
        var pending: Bool
        var checked: String?
        var checkedISO: String?
        var error: String?
    }

    struct StatusList: Encodable {
        var pending: Bool
        var providers: [StatusRow]
    }

    func statusJSON(access: OrgAccess) throws -> Response {
        let rows = try database.providers(access).map { provider in
            StatusRow(
                id: provider.id, status: provider.checkPending ? "Testing…" : provider.status.label,
                statusClass: provider.checkPending ? "testing" : provider.status.rawValue, pending: provider.checkPending,
                checked: provider.checkPending ? nil : provider.lastCheckedAt.map(Dates.dayTime),
                checkedISO: provider.checkPending ? nil : provider.lastCheckedAt.map(Dates.isoTime),
                error: provider.checkPending ? nil : provider.lastError)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(StatusList(pending: rows.contains(where: \.pending), providers: rows))
        return Response(status: 200, headers: [("Content-Type", "application/json; charset=utf-8")], body: Array(body))
    }
}
