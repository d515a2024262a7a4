import Foundation
import GRDB
import ZIPFoundation

/// A finished archive in the exports folder.
struct BuiltArchive: Sendable, Equatable {
    var fileName: String
    var byteSize: Int64
    var sha256: String
}

/// Writes one export's archive. Every dataset is read from one snapshot of the database (a WAL
/// snapshot: writers go on meanwhile, and the files agree with each other), `batchSize` rows per
/// read by keyset; each file is written to a temporary file, deflated into the ZIP, and counted
/// as done. The ZIP is built under a hidden temporary name and renamed when complete, so the
/// folder never holds half an archive under a real name.
struct DataExportBuilder {
    let database: AppDatabase
    let store: DataExportStore
    var batchSize = 1_000
    var lease: TimeInterval = 120

    func build(_ export: DataExport) throws -> BuiltArchive {
        guard
            let org = try database.reader.read({ db in
                try Row.fetchOne(db, sql: "SELECT key, displayName FROM organization WHERE id = ?", arguments: [export.orgId])
            })
        else { throw DataExportFailure("the organization no longer exists") }
        let orgKey: String = org[0], orgName: String = org[1]
        try store.prepare()
        let token = Crypto.randomBytes(6).map { String(format: "%02x", $0) }.joined()
        let files = FileManager.default
        let work = store.directory.appendingPathComponent(".build-\(export.id)-\(token)")
        try files.createDirectory(at: work, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? files.removeItem(at: work) }
        let partial = store.directory.appendingPathComponent(".export-\(export.id)-\(token).zip.partial")
        do {
            try writeArchive(export, to: partial, work: work, orgKey: orgKey, orgName: orgName)
            let fileName = "\(orgKey)-export-\(export.id)-\(token).zip"
            let size = try (files.attributesOfItem(atPath: partial.path)[.size] as? NSNumber)?.int64Value ?? 0
            let digest = try FileDigest.sha256Hex(of: partial)
            guard rename(partial.path, store.url(of: fileName).path) == 0 else { throw DataExportFailure("cannot store the archive") }
            return BuiltArchive(fileName: fileName, byteSize: size, sha256: digest)
        } catch {
            try? files.removeItem(at: partial)
            throw error
        }
    }

    private func writeArchive(_ export: DataExport, to url: URL, work: URL, orgKey: String, orgName: String) throws {
        let archive = try Archive(url: url, accessMode: .create)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        let snapshot = try database.exportSnapshot()
        var done = 0
        var leaseExtended = Date()
        for dataset in DataExportContents.datasets {
            let written = try write(dataset, orgId: export.orgId, from: snapshot, into: work) {
                // A long file keeps the lease: another process must not think this build died.
                if Date().timeIntervalSince(leaseExtended) > lease / 4 {
                    try database.dataExportProgress(id: export.id, done: done, lease: lease)
                    leaseExtended = Date()
                }
            }
            for file in written {
                try archive.addEntry(with: file.lastPathComponent, fileURL: file, compressionMethod: .deflate)
                try? FileManager.default.removeItem(at: file)
                done += 1
                try database.dataExportProgress(id: export.id, done: done, lease: lease)
                leaseExtended = Date()
            }
        }
        let readme = work.appendingPathComponent("README.txt")
        let text = DataExportContents.readme(orgKey: orgKey, orgName: orgName, exportId: export.id, at: database.now())
        guard FileManager.default.createFile(atPath: readme.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw DataExportFailure("cannot write the README")
        }
        try archive.addEntry(with: "README.txt", fileURL: readme, compressionMethod: .deflate)
        try database.dataExportProgress(id: export.id, done: done + 1, lease: lease)
    }

    /// `<name>.json` and `<name>.csv` of one dataset, written in `work`.
    private func write(
        _ dataset: ExportDataset, orgId: Int64, from snapshot: any DatabaseReader, into work: URL, eachBatch: () throws -> Void
    ) throws -> [URL] {
        let jsonURL = work.appendingPathComponent("\(dataset.name).json")
        let csvURL = work.appendingPathComponent("\(dataset.name).csv")
        var json = try BufferedFile(jsonURL), csv = try BufferedFile(csvURL)
        csv.append(CSV.line(dataset.columns.map(\.name)))
        json.append("[")
        let order = dataset.order.joined(separator: ", ")
        let select = (dataset.columns.map(\.sql) + dataset.order).joined(separator: ", ")
        let width = dataset.columns.count
        var after: [DatabaseValue]? = nil
        var first = true
        while true {
            let rows = try snapshot.read { db -> [Row] in
                var sql = "SELECT \(select) \(dataset.from)"
                var arguments: [(any DatabaseValueConvertible)?] = [orgId]
                if let after {
                    sql += " AND (\(order)) > (\(Array(repeating: "?", count: after.count).joined(separator: ", ")))"
                    arguments += after.map { $0 as (any DatabaseValueConvertible)? }
                }
                sql += " ORDER BY \(order) LIMIT ?"
                arguments.append(batchSize)
                return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
            }
            for row in rows {
                var fields: [String] = []
                fields.reserveCapacity(width)
                json.append(first ? "\n{" : ",\n{")
                first = false
                for (index, column) in dataset.columns.enumerated() {
                    let value: DatabaseValue = row[index]
                    if index > 0 { json.append(",") }
                    json.append(JSONText.string(column.name) + ":")
                    switch value.storage {
                    case .null:
                        json.append("null")
                        fields.append("")
                    case .int64(let number):
                        let text = column.isFlag ? (number != 0 ? "true" : "false") : String(number)
                        json.append(text)
                        fields.append(text)
                    case .double(let number):
                        json.append(number.isFinite ? String(number) : "null")
                        fields.append(String(number))
                    case .string(let text):
                        json.append(JSONText.string(text))
                        fields.append(CSV.cell(text))
                    case .blob:
                        // No dataset selects a blob; if one ever did, its bytes stay out.
                        json.append("null")
                        fields.append("")
                    }
                }
                json.append("}")
                csv.append(CSV.line(fields))
                try json.flushIfFull()
                try csv.flushIfFull()
            }
            try eachBatch()
            guard rows.count == batchSize, let last = rows.last else { break }
            after = (width..<(width + dataset.order.count)).map { last[$0] as DatabaseValue }
        }
        json.append(first ? "]\n" : "\n]\n")
        try json.close()
        try csv.close()
        return [jsonURL, csvURL]
    }
}

/// A file written through a 64 KiB buffer.
struct BufferedFile {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(_ url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw DataExportFailure("cannot write \(url.lastPathComponent)")
        }
        handle = try FileHandle(forWritingTo: url)
        buffer.reserveCapacity(1 << 16)
    }

    mutating func append(_ text: String) { buffer.append(contentsOf: text.utf8) }

    mutating func flushIfFull() throws { if buffer.count >= 1 << 16 { try flush() } }

    mutating func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func close() throws {
        try flush()
        try handle.close()
    }
}

/// JSON string literals, escaped per RFC 8259 (quote, backslash, control characters).
enum JSONText {
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension AppDatabase {
    /// A reader that sees one state of the database for as long as it lives: a snapshot on
    /// the production WAL database (one read transaction held open, which never blocks writers), the database itself in tests (in memory, one connection).
    func exportSnapshot() throws -> any DatabaseReader {
        if let pool = writer as? DatabasePool { return try pool.makeSnapshot() }
        return writer
    }
}
