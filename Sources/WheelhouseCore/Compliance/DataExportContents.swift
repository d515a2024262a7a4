/// One column of an exported file: its name in the CSV header and JSON keys, the SQL that reads
/// it, and the README's description.
struct ExportColumn: Sendable {
    var name: String
    var sql: String
    var about: String
    /// Stored as 0/1; written `true`/`false`.
    var isFlag = false

    init(_ name: String, _ sql: String, _ about: String, flag: Bool = false) {
        (self.name, self.sql, self.about, isFlag) = (name, sql, about, flag)
    }

    static func time(_ name: String, _ column: String, _ about: String) -> ExportColumn {
        ExportColumn(name, "strftime('%Y-%m-%dT%H:%M:%SZ', \(column))", about + " (UTC, RFC 3339; empty when none)")
    }
}

/// One data class of the archive, written as `<name>.json` (an array of objects) and
/// `<name>.csv` (RFC 4180, a header line). `from` ends with the organization's `WHERE … = ?`;
/// `order` is a unique key the rows are read in batches by (keyset, never OFFSET).
struct ExportDataset: Sendable {
    var name: String
    var about: String
    var columns: [ExportColumn]
    var from: String
    var order: [String]
}

/// What a data export contains. Secret values, provider keys (plaintext or sealed), password and
/// session hashes and invitation link nonces are not columns of any dataset, so no code path
/// can write them into an archive.
enum DataExportContents {
    static let datasets: [ExportDataset] = [
        ExportDataset(
            name: "organization", about: "The organization itself (one row).",
            columns: [
                ExportColumn("id", "o.id", "internal id"), ExportColumn("key", "o.key", "the org key in URLs"),
                ExportColumn("display_name", "o.displayName", "display name"), ExportColumn("description", "o.description", "description"),
                ExportColumn("plan", "o.plan", "plan: free, starter, pro, business or enterprise"),
                ExportColumn("time_zone", "o.timeZone", "IANA time zone"),
                ExportColumn("member_limit", "o.memberLimit", "member limit"), .time("created_at", "o.createdAt", "created"),
                .time("updated_at", "o.updatedAt", "last changed"),
            ], from: "FROM organization o WHERE o.id = ?", order: ["o.id"]),
        ExportDataset(
            name: "members", about: "Everyone who belongs to the organization, with their role.",
            columns: [
                ExportColumn("user_id", "u.id", "the person's id"), ExportColumn("name", "u.name", "name"),
                ExportColumn("email", "u.email", "email address"), ExportColumn("role", "m.role", "owner, admin or member"),
                .time("joined_at", "m.createdAt", "when they joined"),
            ], from: "FROM membership m JOIN user u ON u.id = m.userId WHERE m.orgId = ?", order: ["m.userId"]),
        ExportDataset(
            name: "invitations", about: "Every invitation ever sent, in any state. The link token is never included.",
            columns: [
                ExportColumn("id", "i.id", "invitation id"), ExportColumn("email", "i.email", "invited address"),
                ExportColumn("role", "i.role", "admin or member"), ExportColumn("status", "i.status", "pending, accepted or revoked"),
                ExportColumn("message", "i.message", "the personal message"),
                ExportColumn("invited_by_user_id", "i.invitedBy", "who invited (user id)"),
                ExportColumn("accepted_by_user_id", "i.acceptedBy", "who accepted (user id)"),
                .time("created_at", "i.createdAt", "created"),
                .time("sent_at", "i.sentAt", "last sent"), .time("expires_at", "i.expiresAt", "link expiry"),
                .time("closed_at", "i.closedAt", "accepted or revoked"),
            ], from: "FROM invitation i WHERE i.orgId = ?", order: ["i.id"]),
        ExportDataset(
            name: "teams", about: "Teams.",
            columns: [
                ExportColumn("id", "t.id", "team id"), ExportColumn("name", "t.name", "name"),
                ExportColumn("description", "t.description", "description"), .time("created_at", "t.createdAt", "created"),
            ], from: "FROM team t WHERE t.orgId = ?", order: ["t.id"]),
        ExportDataset(
            name: "team-members", about: "Who is in which team.",
            columns: [
                ExportColumn("team_id", "t.id", "team id"), ExportColumn("team_name", "t.name", "team name"),
                ExportColumn("user_id", "u.id", "the person's id"), ExportColumn("email", "u.email", "email address"),
                .time("added_at", "tm.createdAt", "when they were added"),
            ], from: "FROM teamMember tm JOIN team t ON t.id = tm.teamId JOIN user u ON u.id = tm.userId WHERE t.orgId = ?",
            order: ["tm.teamId", "tm.userId"]),
        ExportDataset(
            name: "workspaces", about: "Workspaces, shared and private (each member's default workspace is private).",
            columns: [
                ExportColumn("id", "w.id", "workspace id"), ExportColumn("key", "w.key", "URL key"), ExportColumn("name", "w.name", "name"),
                ExportColumn("description", "w.description", "description"),
                ExportColumn("shared", "w.isShared", "true when shared", flag: true),
                ExportColumn("owner_user_id", "w.ownerUserId", "for a private workspace, its person"),
                .time("archived_at", "w.archivedAt", "archived"), .time("created_at", "w.createdAt", "created"),
            ], from: "FROM workspace w WHERE w.orgId = ?", order: ["w.id"]),
        ExportDataset(
            name: "workspace-access", about: "Who may reach each shared workspace: a person or a team, with a level.",
            columns: [
                ExportColumn("id", "a.id", "grant id"), ExportColumn("workspace_id", "w.id", "workspace id"),
                ExportColumn("workspace_key", "w.key", "workspace key"),
                ExportColumn("user_id", "a.userId", "the person, if granted to one"),
                ExportColumn("team_id", "a.teamId", "the team, if granted to one"),
                ExportColumn("level", "a.level", "read, write or admin"),
                .time("created_at", "a.createdAt", "granted"),
            ], from: "FROM workspaceAccess a JOIN workspace w ON w.id = a.workspaceId WHERE w.orgId = ?", order: ["a.id"]),
        ExportDataset(
            name: "secrets", about: "Members' secrets: metadata only. The value is never included, not even encrypted.",
            columns: [
                ExportColumn("id", "s.id", "secret id"), ExportColumn("name", "s.name", "environment variable name"),
                ExportColumn("owner_user_id", "s.ownerId", "whose secret"),
                ExportColumn("hint", "s.hint", "the masked hint shown in the console"),
                .time("created_at", "s.createdAt", "added"), .time("rotated_at", "s.rotatedAt", "last rotated"),
            ], from: "FROM secret s WHERE s.orgId = ?", order: ["s.id"]),
        ExportDataset(
            name: "providers", about: "The organization's model providers: metadata only. The API key is never included.",
            columns: [
                ExportColumn("id", "p.id", "provider id"),
                ExportColumn("kind", "p.kind", "openai, anthropic, google, mistral, xai or custom"),
                ExportColumn("name", "p.name", "name"), ExportColumn("base_url", "p.baseURL", "base URL"),
                ExportColumn("hint", "p.hint", "the masked key hint"),
                ExportColumn("status", "p.status", "configured, connected or failed"),
                .time("last_checked_at", "p.lastCheckedAt", "last connection test"),
                ExportColumn("last_error", "p.lastError", "why the last test failed"),
                .time("created_at", "p.createdAt", "added"), .time("updated_at", "p.updatedAt", "last changed"),
            ], from: "FROM provider p WHERE p.orgId = ?", order: ["p.id"]),
        ExportDataset(
            name: "chat-models", about: "The chat models each member switched on for their own picker.",
            columns: [
                ExportColumn("user_id", "c.userId", "the person"), ExportColumn("model", "c.modelId", "catalog id (provider/model)"),
                ExportColumn("display_name", "m.displayName", "the model's name"), .time("enabled_at", "c.createdAt", "switched on"),
            ], from: "FROM chatModelChoice c JOIN chatModel m ON m.id = c.modelId WHERE c.orgId = ?", order: ["c.userId", "c.modelId"]),
        ExportDataset(
            name: "usage-events", about: "Every usage event (workflow runs, model calls) the organization has.",
            columns: [
                ExportColumn("idempotency_key", "e.idempotencyKey", "the event's unique key"),
                ExportColumn("time", "strftime('%Y-%m-%dT%H:%M:%SZ', e.at, 'unixepoch')", "when (UTC, RFC 3339)"),
                ExportColumn("workspace_key", "w.key", "workspace key"), ExportColumn("kind", "e.kind", "workflow_run, llm_call, …"),
                ExportColumn("status", "e.status", "success or error"), ExportColumn("provider", "e.provider", "model provider"),
                ExportColumn("model", "e.model", "model"), ExportColumn("input_tokens", "e.inputTokens", "input tokens"),
                ExportColumn("output_tokens", "e.outputTokens", "output tokens"),
                ExportColumn("cost_micros", "e.costMicros", "cost in millionths of the currency unit"),
                ExportColumn("byok", "e.byok", "true when run on the organization's own key", flag: true),
            ], from: "FROM usageEvent e JOIN workspace w ON w.id = e.workspaceId WHERE e.orgId = ?", order: ["e.idempotencyKey"]),
        ExportDataset(
            name: "usage-daily", about: "Daily usage totals, by day in the organization's time zone.",
            columns: [
                ExportColumn("date", "date(d.day * 86400, 'unixepoch')", "local day (YYYY-MM-DD)"),
                ExportColumn("workspace_key", "w.key", "workspace key"),
                ExportColumn("kind", "d.kind", "event kind"), ExportColumn("status", "d.status", "success or error"),
                ExportColumn("provider", "d.provider", "provider"), ExportColumn("model", "d.model", "model"),
                ExportColumn("events", "d.events", "events"), ExportColumn("byok_events", "d.byokEvents", "of which on the org's own key"),
                ExportColumn("input_tokens", "d.inputTokens", "input tokens"),
                ExportColumn("output_tokens", "d.outputTokens", "output tokens"),
                ExportColumn("cost_micros", "d.costMicros", "cost, millionths"),
                ExportColumn("credits_micros", "d.creditsMicros", "AI credits, millionths"),
            ], from: "FROM usageDaily d JOIN workspace w ON w.id = d.workspaceId WHERE d.orgId = ?",
            order: ["d.day", "d.workspaceId", "d.kind", "d.status", "d.provider", "d.model"]),
        ExportDataset(
            name: "audit-log", about: "The audit log: every change, oldest first (as far back as the retention keeps).",
            columns: [
                ExportColumn("id", "a.id", "entry id"), .time("time", "a.createdAt", "when"),
                ExportColumn("actor_user_id", "a.actorUserId", "who (empty: the system)"),
                ExportColumn("actor_email", "u.email", "their address"),
                ExportColumn("action", "a.action", "the action's code, e.g. member.add"),
                ExportColumn("target", "a.target", "what it changed"),
                ExportColumn("summary", "a.summary", "before → after"), ExportColumn("address", "a.address", "the client's address"),
                ExportColumn("user_agent", "a.userAgent", "the client's User-Agent header (empty before it was kept)"),
            ], from: "FROM auditEvent a LEFT JOIN user u ON u.id = a.actorUserId WHERE a.orgId = ?", order: ["a.id"]),
    ]

    /// Files in an archive: a JSON and a CSV per dataset, and README.txt.
    static let fileCount = datasets.count * 2 + 1
}
