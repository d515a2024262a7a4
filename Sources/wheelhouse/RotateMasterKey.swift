import ArgumentParser
import Foundation
import WheelhouseCore

/// `wheelhouse rotate-master-key`: re-encrypts every secret and provider key under a new master
/// key in one transaction. Stop the responders first: a running one still holds the old key and
/// refuses to encrypt with it (it asks to be restarted).
struct RotateMasterKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-master-key",
        abstract: "Re-encrypt every secret and provider key under a new master key.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let database = try global.openDatabase()
        let file = global.masterKeyFile
        let started = DispatchTime.now().uptimeNanoseconds
        let rotation = try database.rotateMasterKey(file: file)
        let millis = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        Output.line(
            "Master key rotated (version \(rotation.fromVersion) → \(rotation.toVersion)) in "
                + String(format: "%.0f", millis) + " ms: re-encrypted \(rotation.secrets) secret(s) and "
                + "\(rotation.providers) provider key(s).")
        Output.line(
            "New key: \(file.path). The previous key is kept in \(file.oldPath): it still opens database "
                + "backups made before now; delete it once those backups are gone. Restart running responders.")
    }
}
