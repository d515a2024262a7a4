import GRDB

/// SQLite cannot change a CHECK in place: a table is rebuilt from its own stored SQL with one
/// clause replaced, keeping every column (also ones added by other migrations), row and index.
/// GRDB runs a migration with foreign keys off and checks them at its end, so dropping the old
/// table takes nothing with it and the references of other tables point at the new one.
enum SchemaRebuild {
    static func replaceCheck(_ db: Database, table: String, _ old: String, with new: String, migration: String) throws {
        guard
            let create = try String.fetchOne(
                db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]),
            create.contains(old), let columns = create.firstIndex(of: "(")
        else { throw DatabaseError(message: "\(migration): the \(table) table is not the one this migration knows") }
        let indexes = try String.fetchAll(
            db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", arguments: [table])
        try db.execute(sql: "CREATE TABLE \(table)_rebuilt " + create[columns...].replacingOccurrences(of: old, with: new))
        try db.execute(sql: "INSERT INTO \(table)_rebuilt SELECT * FROM \(table)")
        try db.execute(sql: "DROP TABLE \(table)")
        try db.execute(sql: "ALTER TABLE \(table)_rebuilt RENAME TO \(table)")
        for index in indexes { try db.execute(sql: index) }
    }
}

/// Migration `v25-plan-catalog`: `organization.plan` accepts the catalog's plans, and Team's
/// organizations move to Pro.
enum PlanCatalogSchema {
    static func migrate(_ db: Database) throws {
        try SchemaRebuild.replaceCheck(
            db, table: "organization", "CHECK (plan IN ('free', 'team', 'business'))",
            with: "CHECK (plan IN ('free', 'team', 'starter', 'pro', 'business', 'enterprise'))", migration: "v25-plan-catalog")
        try db.execute(sql: "UPDATE organization SET plan = 'pro' WHERE plan = 'team'")
    }
}
