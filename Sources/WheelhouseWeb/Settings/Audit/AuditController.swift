import Foundation
import WheelhouseCore

/// The Audit log tab: an organization's audit entries, filtered, a page at a time, and exported.
///
/// - `GET /orgs/{org}/settings/audit` — Owner, Admin (`viewAuditLog`): newest first, 50 a page,
///   `before=<id>` for older and `after=<id>` for newer entries; filters `action`, `actor` (a user
///   id or `system`), `from` / `to` (days in the org's time zone) and `q` (text in the target or
///   summary). A bad value answers 400 with the log without it and a message beside its field.
/// - `GET …/audit/export.csv`, `GET …/audit/export.jsonl` — the same filter, every matching entry
///   up to `AuditExport.cap`, newest first; a bad value is a 400 in plain text.
/// - `POST …/audit/retention` — Owner (`manageAuditRetention`): `retention` (`30`, `90`, `365`,
///   `forever`) and `version`; another value is a 422 beside the field, a stale version a 409.
struct AuditController {
    let shell: Shell
    let database: AppDatabase

    enum RetentionField: String, CaseIterable { case csrf = "_csrf", version, retention }

    func respond(_ route: AuditRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        try access.require(.viewAuditLog)
        if route == .retention { return try updateRetention(visit, access: access) }
        let zone = TimeZone(identifier: access.org.timeZone) ?? TimeZone(identifier: "UTC")!
        let actors = try database.auditActors(orgId: access.org.id!, viewer: access.role)
        let query = AuditQuery.parse(visit.request.query, zone: zone, actors: actors)
        switch route {
        case .show, .retention:
            return try show(visit, access: access, zone: zone, actors: actors, query: query, retention: nil)
        case .exportCSV, .exportJSONLines:
            if !query.problems.isEmpty {
                let text = AuditQuery.Field.allCases.compactMap { query.problems[$0] }.joined(separator: "\n")
                return Response(status: 400, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array("\(text)\n".utf8))
            }
            var (entries, truncated) = try database.auditLogExport(orgId: access.org.id!, filter: query.filter, limit: AuditExport.cap)
            if let mask = try database.piiMask(orgId: access.org.id!, viewer: access.role) { entries = entries.map(mask.entry) }
            let csv = route == .exportCSV
            let name = "audit-\(access.org.key)\(query.fileNamePart).\(csv ? "csv" : "jsonl")"
            var headers = [
                ("Content-Type", csv ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8"),
                ("Content-Disposition", "attachment; filename=\"\(name)\""),
            ]
            // The cap is said in a header rather than in the file, so every line stays an entry.
            if truncated { headers.append(("Wheelhouse-Export-Truncated", "only the newest \(AuditExport.cap) entries; narrow the dates")) }
            let body = csv ? AuditExport.csv(entries) : try AuditExport.jsonLines(entries)
            return Response(status: 200, headers: headers, body: body)
        }
    }

    /// The log page; `retention` is a refused retention form, shown with its status.
    private func show(
        _ visit: Visit, access: OrgAccess, zone: TimeZone, actors: [User], query: AuditQuery,
        retention refused: (value: String, refusal: FormRefusal)?
    ) throws -> Response {
        // Entries masked for the viewer (PII masking, Privacy tab) and their targets' links, read at once.
        let data = try database.auditPageData(orgId: access.org.id!, filter: query.filter, from: query.cursor, viewer: access.role)
        let layout = try shell.layout(visit, title: "Audit log · \(access.org.displayName)", access: access, tab: .audit)
        var form = AuditPage.RetentionForm(setting: data.retention, canEdit: access.allows(.manageAuditRetention))
        if shell.config.mode == .saas { form.cap = (data.plan.name, data.plan.auditRetentionCap) }
        if let refused {
            form.typed = refused.value
            form.errors = refused.refusal.errors
        }
        let status = refused?.refusal.status ?? (query.problems.isEmpty ? 200 : 400)
        var values = AuditPage(orgKey: access.org.key, zone: zone, query: query, actors: actors, page: data.page, retention: form)
        values.links = data.links
        values.generation = data.generation
        return shell.render(.audit, values, layout: layout, status: status)
    }

    private func updateRetention(_ visit: Visit, access: OrgAccess) throws -> Response {
        let form = try visit.form()
        try access.require(.manageAuditRetention)
        var reader = FormReader<RetentionField>(form)
        let value = reader.text(.retention, label: "Keep entries for")
        let version = Int(reader.text(.version, label: "Version")) ?? -1
        return try shell.submit(
            visit, stale: "Someone changed the retention while you were choosing. The current value is shown; choose again.",
            {
                try reader.errors.throwIfAny()
                let saved = try database.setAuditRetention(
                    orgKey: access.org.key, value: value, expectedVersion: version, enforcePlan: shell.config.mode == .saas, by: visit.actor
                )
                let flash =
                    saved.retention == .forever
                    ? "Audit entries are now kept forever."
                    : "Audit entries older than \(saved.retention.title) are now deleted (checked every hour)."
                return FormSuccess(.org(access.org.key, .audit(.show)), flash: flash)
            },
            refused: { refusal in
                let zone = TimeZone(identifier: access.org.timeZone) ?? TimeZone(identifier: "UTC")!
                let actors = try database.auditActors(orgId: access.org.id!)  // an Owner's form: never masked
                let query = AuditQuery.parse("", zone: zone, actors: actors)
                return try show(visit, access: access, zone: zone, actors: actors, query: query, retention: (value, refusal))
            })
    }
}

/// The export's files: one entry per line, newest first, in UTC.
enum AuditExport {
    /// Entries per file: a bound on the response's memory; the truncation is announced in a header.
    static let cap = 100_000

    static let header = [
        "id", "time_utc", "actor_name", "actor_email", "action", "action_title", "target", "summary", "address", "user_agent",
    ]

    static func csv(_ entries: [AuditLogEntry]) -> [UInt8] {
        var out = Array(UsageCSV.line(header).utf8)
        out.reserveCapacity(entries.count * 160)
        for entry in entries {
            let e = entry.event
            let fields = [
                String(e.id ?? 0), Dates.isoTime(e.createdAt), entry.actorName ?? (e.actorUserId == nil ? "System" : ""),
                entry.actorEmail ?? "", e.action.rawValue, e.action.title, e.target, e.summary, e.address, e.userAgent,
            ]
            out += UsageCSV.line(fields.map(MembersCSV.cell)).utf8
        }
        return out
    }

    /// One entry of the JSON Lines file.
    struct Line: Encodable {
        var id: Int64
        var time: String
        var actorUserId: Int64?
        var actorName: String?
        var actorEmail: String?
        var action: String
        var actionTitle: String
        var target: String
        var summary: String
        var address: String
        var userAgent: String

        /// Also one event of the JSON API's `GET /api/v1/audit/events`.
        init(_ entry: AuditLogEntry) {
            let e = entry.event
            (id, time, actorUserId, actorName, actorEmail) = (
                e.id ?? 0, Dates.isoTime(e.createdAt), e.actorUserId, entry.actorName, entry.actorEmail
            )
            (action, actionTitle, target, summary, address, userAgent) = (
                e.action.rawValue, e.action.title, e.target, e.summary, e.address, e.userAgent
            )
        }
    }

    static func jsonLines(_ entries: [AuditLogEntry]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out: [UInt8] = []
        for entry in entries {
            let line = Line(entry)
            out += try encoder.encode(line)
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}
