import Foundation
import WheelhouseCore

/// `GET /orgs/{org}/settings/members/export.csv` — Owner, Admin (`manageMembers`): the member
/// list and pending invitations as RFC 4180 CSV, safe to open in a spreadsheet.
struct MembersExport {
    let database: AppDatabase

    func export(_ visit: Visit, access: OrgAccess) throws -> Response {
        try access.require(.manageMembers)
        var rows = try database.memberExport(orgKey: access.org.key, by: visit.actor)
        // PII masking (Privacy tab): an Admin gets the Owners' names and addresses masked.
        if let mask = try database.piiMask(orgId: access.org.id!, viewer: access.role) { rows = rows.map(mask.member) }
        return Response(
            status: 200,
            headers: [
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Disposition", "attachment; filename=\"members-\(access.org.key)-\(Dates.iso(database.now())).csv\""),
            ], body: Array(MembersCSV.document(rows).utf8))
    }
}

enum MembersCSV {
    static let header = ["name", "email", "role", "status", "since", "last_active", "invitation_expires"]

    static func document(_ rows: [MemberExportRow]) -> String {
        var out = UsageCSV.line(header)
        for r in rows {
            out += UsageCSV.line(
                [
                    r.name, r.email, r.role.rawValue, r.status, Dates.iso(r.since),
                    r.lastActive.map(Dates.iso) ?? "", r.expiresAt.map(Dates.iso) ?? "",
                ].map(cell))
        }
        return out
    }

    /// A cell a spreadsheet will not run (`CSV.cell`: a leading `'` before `=`, `+`, `-`, `@`).
    static func cell(_ value: String) -> String { CSV.cell(value) }
}
