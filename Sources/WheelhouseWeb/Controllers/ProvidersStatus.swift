import Foundation
import WheelhouseCore

/// `GET /orgs/{org}/settings/providers/status`: what the Providers tab's status cells show, as
/// JSON, so app.js can update them in place while tests run (same access as the tab).
extension ProvidersController {
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
        let rows = try app.database.providers(access).map { provider in
            StatusRow(id: provider.id, status: provider.checkPending ? "Testing…" : provider.status.label,
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
