import GRDB

/// Migration `v25-plan-catalog`: `organization.plan` accepts the catalog's plans (SQLite cannot
/// change a CHECK in place, so the table is rebuilt from its own stored SQL with the list
/// widened, keeping every column and index), and Team's organizations move to Pro. GRDB runs a
/// migration with foreign keys off and checks them at its end, so dropping the old table takes
/// nothing with it.
enum PlanCatalogSchema {
    static let oldCheck = "CHECK (plan IN ('free', 'team', 'business'))"
    static let newCheck = "CHECK (plan IN ('free', 'team', 'starter', 'pro', 'business', 'enterprise'))"

    static func migrate(_ db: Database) throws {
        guard let create = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'organization'"),
            create.contains(oldCheck), let columns = create.firstIndex(of: "(")
        else { throw DatabaseError(message: "v25-plan-catalog: the organization table is not the one this migration knows") }
        let indexes = try String.fetchAll(
            db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'organization' AND sql IS NOT NULL")
        try db.execute(sql: "CREATE TABLE organization_v25 " + create[columns...].replacingOccurrences(of: oldCheck, with: newCheck))
        try db.execute(sql: "INSERT INTO organization_v25 SELECT * FROM organization")
        try db.execute(sql: "DROP TABLE organization")
        try db.execute(sql: "ALTER TABLE organization_v25 RENAME TO organization")
        for index in indexes { try db.execute(sql: index) }
        try db.execute(sql: "UPDATE organization SET plan = 'pro' WHERE plan = 'team'")
    }
}
